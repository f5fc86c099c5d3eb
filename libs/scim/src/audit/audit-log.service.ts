import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Clock, Page, PageQueryDto, TenantPrincipal } from '@refos/platform';
import { EntityManager, Repository } from 'typeorm';
import { AuditLogEntry } from '../audit-log-entry.entity';
import { AuditLogEntryDto } from './audit-log.dto';

export interface AuditRecord {
  tenantId: string;
  actorApiKeyId: string | null;
  action: string;
  resourceType: 'User' | 'Group';
  resourceId: string;
  summary: string;
}

/** The tenant and the acting API key of a request, as an audit record names them. */
export function actorOf(principal: TenantPrincipal): Pick<AuditRecord, 'tenantId' | 'actorApiKeyId'> {
  return { tenantId: principal.tenantId, actorApiKeyId: principal.kind === 'api_key' ? (principal.credentialId ?? null) : null };
}

@Injectable()
export class AuditLogService {
  constructor(
    @InjectRepository(AuditLogEntry) private readonly entries: Repository<AuditLogEntry>,
    private readonly clock: Clock,
  ) {}

  /** Writes inside the caller's transaction, so a change and its entry land together or not at all. */
  async record(manager: EntityManager, record: AuditRecord): Promise<void> {
    await manager.getRepository(AuditLogEntry).insert({ ...record, summary: record.summary.slice(0, 500), createdAt: this.clock.now() });
  }

  /** Newest first. */
  async list(tenantId: string, page: PageQueryDto): Promise<Page<AuditLogEntryDto>> {
    const [rows, total] = await this.entries.findAndCount({
      where: { tenantId },
      order: { createdAt: 'DESC', id: 'DESC' },
      take: page.limit,
      skip: page.offset,
    });
    return { data: rows.map((row) => this.map(row)), total, limit: page.limit, offset: page.offset };
  }

  private map(row: AuditLogEntry): AuditLogEntryDto {
    return {
      id: row.id,
      actor_api_key_id: row.actorApiKeyId,
      action: row.action,
      resource_type: row.resourceType,
      resource_id: row.resourceId,
      summary: row.summary,
      created_at: row.createdAt.toISOString(),
    };
  }
}
