import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Clock, DomainError, formatAmount } from '@refos/platform';
import { DataSource } from 'typeorm';
import { CANDIDATE_TOUCHES } from '../candidate-touches';
import { ReportSnapshot } from '../reports/report-snapshot';
import { ModelDecisionDto, TimelineItemDto, TraceConversionDto, TraceDto, TraceQueryDto, TraceTouchDto } from './trace.dto';

/** Beyond these a trace is a data export, not a debugging view: the oldest are kept and `truncated` says so. */
const MAX_SESSIONS = 50;
const MAX_EVENTS = 1_000;

interface SessionRef {
  app_id: string;
  session_id: string;
}

interface ConversionRow {
  id: string;
  event_id: string;
  kind: string;
  session_id: string;
  fid: string | null;
  value_usdc: string | null;
  occurred_at: Date;
  derived_at: Date;
  lookback_days: number;
  candidates: number;
  [column: string]: unknown;
}

type CandidateRow = { conversion_event_id: string; touched_at: Date } & Omit<TraceTouchDto, 'at'>;

// The sessions of the traced subject, oldest activity first.
const SESSIONS_OF = {
  session_id: `SELECT app_id, session_id FROM events WHERE tenant_id = $1 AND session_id = $2 AND ($3::uuid IS NULL OR app_id = $3)
               GROUP BY 1, 2 ORDER BY min(occurred_at) LIMIT ${MAX_SESSIONS + 1}`,
  fid: `SELECT app_id, session_id FROM events WHERE tenant_id = $1 AND fid = $2 AND ($3::uuid IS NULL OR app_id = $3)
        GROUP BY 1, 2 ORDER BY min(occurred_at) LIMIT ${MAX_SESSIONS + 1}`,
  event_id: `SELECT app_id, session_id FROM events WHERE tenant_id = $1 AND id = $2 AND ($3::uuid IS NULL OR app_id = $3)`,
  conversion_id: `SELECT app_id, session_id FROM conversions WHERE tenant_id = $1 AND id = $2 AND ($3::uuid IS NULL OR app_id = $3)`,
} as const;

/**
 * What happened to a session, a person (fid), an event or a conversion: every touch and event in
 * order, and for each conversion the decision of both models with the candidates the deriver's own
 * rule finds, so "why did alice get this one?" has an answer a tenant can check.
 */
@Injectable()
export class TraceService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly clock: Clock,
  ) {}

  async trace(tenantId: string, query: TraceQueryDto): Promise<TraceDto> {
    const subjects = (['session_id', 'fid', 'event_id', 'conversion_id'] as const).filter((key) => query[key] !== undefined);
    if (subjects.length !== 1) {
      throw new DomainError('invalid_trace_subject', 400, 'Give exactly one of session_id, fid, event_id or conversion_id');
    }
    const subject = subjects[0];
    const snapshot = await ReportSnapshot.open(this.dataSource, tenantId, this.clock.now());
    try {
      const found = await snapshot.query<SessionRef>(SESSIONS_OF[subject], [tenantId, String(query[subject]), query.app_id ?? null]);
      if (found.length === 0) throw new DomainError('not_found', 404, `Nothing recorded for this ${subject} in this tenant`);
      const sessions = found.slice(0, MAX_SESSIONS);
      const apps = sessions.map((s) => s.app_id);
      const ids = sessions.map((s) => s.session_id);

      const events = await snapshot.query<Record<string, unknown> & { id: string; occurred_at: Date; click_id: string | null }>(
        `SELECT e.id, e.app_id, e.event_name, e.session_id, e.occurred_at, e.click_id, e.referral_link_id, e.campaign_id,
                e.fid::text AS fid, e.value_usdc::text AS value_usdc
         FROM events e JOIN unnest($2::uuid[], $3::text[]) AS s(app_id, session_id) ON e.app_id = s.app_id AND e.session_id = s.session_id
         WHERE e.tenant_id = $1
         ORDER BY e.occurred_at, e.id LIMIT ${MAX_EVENTS + 1}`,
        [tenantId, apps, ids],
      );
      const clickIds = [...new Set(events.flatMap((e) => (e.click_id ? [e.click_id] : [])))];
      const touches = await snapshot.query<Record<string, unknown> & { occurred_at: Date }>(
        `SELECT click_id, link_id, campaign_id, creator_fid::text AS creator_fid, creator_handle, channel, cast_hash, is_bot, occurred_at
         FROM touches WHERE tenant_id = $1 AND click_id = ANY($2::text[])`,
        [tenantId, clickIds],
      );
      const conversions = await snapshot.query<ConversionRow>(
        `SELECT c.*, c.fid::text AS fid, c.value_usdc::text AS value_usdc, c.first_touch_creator_fid::text AS first_touch_creator_fid,
                c.last_click_creator_fid::text AS last_click_creator_fid
         FROM conversions c JOIN unnest($2::uuid[], $3::text[]) AS s(app_id, session_id) ON c.app_id = s.app_id AND c.session_id = s.session_id
         WHERE c.tenant_id = $1 ORDER BY c.occurred_at, c.id`,
        [tenantId, apps, ids],
      );
      const candidates = await this.candidatesOf(snapshot, tenantId, conversions.map((c) => c.id));

      const timeline: TimelineItemDto[] = [
        ...touches.map((t) => ({ type: 'touch' as const, at: t.occurred_at.toISOString(), ...without(t, 'occurred_at') })),
        ...events.slice(0, MAX_EVENTS).map((e) => ({
          type: 'event' as const,
          at: e.occurred_at.toISOString(),
          event_id: e.id,
          ...without(e, 'occurred_at', 'id'),
          value_usdc: e.value_usdc === null ? null : formatAmount(e.value_usdc as string),
        })),
      ].sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : a.type === b.type ? 0 : a.type === 'touch' ? -1 : 1));

      return {
        ...snapshot.freshness,
        sessions: ids,
        truncated: found.length > MAX_SESSIONS || events.length > MAX_EVENTS,
        timeline,
        conversions: conversions.map((c) => decisionOf(c, candidates.get(c.event_id) ?? [])),
      };
    } finally {
      await snapshot.close();
    }
  }

  /** The candidates each conversion has under the deriver's rule, with the window it was derived with. */
  private async candidatesOf(snapshot: ReportSnapshot, tenantId: string, conversionIds: string[]): Promise<Map<string, CandidateRow[]>> {
    if (conversionIds.length === 0) return new Map();
    const rows = await snapshot.query<CandidateRow>(
      `WITH conv AS (
         SELECT event_id, tenant_id, app_id, session_id, fid, occurred_at, occurred_at - make_interval(days => lookback_days) AS window_start
         FROM conversions WHERE tenant_id = $1 AND id = ANY($2::uuid[])
       ), ${CANDIDATE_TOUCHES}
       SELECT conversion_event_id, source, click_id, link_id, campaign_id, creator_fid::text AS creator_fid, creator_handle, channel,
              cast_hash, touched_at
       FROM candidates ORDER BY touched_at, click_id NULLS LAST, link_id`,
      [tenantId, conversionIds],
    );
    const byConversion = new Map<string, CandidateRow[]>();
    for (const row of rows) {
      const list = byConversion.get(row.conversion_event_id) ?? [];
      list.push(row);
      byConversion.set(row.conversion_event_id, list);
    }
    return byConversion;
  }
}

