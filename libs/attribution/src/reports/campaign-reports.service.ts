import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { CampaignDto, CampaignsService } from '@refos/apps';
import { Clock, formatAmount, multiplyAmount } from '@refos/platform';
import { DataSource } from 'typeorm';
import { csvRow } from './csv';
import {
  CampaignFunnelDto,
  CampaignSummaryDto,
  CastRowDto,
  ChannelRowDto,
  CreatorRowDto,
  LinkRowDto,
  RankedReport,
  RankedReportQueryDto,
  ReportQueryDto,
} from './report.dto';
import { FunnelStep } from './campaign-session-step.entity';
import { rate, ReportFilter, ReportSnapshot } from './report-snapshot';

/**
 * How each ranked report groups, by columns of the referral link: clicks and credited conversions are
 * both counted per link first (from the rollup and a covering index), then folded through the links,
 * whose creator, channel and cast never change.
 */
const DIMENSIONS = {
  creators: { columns: ['creator_fid', 'creator_handle'], where: '' },
  channels: { columns: ['channel'], where: '' },
  casts: { columns: ['cast_hash'], where: ' AND l.cast_hash IS NOT NULL' },
  links: { columns: ['id'], where: '' },
} as const;
export type ReportDimension = keyof typeof DIMENSIONS;

interface RankedRow {
  key: (string | null)[];
  clicks: number;
  conversions: number;
  revenue: string;
}

/** Rows the payouts CSV fetches per round trip: memory stays flat however many creators a campaign has. */
const PAYOUT_FETCH_SIZE = 500;
export const PAYOUT_CSV_HEADER = [
  'creator_fid',
  'creator_handle',
  'conversions',
  'revenue_usdc',
  'payable_conversions',
  'payout_per_conversion',
  'payout',
  'payout_currency',
];

/**
 * Campaign reports: touches for clicks, each session's first time at each funnel step for the
 * funnel, conversions for credit. Every query is a range on (tenant, campaign, time)
 * served by an index that holds the columns it reads (see the ConversionsAndAttribution and
 * CampaignReports migrations), so no report scans beyond its campaign and period.
 *
 * An event counts for a campaign when it carries the campaign's id, stated or through one of its
 * referral links: the redirect forwards `campaign_id` and the SDK sends it with the session's events.
 * A session counts for a funnel step in the period in which it first reached that step
 * (campaign_session_steps), so the funnel reads one row per session and step, never every event.
 */
