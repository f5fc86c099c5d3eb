import { Injectable } from '@nestjs/common';
import { EventEmitter2 } from '@nestjs/event-emitter';
import { InjectRepository } from '@nestjs/typeorm';
import { Clock, DomainError } from '@refos/platform';
import { Repository } from 'typeorm';
import { ApiKeysService } from './api-keys.service';
import { CreateTenantDto, TenantDto, UpdateTenantDto } from './dto/tenant.dto';
import { CreatedTenantDto } from './dto/whoami.dto';
import { Tenant } from './tenant.entity';

/** Emitted (and awaited) with `{ tenantId }` when a tenant's `scim_admin_groups` change, so roles follow at once. */
export const SCIM_ADMIN_GROUPS_CHANGED = 'tenant.scim_admin_groups_changed';

@Injectable()
export class TenantsService {
  constructor(
    @InjectRepository(Tenant) private readonly tenants: Repository<Tenant>,
    private readonly apiKeys: ApiKeysService,
    private readonly clock: Clock,
    private readonly bus: EventEmitter2,
  ) {}

  /** Creates a tenant and its first admin key in one transaction. */
  async create(dto: CreateTenantDto): Promise<CreatedTenantDto> {
    return this.tenants.manager.transaction(async (manager) => {
      const tenant = await manager.getRepository(Tenant).save(
        manager.getRepository(Tenant).create({ name: dto.name, settings: { ...dto.settings } }),
      );
      const apiKey = await this.apiKeys.create(tenant.id, { name: 'Initial admin key', scopes: ['admin'] }, manager);
      return { tenant: this.map(tenant), api_key: apiKey };
    });
  }

  async get(tenantId: string): Promise<TenantDto> {
    const tenant = await this.tenants.findOneBy({ id: tenantId });
    if (!tenant) throw DomainError.notFound('Tenant');
    return this.map(tenant);
  }

  /** Renames and merges settings atomically (jsonb `||`), so concurrent patches of different settings both land. */
  async update(tenantId: string, dto: UpdateTenantDto): Promise<TenantDto> {
    const [rows]: [Record<string, unknown>[], number] = await this.tenants.query(
      `UPDATE tenants SET name = COALESCE($2, name), settings = settings || $3::jsonb, updated_at = $4
       WHERE id = $1 RETURNING id`,
      [tenantId, dto.name ?? null, JSON.stringify({ ...dto.settings }), this.clock.now()],
    );
    if (rows.length === 0) throw DomainError.notFound('Tenant');
    if (dto.settings?.scim_admin_groups !== undefined) await this.bus.emitAsync(SCIM_ADMIN_GROUPS_CHANGED, { tenantId });
    return this.get(tenantId);
  }

  private map(tenant: Tenant): TenantDto {
    return {
      id: tenant.id,
      name: tenant.name,
      settings: tenant.settings,
      created_at: tenant.createdAt.toISOString(),
      updated_at: tenant.updatedAt.toISOString(),
    };
  }
}
