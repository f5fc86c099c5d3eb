import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { CANDIDATE_TOUCHES } from './candidate-touches';

export const DEFAULT_LOOKBACK_DAYS = 30;

/**
 * Derives the conversions of a batch of jobs in one statement, whatever the batch size:
 *
 * 1. each job's `*_completed` event, the tenant's lookback window, and the fid of the person: the
 *    event's own, else the one its session signed in with;
 * 2. the sessions that count: the event's, plus that fid's other sessions within the window;
 * 3. the candidate touches of those sessions up to the conversion: link clicks bound by a `click_id`
 *    (never bot clicks) and events that carry a `referral_link_id` without a click, in the window;
 * 4. first touch = the earliest candidate, last click = the latest (ties broken by click, then link);
 * 5. the matching `*_started` event of the session, if any.
 *
 * The conversions are inserted (unique per event, so a job processed twice changes nothing) and the
 * jobs deleted in the same statement, so a crash between the two cannot happen. Jobs whose event
 * no longer exists are left to the caller to fail. `claimedNow`: the statement takes the jobs itself
 * and counts the attempt, rather than working jobs claimed earlier.
 */
const deriveConversions = (jobs: string, claimedNow: boolean) => `
WITH jobs AS (${jobs}), conv AS (
  SELECT j.id AS job_id, e.id AS event_id, e.tenant_id, e.app_id, e.event_name, e.session_id, e.tx_hash, e.value_usdc,
         e.revenue, e.currency, e.campaign_id, e.occurred_at, lb.days AS lookback_days,
         e.occurred_at - make_interval(days => lb.days) AS window_start,
         coalesce(e.fid, signed.fid) AS fid
  FROM jobs j
  JOIN events e ON e.id = j.event_id AND e.tenant_id = j.tenant_id
  JOIN tenants t ON t.id = j.tenant_id
  CROSS JOIN LATERAL (SELECT coalesce((t.settings->>'attribution_lookback_days')::int, ${DEFAULT_LOOKBACK_DAYS}) AS days) lb
  LEFT JOIN LATERAL (
    SELECT s.fid FROM events s
    WHERE s.tenant_id = e.tenant_id AND s.session_id = e.session_id AND s.app_id = e.app_id AND s.fid IS NOT NULL AND s.occurred_at <= e.occurred_at
    ORDER BY s.occurred_at DESC LIMIT 1
  ) signed ON true
), ${CANDIDATE_TOUCHES}, ranked AS (
  SELECT cd.*,
         row_number() OVER (PARTITION BY conversion_event_id ORDER BY touched_at, click_id NULLS LAST, link_id) AS first_rank,
         row_number() OVER (PARTITION BY conversion_event_id ORDER BY touched_at DESC, click_id DESC NULLS LAST, link_id DESC) AS last_rank,
         count(*) OVER (PARTITION BY conversion_event_id) AS candidates
  FROM candidates cd
), inserted AS (
  INSERT INTO conversions (tenant_id, app_id, event_id, started_event_id, kind, session_id, fid, tx_hash, value_usdc, revenue,
    currency, campaign_id, occurred_at, derived_at, lookback_days, candidates,
    first_touch_source, first_touch_click_id, first_touch_link_id, first_touch_campaign_id, first_touch_creator_fid,
    first_touch_creator_handle, first_touch_channel, first_touch_cast_hash, first_touch_at,
    last_click_source, last_click_click_id, last_click_link_id, last_click_campaign_id, last_click_creator_fid,
    last_click_creator_handle, last_click_channel, last_click_cast_hash, last_click_at)
  SELECT c.tenant_id, c.app_id, c.event_id, started.id, split_part(c.event_name, '_', 1), c.session_id, c.fid, c.tx_hash,
         c.value_usdc, c.revenue, c.currency, c.campaign_id, c.occurred_at, $2, c.lookback_days, coalesce(f.candidates, 0),
         f.source, f.click_id, f.link_id, f.campaign_id, f.creator_fid, f.creator_handle, f.channel, f.cast_hash, f.touched_at,
         l.source, l.click_id, l.link_id, l.campaign_id, l.creator_fid, l.creator_handle, l.channel, l.cast_hash, l.touched_at
  FROM conv c
  LEFT JOIN ranked f ON f.conversion_event_id = c.event_id AND f.first_rank = 1
  LEFT JOIN ranked l ON l.conversion_event_id = c.event_id AND l.last_rank = 1
  LEFT JOIN LATERAL (
    SELECT s.id FROM events s
    WHERE s.tenant_id = c.tenant_id AND s.session_id = c.session_id AND s.app_id = c.app_id AND s.occurred_at <= c.occurred_at
      AND s.event_name = CASE c.event_name WHEN 'payment_completed' THEN 'checkout_started' ELSE replace(c.event_name, '_completed', '_started') END
    ORDER BY s.occurred_at DESC LIMIT 1
  ) started ON true
  ON CONFLICT (event_id) DO NOTHING
), done AS (
  DELETE FROM conversion_jobs j
  WHERE j.id = ANY(ARRAY(SELECT job_id FROM conv))
  RETURNING j.id
)${
  claimedNow
    ? `, orphans AS (
  UPDATE conversion_jobs j SET status = 'running', attempts = j.attempts + 1, locked_until = $3, updated_at = $2
  WHERE j.id = ANY(ARRAY(SELECT id FROM jobs EXCEPT SELECT job_id FROM conv))
  RETURNING j.id, j.attempts
)
SELECT id, NULL::int AS attempts FROM done UNION ALL SELECT id, attempts FROM orphans`
    : `
SELECT id, NULL::int AS attempts FROM done`
}`;

/** Takes due jobs itself (SKIP LOCKED: parallel workers never wait on each other): claimed, derived and deleted in one transaction. */
const DERIVE_DUE = deriveConversions(
  `SELECT id, event_id, tenant_id FROM conversion_jobs WHERE status = 'pending' AND run_at <= $2 ORDER BY run_at LIMIT $1 FOR UPDATE SKIP LOCKED`,
  true,
);
/** Derives jobs this worker already claimed (leased) one by one, after a batch failed. */
const DERIVE_CLAIMED = deriveConversions(`SELECT id, event_id, tenant_id FROM conversion_jobs WHERE id = ANY($1::uuid[])`, false);

export interface DueOutcome {
  derived: number;
  /** Jobs whose event does not exist: left claimed (leased) for the caller to fail. */
  orphans: { id: string; attempts: number }[];
}

@Injectable()
export class ConversionDeriver {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /**
   * Claims up to `limit` due jobs and derives them in one statement: each job is written once, and a
   * worker that dies mid-batch leaves nothing claimed (its transaction never commits). Throws, having
   * changed nothing, when any job of the batch fails.
   */
  async deriveDue(limit: number, now: Date, leaseUntil: Date): Promise<DueOutcome> {
    const rows: { id: string; attempts: number | null }[] = await this.dataSource.query(DERIVE_DUE, [limit, now, leaseUntil]);
    const orphans = rows.flatMap((row) => (row.attempts === null ? [] : [{ id: row.id, attempts: row.attempts }]));
    return { derived: rows.length - orphans.length, orphans };
  }

  /** Derives claimed jobs' conversions and deletes the jobs; answers the ids of the jobs it completed. */
  async derive(jobIds: string[], now: Date): Promise<Set<string>> {
    const rows: { id: string }[] = await this.dataSource.query(DERIVE_CLAIMED, [jobIds, now]);
    return new Set(rows.map((row) => row.id));
  }
}
