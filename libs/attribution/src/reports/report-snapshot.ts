import { DataSource, QueryRunner } from 'typeorm';
import type { AttributionModel, ReportFiltersDto, ReportFreshnessDto, ReportQueryDto } from './report.dto';

const HOUR = 3_600_000;

/** The stored columns of each model's credit: chosen from this map, never from the request's text. */
const MODEL_COLUMNS: Record<AttributionModel, string> = { first_touch: 'first_touch', last_click: 'last_click' };

/**
 * The SQL conditions and parameters of a report's filters. Only the filters given become conditions,
 * so every report query is a plain range on (tenant, campaign, time), which is what the indexes serve.
 * Parameters: $1 tenant, $2 campaign, then from/to/app when given.
 */
export class ReportFilter {
  readonly params: unknown[];
  private readonly conditions: ((alias: string, timeColumn: string) => string)[] = [];

  constructor(
    tenantId: string,
    readonly campaignId: string,
    readonly query: ReportQueryDto,
  ) {
    this.params = [tenantId, campaignId];
    if (query.from) this.add(query.from, (alias, n, time) => `${alias}.${time} >= $${n}`);
    if (query.to) this.add(query.to, (alias, n, time) => `${alias}.${time} < $${n}`);
    if (query.app_id) this.add(query.app_id, (alias, n) => `${alias}.app_id = $${n}`);
  }

  /** `AND …` conditions on the period (of `timeColumn`) and app for the table aliased `alias`. */
  on(alias: string, timeColumn = 'occurred_at'): string {
    return this.conditions.map((condition) => ` AND ${condition(alias, timeColumn)}`).join('');
  }

  /** `AND …` condition on the app alone, for the table aliased `alias`. */
  appOn(alias: string): string {
    return this.query.app_id ? ` AND ${alias}.app_id = ${this.param(this.query.app_id)}` : '';
  }

  /** Adds a parameter; answers its placeholder. */
  param(value: unknown): string {
    this.params.push(value);
    return `$${this.params.length}`;
  }

  /**
   * `(link_id, clicks)` rows whose sum is the campaign's human clicks per link in the period: the
   * hourly rollup for the whole hours inside it, the raw touches for the partial hours at its edges.
   */
  clicksByLink(): string {
    const from = this.query.from ? new Date(this.query.from) : undefined;
    const to = this.query.to ? new Date(this.query.to) : undefined;
    const touches = (lower?: Date, upper?: Date) =>
      `SELECT t.link_id, 1 AS clicks FROM touches t WHERE t.tenant_id = $1 AND t.campaign_id = $2 AND NOT t.is_bot` +
      `${lower ? ` AND t.occurred_at >= ${this.param(lower)}` : ''}${upper ? ` AND t.occurred_at < ${this.param(upper)}` : ''}${this.appOn('t')}`;
    const firstWholeHour = from && new Date(Math.ceil(from.getTime() / HOUR) * HOUR);
    const endOfWholeHours = to && new Date(Math.floor(to.getTime() / HOUR) * HOUR);
    if (firstWholeHour && endOfWholeHours && firstWholeHour >= endOfWholeHours) return touches(from, to);
    const parts = [
      `SELECT h.link_id, h.clicks FROM campaign_link_clicks_hourly h WHERE h.tenant_id = $1 AND h.campaign_id = $2` +
        `${firstWholeHour ? ` AND h.hour >= ${this.param(firstWholeHour)}` : ''}${endOfWholeHours ? ` AND h.hour < ${this.param(endOfWholeHours)}` : ''}${this.appOn('h')}`,
    ];
    if (from && firstWholeHour! > from) parts.push(touches(from, firstWholeHour));
    if (to && endOfWholeHours! < to) parts.push(touches(endOfWholeHours, to));
    return parts.join('\n UNION ALL ');
  }

  /** The columns holding the chosen model's credit on `conversions`: `first_touch` or `last_click`. */
  get credit(): string {
    return MODEL_COLUMNS[this.query.model];
  }

  describe(): ReportFiltersDto {
    return {
      campaign_id: this.campaignId,
      model: this.query.model,
      app_id: this.query.app_id ?? null,
      from: this.query.from ? new Date(this.query.from).toISOString() : null,
      to: this.query.to ? new Date(this.query.to).toISOString() : null,
    };
  }

  private add(value: unknown, condition: (alias: string, n: number, timeColumn: string) => string): void {
    this.params.push(value);
    const n = this.params.length;
    this.conditions.push((alias, timeColumn) => condition(alias, n, timeColumn));
  }
}

/**
 * A report reads in one read-only REPEATABLE READ transaction: all its figures, and the count of
 * conversion jobs still pending, come from the same snapshot, so "as of" means the same moment for
 * every number in the answer, however many queries made it.
 */
export class ReportSnapshot {
  private constructor(
    private readonly runner: QueryRunner,
    readonly freshness: Omit<ReportFreshnessDto, 'filters'>,
  ) {}

  static async open(dataSource: DataSource, tenantId: string, asOf: Date): Promise<ReportSnapshot> {
    const runner = dataSource.createQueryRunner();
    try {
      await runner.connect();
      await runner.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
      const [{ pending }] = await runner.query(
        `SELECT count(*)::int AS pending FROM conversion_jobs WHERE tenant_id = $1 AND status IN ('pending', 'running')`,
        [tenantId],
      );
      return new ReportSnapshot(runner, { as_of: asOf.toISOString(), pending_conversion_jobs: pending });
    } catch (error) {
      await runner.release();
      throw error;
    }
  }

  query<T>(sql: string, params: unknown[]): Promise<T[]> {
    return this.runner.query(sql, params);
  }

  async close(): Promise<void> {
    try {
      if (!this.runner.isReleased) await this.runner.query('COMMIT');
    } finally {
      await this.runner.release();
    }
  }
}

/** `part / whole` to 4 decimals, or null when there is no whole to divide by. */
export function rate(part: number, whole: number): number | null {
  return whole > 0 ? Math.round((part / whole) * 10_000) / 10_000 : null;
}