@Injectable()
export class CampaignReportsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly campaigns: CampaignsService,
    private readonly clock: Clock,
  ) {}

  async summary(tenantId: string, campaignId: string, query: ReportQueryDto): Promise<CampaignSummaryDto> {
    const { filter, figures, freshness } = await this.read(tenantId, campaignId, query, (snapshot, f) => this.headline(snapshot, f));
    return {
      ...freshness,
      filters: filter.describe(),
      clicks: figures.clicks,
      opens: figures.opens,
      sign_ins: figures.sign_ins,
      conversions_started: figures.started,
      conversions_completed: figures.conversions,
      revenue_usdc: formatAmount(figures.revenue),
      conversion_rate: rate(figures.conversions, figures.clicks),
    };
  }

  async funnel(tenantId: string, campaignId: string, query: ReportQueryDto): Promise<CampaignFunnelDto> {
    const { filter, figures, freshness } = await this.read(tenantId, campaignId, query, (snapshot, f) => this.headline(snapshot, f));
    const counts: [string, number][] = [
      ['link_clicked', figures.clicks],
      ['miniapp_opened', figures.opens],
      ['sign_in_completed', figures.sign_ins],
      ['conversion_started', figures.started],
      ['conversion_completed', figures.converted_sessions],
    ];
    return {
      ...freshness,
      filters: filter.describe(),
      steps: counts.map(([step, count], i) => ({
        step,
        count,
        step_rate: i === 0 ? null : rate(count, counts[i - 1][1]),
        overall_rate: rate(count, counts[0][1]),
      })),
    };
  }

  creators(tenantId: string, campaignId: string, query: RankedReportQueryDto): Promise<RankedReport<CreatorRowDto>> {
    return this.ranked(tenantId, campaignId, query, 'creators', (row) => ({
      creator_fid: row.key[0],
      creator_handle: row.key[1],
      ...figuresOf(row),
    }));
  }

  channels(tenantId: string, campaignId: string, query: RankedReportQueryDto): Promise<RankedReport<ChannelRowDto>> {
    return this.ranked(tenantId, campaignId, query, 'channels', (row) => ({ channel: row.key[0], ...figuresOf(row) }));
  }

  casts(tenantId: string, campaignId: string, query: RankedReportQueryDto): Promise<RankedReport<CastRowDto>> {
    return this.ranked(tenantId, campaignId, query, 'casts', (row) => ({ cast_hash: row.key[0]!, ...figuresOf(row) }));
  }

  async links(tenantId: string, campaignId: string, query: RankedReportQueryDto): Promise<RankedReport<LinkRowDto>> {
    const page = await this.ranked(tenantId, campaignId, query, 'links', (row) => ({ link_id: row.key[0]!, ...figuresOf(row) }));
    // The page's links in one query: their code and creator are what a reader recognises them by.
    const links: { id: string; code: string; creator_fid: string | null; creator_handle: string | null; channel: string | null; cast_hash: string | null }[] =
      page.data.length === 0
        ? []
        : await this.dataSource.query(
            `SELECT id, code, creator_fid::text, creator_handle, channel, cast_hash FROM referral_links WHERE tenant_id = $1 AND id = ANY($2::uuid[])`,
            [tenantId, page.data.map((row) => row.link_id)],
          );
    const byId = new Map(links.map((link) => [link.id, link]));
    return {
      ...page,
      data: page.data.map((row) => {
        const link = byId.get(row.link_id);
        return {
          link_id: row.link_id,
          code: link?.code ?? '',
          creator_fid: link?.creator_fid ?? null,
          creator_handle: link?.creator_handle ?? null,
          channel: link?.channel ?? null,
          cast_hash: link?.cast_hash ?? null,
          clicks: row.clicks,
          conversions: row.conversions,
          revenue_usdc: row.revenue_usdc,
        };
      }),
    };
  }

  /**
   * The payouts CSV of a campaign: one row per credited creator, owed `payout_amount` for each of its
   * conversions of the campaign's `payout_event`. The campaign check and the snapshot happen before the
   * first byte, so a bad request still gets a JSON error; rows then stream from a cursor.
   */
  async payouts(tenantId: string, campaignId: string, query: ReportQueryDto): Promise<{ freshness: ReportSnapshot['freshness']; lines: AsyncGenerator<string> }> {
    const campaign = await this.campaigns.get(tenantId, campaignId);
    const filter = new ReportFilter(tenantId, campaignId, query);
    const snapshot = await ReportSnapshot.open(this.dataSource, tenantId, this.clock.now());
    try {
      const payableKind = campaign.payout_event === 'any_completed' ? null : campaign.payout_event.replace('_completed', '');
      const credited = filter.on('c');
      const n = filter.params.length;
      // Per link first (index-only on the model's covering index), then per creator through the links.
      await snapshot.query(
        `DECLARE payouts NO SCROLL CURSOR FOR
         WITH per_link AS (
           SELECT c.${filter.credit}_link_id AS link_id, count(*) AS conversions, coalesce(sum(c.value_usdc), 0) AS revenue,
                  count(*) FILTER (WHERE $${n + 1}::text IS NULL OR c.kind = $${n + 1}) AS payable
           FROM conversions c
           WHERE c.tenant_id = $1 AND c.${filter.credit}_campaign_id = $2${credited}
           GROUP BY 1
         )
         SELECT l.creator_fid::text AS creator_fid, l.creator_handle, sum(p.conversions)::int AS conversions,
                sum(p.revenue)::text AS revenue, sum(p.payable)::int AS payable
         FROM per_link p JOIN referral_links l ON l.id = p.link_id AND l.tenant_id = $1
         GROUP BY l.creator_fid, l.creator_handle
         ORDER BY payable DESC, conversions DESC, l.creator_fid::text COLLATE "C" NULLS LAST, l.creator_handle COLLATE "C" NULLS LAST`,
        [...filter.params, payableKind],
      );
    } catch (error) {
      await snapshot.close();
      throw error;
    }
    return { freshness: snapshot.freshness, lines: payoutLines(snapshot, campaign) };
  }

  /** Clicks, the funnel's sessions and the credited conversions, in one round trip. */
  private async headline(snapshot: ReportSnapshot, filter: ReportFilter) {
    const [row] = await snapshot.query<{
      clicks: number;
      opens: number;
      sign_ins: number;
      started: number;
      conversions: number;
      converted_sessions: number;
      revenue: string;
    }>(
      `SELECT (SELECT coalesce(sum(k.clicks), 0)::int FROM (${filter.clicksByLink()}) k) AS clicks,
              ${sessionsReaching('miniapp_opened', filter)} AS opens,
              ${sessionsReaching('sign_in_completed', filter)} AS sign_ins,
              ${sessionsReaching('conversion_started', filter)} AS started,
              c.conversions, c.converted_sessions, c.revenue
       FROM (SELECT count(*)::int AS conversions, count(DISTINCT c.session_id)::int AS converted_sessions,
                    coalesce(sum(c.value_usdc), 0)::text AS revenue
             FROM conversions c
             WHERE c.tenant_id = $1 AND c.${filter.credit}_campaign_id = $2${filter.on('c')}) c`,
      filter.params,
    );
    return row;
  }

  /**
   * One page of a ranked report: clicks per link folded into the dimension through the links, unioned
   * with the credited conversions grouped by the same dimension, ranked by conversions, revenue, clicks.
   */
  private async ranked<T>(
    tenantId: string,
    campaignId: string,
    query: RankedReportQueryDto,
    dimension: ReportDimension,
    toRow: (row: RankedRow & { revenue_usdc: string }) => T,
  ): Promise<RankedReport<T>> {
    const { filter, figures, freshness } = await this.read(tenantId, campaignId, query, (snapshot, f) => {
      const { columns, where } = DIMENSIONS[dimension];
      const keys = columns.map((_, i) => `k${i}`);
      const clicks = f.clicksByLink();
      const credited = f.on('c');
      const n = f.params.length;
      return snapshot.query<{ total: number; page: RankedRow[] }>(
        `WITH per_link AS (
           SELECT k.link_id, sum(k.clicks) AS clicks, 0 AS conversions, 0::numeric AS revenue FROM (${clicks}) k GROUP BY k.link_id
           UNION ALL
           SELECT c.${f.credit}_link_id, 0, count(*), coalesce(sum(c.value_usdc), 0)
           FROM conversions c
           WHERE c.tenant_id = $1 AND c.${f.credit}_campaign_id = $2${credited}
           GROUP BY 1
         ), ranked AS (
           SELECT ${columns.map((column, i) => `l.${column}::text AS k${i}`).join(', ')},
                  sum(p.clicks)::int AS clicks, sum(p.conversions)::int AS conversions, sum(p.revenue) AS revenue
           FROM per_link p JOIN referral_links l ON l.id = p.link_id AND l.tenant_id = $1${where}
           GROUP BY ${keys.join(', ')}
         )
         SELECT (SELECT count(*)::int FROM ranked) AS total,
                (SELECT coalesce(json_agg(json_build_object('key', json_build_array(${keys.join(', ')}), 'clicks', clicks,
                          'conversions', conversions, 'revenue', revenue::text)), '[]')
                 FROM (SELECT * FROM ranked
                       ORDER BY conversions DESC, revenue DESC, clicks DESC, ${keys.map((k) => `${k} COLLATE "C" NULLS LAST`).join(', ')}
                       LIMIT $${n + 1} OFFSET $${n + 2}) p) AS page`,
        [...f.params, query.limit, query.offset],
      );
    });
    const [{ total, page }] = figures;
    return {
      ...freshness,
      filters: filter.describe(),
      data: page.map((row) => toRow({ ...row, revenue_usdc: formatAmount(row.revenue) })),
      total,
      limit: query.limit,
      offset: query.offset,
    };
  }

  /** Checks the campaign is the tenant's (404 otherwise), then runs `work` in one snapshot. */
  private async read<T>(
    tenantId: string,
    campaignId: string,
    query: ReportQueryDto,
    work: (snapshot: ReportSnapshot, filter: ReportFilter) => Promise<T>,
  ): Promise<{ filter: ReportFilter; figures: T; freshness: ReportSnapshot['freshness'] }> {
    await this.campaigns.getCampaignRef(tenantId, campaignId);
    const filter = new ReportFilter(tenantId, campaignId, query);
    const snapshot = await ReportSnapshot.open(this.dataSource, tenantId, this.clock.now());
    try {
      return { filter, figures: await work(snapshot, filter), freshness: snapshot.freshness };
    } finally {
      await snapshot.close();
    }
  }
}

