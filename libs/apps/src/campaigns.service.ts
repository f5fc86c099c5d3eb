import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Clock, DomainError, formatAmount, Page } from '@refos/platform';
import { In, Not, Repository } from 'typeorm';
import { App } from './app.entity';
import { Campaign } from './campaign.entity';
import { CampaignDto, CampaignRef, CreateCampaignDto, ListCampaignsQueryDto, UpdateCampaignDto } from './dto/campaign.dto';

const toDate = (value: string | null | undefined): Date | null => (value ? new Date(value) : null);

@Injectable()
export class CampaignsService {
  constructor(
    @InjectRepository(Campaign) private readonly campaigns: Repository<Campaign>,
    private readonly clock: Clock,
  ) {}

  /**
   * Creates a campaign of one of the tenant's apps. An unknown or foreign app_id is 422 `invalid_app`
   * (a bad reference in the body, not a missing URL); an archived app is 409 `app_archived`.
   */
  async create(tenantId: string, dto: CreateCampaignDto): Promise<CampaignDto> {
    const startsAt = toDate(dto.starts_at);
    const endsAt = toDate(dto.ends_at);
    this.checkSchedule(startsAt, endsAt);
    return this.campaigns.manager.transaction(async (manager) => {
      // FOR SHARE: an archive of the app waits for this insert, so no campaign lands on an archived app.
      const app = await manager.getRepository(App).findOne({
        where: { id: dto.app_id, tenantId },
        select: { id: true, status: true },
        lock: { mode: 'pessimistic_read' },
      });
      if (!app) throw new DomainError('invalid_app', 422, 'app_id is not an app of this tenant', [{ field: 'app_id', messages: ['unknown app'] }]);
      if (app.status !== 'active') throw new DomainError('app_archived', 409, 'The app is archived: it cannot get new campaigns');
      const repository = manager.getRepository(Campaign);
      const saved = await repository.save(
        repository.create({
          tenantId,
          appId: app.id,
          name: dto.name,
          status: dto.status ?? 'active',
          startsAt,
          endsAt,
          payoutAmount: dto.payout_amount ?? null,
          payoutCurrency: dto.payout_currency ?? 'USDC',
          payoutEvent: dto.payout_event ?? 'any_completed',
        }),
      );
      return this.map(saved);
    });
  }

  async list(tenantId: string, query: ListCampaignsQueryDto): Promise<Page<CampaignDto>> {
    const [rows, total] = await this.campaigns.findAndCount({
      where: {
        tenantId,
        ...(query.app_id ? { appId: query.app_id } : {}),
        ...(query.status ? { status: query.status } : {}),
      },
      order: { createdAt: 'DESC', id: 'DESC' },
      take: query.limit,
      skip: query.offset,
    });
    return { data: rows.map((row) => this.map(row)), total, limit: query.limit, offset: query.offset };
  }

  async get(tenantId: string, id: string): Promise<CampaignDto> {
    const campaign = await this.campaigns.findOneBy({ id, tenantId });
    if (!campaign) throw DomainError.notFound('Campaign');
    return this.map(campaign);
  }

  /** Applies the given fields under a row lock so the schedule check sees the dates it is saving against. */
  async update(tenantId: string, id: string, dto: UpdateCampaignDto): Promise<CampaignDto> {
    return this.campaigns.manager.transaction(async (manager) => {
      const repository = manager.getRepository(Campaign);
      const campaign = await repository.findOne({ where: { id, tenantId }, lock: { mode: 'pessimistic_write' } });
      if (!campaign) throw DomainError.notFound('Campaign');
      if (campaign.status === 'archived') throw new DomainError('campaign_archived', 409, 'An archived campaign cannot be changed');
      if (dto.name !== undefined) campaign.name = dto.name;
      if (dto.status !== undefined) campaign.status = dto.status;
      if (dto.starts_at !== undefined) campaign.startsAt = toDate(dto.starts_at);
      if (dto.ends_at !== undefined) campaign.endsAt = toDate(dto.ends_at);
      if (dto.payout_amount !== undefined) campaign.payoutAmount = dto.payout_amount;
      if (dto.payout_currency !== undefined) campaign.payoutCurrency = dto.payout_currency;
      if (dto.payout_event !== undefined) campaign.payoutEvent = dto.payout_event;
      this.checkSchedule(campaign.startsAt, campaign.endsAt);
      await repository.save(campaign);
      return this.map(await repository.findOneByOrFail({ id, tenantId }));
    });
  }

  /** Idempotent: archiving an archived campaign changes nothing. */
  async archive(tenantId: string, id: string): Promise<CampaignDto> {
    await this.campaigns.update({ id, tenantId, status: Not('archived') }, { status: 'archived', archivedAt: this.clock.now() });
    return this.get(tenantId, id);
  }

  /** For other modules: the caller's campaign, or 404 `not_found` when it is unknown or another tenant's. */
  async getCampaignRef(tenantId: string, campaignId: string): Promise<CampaignRef> {
    const campaign = await this.campaigns.findOne({ where: { id: campaignId, tenantId }, select: { id: true, appId: true, status: true } });
    if (!campaign) throw DomainError.notFound('Campaign');
    return { id: campaign.id, appId: campaign.appId, status: campaign.status };
  }

  /** For other modules: the app of each of these campaigns that belongs to the tenant (unknown ids are absent). */
  async appIdsOf(tenantId: string, campaignIds: string[]): Promise<Map<string, string>> {
    if (campaignIds.length === 0) return new Map();
    const rows = await this.campaigns.find({ where: { tenantId, id: In(campaignIds) }, select: { id: true, appId: true } });
    return new Map(rows.map((row) => [row.id, row.appId]));
  }

  private checkSchedule(startsAt: Date | null, endsAt: Date | null): void {
    if (startsAt && endsAt && endsAt <= startsAt) {
      throw new DomainError('invalid_schedule', 422, 'ends_at must be after starts_at', [{ field: 'ends_at', messages: ['must be after starts_at'] }]);
    }
  }

  private map(campaign: Campaign): CampaignDto {
    return {
      id: campaign.id,
      app_id: campaign.appId,
      name: campaign.name,
      status: campaign.status,
      starts_at: campaign.startsAt?.toISOString() ?? null,
      ends_at: campaign.endsAt?.toISOString() ?? null,
      payout_amount: campaign.payoutAmount === null ? null : formatAmount(campaign.payoutAmount),
      payout_currency: campaign.payoutCurrency,
      payout_event: campaign.payoutEvent,
      created_at: campaign.createdAt.toISOString(),
      updated_at: campaign.updatedAt.toISOString(),
      archived_at: campaign.archivedAt?.toISOString() ?? null,
    };
  }
}
