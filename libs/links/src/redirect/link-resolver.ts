import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { TenantsService } from '@refos/identity';
import { DataSource } from 'typeorm';
import { LinkContext, RedirectTarget, redirectTarget } from './redirect-target';

export type ResolvedLink =
  | {
      kind: 'active';
      linkId: string;
      tenantId: string;
      appId: string;
      campaignId: string | null;
      creatorFid: string | null;
      creatorHandle: string | null;
      channel: string | null;
      castHash: string | null;
      target: RedirectTarget;
    }
  | { kind: 'inactive'; fallbackUrl: string | null }
  | { kind: 'unknown' }
  | { kind: 'busy' };

/** How long a resolution is trusted; a link disabled on another instance stops redirecting within this. */
export const LINK_CACHE_TTL_MS = 5_000;
const MAX_CACHED_CODES = 50_000;
/** Unknown codes get their own, smaller cache so a flood of made-up codes cannot evict real links. */
const MAX_CACHED_UNKNOWN = 10_000;
/** Beyond this many concurrent cache misses, more are refused (503) rather than queued on the pool. */
export const MAX_CONCURRENT_LOOKUPS = 64;
const CODE_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;
const UNKNOWN: ResolvedLink = { kind: 'unknown' };
const BUSY: ResolvedLink = { kind: 'busy' };

interface LinkRow extends LinkContext {
  id: string;
  tenant_id: string;
  app_id: string;
  campaign_id: string | null;
  creator_fid: string | null;
  creator_handle: string | null;
  channel: string | null;
  cast_hash: string | null;
  destination_url: string;
  status: string;
}

/**
 * Code → what the redirect needs, cached in memory so a redirect costs no query. Unknown codes are
 * cached too (floods of random codes never reach the database), concurrent misses share one query,
 * and the cache is bounded.
 */
@Injectable()
export class LinkResolver {
  private readonly cache = new Map<string, { link: ResolvedLink; expiresAt: number }>();
  private readonly unknownCache = new Map<string, number>();
  private readonly inFlight = new Map<string, Promise<ResolvedLink>>();
  /** Bumped by invalidate(): a lookup that started before it must not cache what it read. */
  private readonly generations = new Map<string, number>();

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly tenants: TenantsService,
  ) {}

  /** The cached answer, or undefined when the caller must wait for `load`. */
  cached(code: string): ResolvedLink | undefined {
    const now = Date.now();
    const entry = this.cache.get(code);
    if (entry && entry.expiresAt > now) return entry.link;
    const unknownUntil = this.unknownCache.get(code);
    if (unknownUntil !== undefined && unknownUntil > now) return UNKNOWN;
    return undefined;
  }

  resolve(code: string): Promise<ResolvedLink> {
    if (!CODE_PATTERN.test(code)) return Promise.resolve(UNKNOWN);
    const hit = this.cached(code);
    if (hit) return Promise.resolve(hit);
    let loading = this.inFlight.get(code);
    if (!loading) {
      if (this.inFlight.size >= MAX_CONCURRENT_LOOKUPS) return Promise.resolve(BUSY);
      loading = this.load(code).finally(() => this.inFlight.delete(code));
      this.inFlight.set(code, loading);
    }
    return loading;
  }

  /** Forget a code at once on this instance (after its link was disabled, enabled or changed). */
  invalidate(code: string): void {
    this.cache.delete(code);
    this.unknownCache.delete(code);
    this.inFlight.delete(code);
    this.generations.set(code, (this.generations.get(code) ?? 0) + 1);
  }

  private async load(code: string): Promise<ResolvedLink> {
    const generation = this.generations.get(code);
    const [row]: LinkRow[] = await this.dataSource.query(
      `SELECT id, tenant_id, app_id, campaign_id, creator_fid, creator_handle, channel, cast_hash, destination_url, status
       FROM referral_links WHERE code = $1`,
      [code],
    );
    const link = row ? await this.toResolved(code, row) : UNKNOWN;
    if (this.generations.get(code) !== generation) return link;
    const expiresAt = Date.now() + LINK_CACHE_TTL_MS;
    if (link === UNKNOWN) {
      if (this.unknownCache.size >= MAX_CACHED_UNKNOWN) this.unknownCache.delete(this.unknownCache.keys().next().value!);
      this.unknownCache.set(code, expiresAt);
    } else {
      if (this.cache.size >= MAX_CACHED_CODES) this.cache.delete(this.cache.keys().next().value!);
      this.cache.set(code, { link, expiresAt });
    }
    return link;
  }

  private async toResolved(code: string, row: LinkRow): Promise<ResolvedLink> {
    if (row.status !== 'active') {
      const tenant = await this.tenants.get(row.tenant_id);
      // Percent-encoded by URL: a raw non-ASCII URL in a Location header would make Node throw.
      const fallback = tenant.settings.fallback_url;
      return { kind: 'inactive', fallbackUrl: fallback ? new URL(fallback).href : null };
    }
    const context = {
      code,
      campaignId: row.campaign_id,
      creatorFid: row.creator_fid,
      creatorHandle: row.creator_handle,
      channel: row.channel,
    };
    return {
      kind: 'active',
      linkId: row.id,
      tenantId: row.tenant_id,
      appId: row.app_id,
      campaignId: row.campaign_id,
      creatorFid: row.creator_fid,
      creatorHandle: row.creator_handle,
      channel: row.channel,
      castHash: row.cast_hash,
      target: redirectTarget(row.destination_url, context),
    };
  }
}
