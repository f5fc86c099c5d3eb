import { Injectable } from '@nestjs/common';
import { CampaignsService } from '@refos/apps';
import { ReferralLinksService } from '@refos/links';

const MAX_CACHED = 50_000;

interface LinkRef {
  appId: string;
  campaignId: string | null;
}

/**
 * Which app owns a campaign or a referral link, for ingestion's "must belong to the app" rule. A
 * campaign's or link's app never changes, so known answers are kept (bounded) and a request's unknown
 * ids cost one query per kind, whatever the number of events. Unknown ids are not cached: a campaign
 * created a moment ago must be usable at once.
 */
@Injectable()
export class EventReferences {
  private readonly campaignApps = new Map<string, string>();
  private readonly links = new Map<string, LinkRef>();

  constructor(
    private readonly campaigns: CampaignsService,
    private readonly referralLinks: ReferralLinksService,
  ) {}

  async campaignAppIds(tenantId: string, ids: Iterable<string>): Promise<Map<string, string>> {
    return this.resolve(this.campaignApps, ids, (missing) => this.campaigns.appIdsOf(tenantId, missing), tenantId);
  }

  async linkRefs(tenantId: string, ids: Iterable<string>): Promise<Map<string, LinkRef>> {
    return this.resolve(this.links, ids, (missing) => this.referralLinks.refsOf(tenantId, missing), tenantId);
  }

  // Cache keys carry the tenant: an id of another tenant is unknown here, never "another app's".
  private async resolve<T>(cache: Map<string, T>, ids: Iterable<string>, load: (missing: string[]) => Promise<Map<string, T>>, tenantId: string) {
    const answer = new Map<string, T>();
    const missing: string[] = [];
    for (const id of new Set(ids)) {
      const hit = cache.get(`${tenantId}:${id}`);
      if (hit === undefined) missing.push(id);
      else answer.set(id, hit);
    }
    if (missing.length === 0) return answer;
    for (const [id, value] of await load(missing)) {
      answer.set(id, value);
      if (cache.size >= MAX_CACHED) cache.delete(cache.keys().next().value!);
      cache.set(`${tenantId}:${id}`, value);
    }
    return answer;
  }
}