function decisionOf(conversion: ConversionRow, candidates: CandidateRow[]): TraceConversionDto {
  const to = conversion.occurred_at;
  const from = new Date(to.getTime() - conversion.lookback_days * 86_400_000);
  const window = `between ${from.toISOString()} and ${to.toISOString()}`;
  const decide = (model: 'first_touch' | 'last_click', pick: string): ModelDecisionDto => {
    const touch = storedTouch(conversion, model);
    if (!touch) {
      return {
        touch: null,
        reason: `unattributed: no human click and no referral-link event in the sessions of this person ${window} (bot clicks never count)`,
      };
    }
    return { touch, reason: `${pick} of ${conversion.candidates} qualifying touch${conversion.candidates === 1 ? '' : 'es'} ${window}` };
  };
  return {
    id: conversion.id,
    event_id: conversion.event_id,
    kind: conversion.kind,
    session_id: conversion.session_id,
    fid: conversion.fid,
    value_usdc: conversion.value_usdc === null ? null : formatAmount(conversion.value_usdc),
    occurred_at: conversion.occurred_at.toISOString(),
    derived_at: conversion.derived_at.toISOString(),
    attribution: {
      window: { from: from.toISOString(), to: to.toISOString(), lookback_days: conversion.lookback_days },
      candidates_at_derivation: conversion.candidates,
      candidates: candidates.map(({ conversion_event_id: _, touched_at, ...touch }) => ({ ...touch, at: touched_at.toISOString() })),
      first_touch: decide('first_touch', 'earliest'),
      last_click: decide('last_click', 'latest'),
    },
  };
}

/** The touch a model credited, as stored on the conversion when it was derived. */
function storedTouch(conversion: ConversionRow, model: 'first_touch' | 'last_click'): TraceTouchDto | null {
  const column = (name: string) => conversion[`${model}_${name}`] as string | null;
  if (column('link_id') === null) return null;
  return {
    source: column('source') as 'click' | 'event',
    at: (conversion[`${model}_at`] as Date).toISOString(),
    click_id: column('click_id'),
    link_id: column('link_id')!,
    campaign_id: column('campaign_id'),
    creator_fid: column('creator_fid'),
    creator_handle: column('creator_handle'),
    channel: column('channel'),
    cast_hash: column('cast_hash'),
  };
}

function without<T extends Record<string, unknown>>(row: T, ...keys: string[]): Record<string, unknown> {
  return Object.fromEntries(Object.entries(row).filter(([key]) => !keys.includes(key)));
}
