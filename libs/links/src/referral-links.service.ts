import { Inject, Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { AppsService, CampaignsService } from '@refos/apps';
import { APP_CONFIG, AppConfig, Clock, DomainError, Page, randomBase62 } from '@refos/platform';
import { In, Repository } from 'typeorm';
import { CreateReferralLinkDto, ListReferralLinksQueryDto, ReferralLinkDto } from './dto/referral-link.dto';
import { LinkResolver } from './redirect/link-resolver';
import { ReferralLink } from './referral-link.entity';

const GENERATED_CODE_LENGTH = 10;
/** 62^10 ≈ 8·10^17 codes: a collision is already unlikely, three in a row is not going to happen. */
const GENERATED_CODE_ATTEMPTS = 3;

/** A reference in the body that does not resolve in the caller's tenant: 422, never a hint that it exists elsewhere. */
async function resolveReference<T>(lookup: () => Promise<T>, code: string, field: string, message: string): Promise<T> {
  try {
    return await lookup();
  } catch (error) {
    if (error instanceof DomainError && error.code === 'not_found') {
      throw new DomainError(code, 422, message, [{ field, messages: [message] }]);
    }
    throw error;
  }
}

@Injectable()
export class ReferralLinksService {
  constructor(
    @InjectRepository(ReferralLink) private readonly links: Repository<ReferralLink>,
    private readonly apps: AppsService,
    private readonly campaigns: CampaignsService,
    private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly resolver: LinkResolver,
  ) {}

  /**
   * Creates a link of an active app (and optionally one of its campaigns). Code uniqueness is left to
   * the UNIQUE index (INSERT … ON CONFLICT DO NOTHING), so two concurrent requests for one code cannot both win.
   */
  async create(tenantId: string, dto: CreateReferralLinkDto): Promise<ReferralLinkDto> {
    if (dto.creator_fid == null && dto.creator_handle == null && dto.channel == null) {
      const message = 'Say who or where the link is shared: at least one of creator_fid, creator_handle or channel';
      throw new DomainError('validation_failed', 400, `Validation failed: ${message}`, [
        { field: 'creator_fid', messages: [message] },
      ]);
    }
    const app = await resolveReference(() => this.apps.getAppRef(tenantId, dto.app_id), 'invalid_app', 'app_id', 'app_id is not an app of this tenant');
    if (app.status !== 'active') throw new DomainError('app_archived', 409, 'The app is archived: it cannot get new referral links');
    if (dto.campaign_id) {
      const campaignId = dto.campaign_id;
      const campaign = await resolveReference(
        () => this.campaigns.getCampaignRef(tenantId, campaignId),
        'invalid_campaign',
        'campaign_id',
        'campaign_id is not a campaign of this tenant',
      );
      if (campaign.appId !== app.id) {
        throw new DomainError('campaign_app_mismatch', 422, 'The campaign belongs to another app than app_id', [
          { field: 'campaign_id', messages: ['must be a campaign of app_id'] },
        ]);
      }
      if (campaign.status === 'archived') throw new DomainError('campaign_archived', 409, 'The campaign is archived: it cannot get new referral links');
    }

    const row = {
      tenantId,
      appId: app.id,
      campaignId: dto.campaign_id ?? null,
      creatorFid: dto.creator_fid == null ? null : String(dto.creator_fid),
      creatorHandle: dto.creator_handle ?? null,
      channel: dto.channel ?? null,
      castHash: dto.cast_hash?.toLowerCase() ?? null,
      destinationUrl: dto.destination_url,
      status: 'active' as const,
    };
    for (let attempt = 1; ; attempt++) {
      const code = dto.code ?? randomBase62(GENERATED_CODE_LENGTH);
      // ON CONFLICT DO NOTHING on the UNIQUE code: a lost race is an empty answer, not a logged SQL error.
      const inserted = await this.links.createQueryBuilder().insert().into(ReferralLink).values({ ...row, code }).orIgnore().execute();
      const id = inserted.identifiers[0]?.id as string | undefined;
      if (id) return this.map(await this.links.findOneByOrFail({ id }));
      if (dto.code) throw new DomainError('code_taken', 409, `The code "${dto.code}" is already taken`);
      if (attempt >= GENERATED_CODE_ATTEMPTS) throw new DomainError('code_generation_failed', 503, 'Could not generate a free code: retry');
    }
  }

  async list(tenantId: string, query: ListReferralLinksQueryDto): Promise<Page<ReferralLinkDto>> {
    const [rows, total] = await this.links.findAndCount({
      where: {
        tenantId,
        ...(query.app_id ? { appId: query.app_id } : {}),
        ...(query.campaign_id ? { campaignId: query.campaign_id } : {}),
        ...(query.status ? { status: query.status } : {}),
        ...(query.creator_fid ? { creatorFid: String(query.creator_fid) } : {}),
        ...(query.channel ? { channel: query.channel } : {}),
      },
      order: { createdAt: 'DESC', id: 'DESC' },
      take: query.limit,
      skip: query.offset,
    });
    return { data: rows.map((row) => this.map(row)), total, limit: query.limit, offset: query.offset };
  }

  async get(tenantId: string, id: string): Promise<ReferralLinkDto> {
    const link = await this.links.findOneBy({ id, tenantId });
    if (!link) throw DomainError.notFound('Referral link');
    return this.map(link);
  }

  /** Idempotent: /r/:code stops redirecting (at once here, within the cache TTL elsewhere); the link's history stays. */
  async disable(tenantId: string, id: string): Promise<ReferralLinkDto> {
    await this.links.update({ id, tenantId, status: 'active' }, { status: 'disabled', disabledAt: this.clock.now() });
    return this.refreshed(tenantId, id);
  }

  /** Idempotent: /r/:code redirects again. */
  async enable(tenantId: string, id: string): Promise<ReferralLinkDto> {
    await this.links.update({ id, tenantId, status: 'disabled' }, { status: 'active', disabledAt: null });
    return this.refreshed(tenantId, id);
  }

  /** For other modules: the app and campaign of each of these links that belongs to the tenant (unknown ids are absent). */
  async refsOf(tenantId: string, linkIds: string[]): Promise<Map<string, { appId: string; campaignId: string | null }>> {
    if (linkIds.length === 0) return new Map();
    const rows = await this.links.find({ where: { tenantId, id: In(linkIds) }, select: { id: true, appId: true, campaignId: true } });
    return new Map(rows.map((row) => [row.id, { appId: row.appId, campaignId: row.campaignId }]));
  }

  private async refreshed(tenantId: string, id: string): Promise<ReferralLinkDto> {
    const link = await this.get(tenantId, id);
    this.resolver.invalidate(link.code);
    return link;
  }

  private map(link: ReferralLink): ReferralLinkDto {
    return {
      id: link.id,
      code: link.code,
      short_url: `${this.config.publicBaseUrl}/r/${link.code}`,
      app_id: link.appId,
      campaign_id: link.campaignId,
      creator_fid: link.creatorFid === null ? null : Number(link.creatorFid),
      creator_handle: link.creatorHandle,
      channel: link.channel,
      cast_hash: link.castHash,
      destination_url: link.destinationUrl,
      status: link.status,
      created_at: link.createdAt.toISOString(),
      updated_at: link.updatedAt.toISOString(),
      disabled_at: link.disabledAt?.toISOString() ?? null,
    };
  }
}