/** Sessions of the campaign that first reached `step` in the period: a count over one index range, no de-duplication. */
function sessionsReaching(step: FunnelStep, filter: ReportFilter): string {
  return `(SELECT count(*)::int FROM campaign_session_steps s
           WHERE s.tenant_id = $1 AND s.campaign_id = $2 AND s.step = '${step}'${filter.on('s', 'first_at')})`;
}

function figuresOf(row: RankedRow & { revenue_usdc: string }) {
  return { clicks: row.clicks, conversions: row.conversions, revenue_usdc: row.revenue_usdc };
}

async function* payoutLines(snapshot: ReportSnapshot, campaign: CampaignDto): AsyncGenerator<string> {
  try {
    const amount = campaign.payout_amount;
    yield csvRow(PAYOUT_CSV_HEADER);
    for (;;) {
      const rows = await snapshot.query<{ creator_fid: string | null; creator_handle: string | null; conversions: number; revenue: string; payable: number }>(
        `FETCH ${PAYOUT_FETCH_SIZE} FROM payouts`,
        [],
      );
      if (rows.length === 0) break;
      yield rows
        .map((row) =>
          csvRow([
            row.creator_fid ?? '',
            row.creator_handle ?? '',
            String(row.conversions),
            formatAmount(row.revenue),
            String(row.payable),
            amount ?? '',
            amount === null ? '' : multiplyAmount(amount, row.payable),
            campaign.payout_currency,
          ]),
        )
        .join('');
    }
  } finally {
    await snapshot.close();
  }
}
