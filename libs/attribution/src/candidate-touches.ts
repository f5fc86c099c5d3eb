/**
 * The touches that compete for a conversion's credit, as SQL common table expressions. They read a
 * `conv` CTE (event_id, tenant_id, app_id, session_id, fid, occurred_at, window_start) and define
 * `candidates` (conversion_event_id, source, click_id, link_id, campaign_id, creator_fid,
 * creator_handle, channel, cast_hash, touched_at). The deriver credits from them and the trace shows
 * them, so what a tenant reads as "considered" is the very rule that decided.
 *
 * - sessions: the conversion's own, plus the fid's other sessions within the window;
 * - binding events: those sessions' events up to the conversion that carry a click_id or a referral_link_id;
 * - candidates: the non-bot clicks those click_ids name, in the window, and the link-carrying events
 *   without a click (an invite accepted in the app, say).
 */
export const CANDIDATE_TOUCHES = `
sessions AS (
  SELECT c.event_id, c.tenant_id, c.app_id, c.session_id, c.window_start, c.occurred_at FROM conv c
  UNION
  SELECT c.event_id, c.tenant_id, c.app_id, s.session_id, c.window_start, c.occurred_at FROM conv c
  JOIN events s ON s.tenant_id = c.tenant_id AND s.app_id = c.app_id AND s.fid = c.fid
  WHERE c.fid IS NOT NULL AND s.occurred_at BETWEEN c.window_start AND c.occurred_at
), binding_events AS (
  -- Tenant and session travel with each row, so each session's events are an index lookup
  -- (ix_events_tenant_session_time), not a join against every event.
  SELECT x.event_id AS conversion_event_id, x.window_start, x.occurred_at AS conversion_at,
         e.tenant_id, e.click_id, e.referral_link_id, e.campaign_id, e.occurred_at
  FROM sessions x
  JOIN events e ON e.tenant_id = x.tenant_id AND e.session_id = x.session_id AND e.app_id = x.app_id
  WHERE e.occurred_at <= x.occurred_at AND (e.click_id IS NOT NULL OR e.referral_link_id IS NOT NULL)
), candidates AS (
  SELECT DISTINCT ON (b.conversion_event_id, t.click_id)
         b.conversion_event_id, 'click' AS source, t.click_id, t.link_id, t.campaign_id, t.creator_fid, t.creator_handle,
         t.channel, t.cast_hash, t.occurred_at AS touched_at
  FROM binding_events b
  JOIN touches t ON t.click_id = b.click_id AND t.tenant_id = b.tenant_id
  WHERE NOT t.is_bot AND t.occurred_at BETWEEN b.window_start AND b.conversion_at
  UNION ALL
  SELECT b.conversion_event_id, 'event', NULL, l.id, coalesce(b.campaign_id, l.campaign_id), l.creator_fid, l.creator_handle,
         l.channel, l.cast_hash, b.occurred_at
  FROM binding_events b
  JOIN referral_links l ON l.id = b.referral_link_id AND l.tenant_id = b.tenant_id
  WHERE b.click_id IS NULL AND b.occurred_at >= b.window_start
)`;
