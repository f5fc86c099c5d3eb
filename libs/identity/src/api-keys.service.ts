import { BeforeApplicationShutdown, Injectable, Logger } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import {
  Clock,
  constantTimeEqual,
  DomainError,
  Page,
  PageQueryDto,
  randomBase62,
  sha256Hex,
  TenantPrincipal,
} from '@refos/platform';
import { EntityManager, IsNull, Repository } from 'typeorm';
import { ApiKey } from './api-key.entity';
import { ApiKeyDto, CreateApiKeyDto, CreatedApiKeyDto } from './dto/api-key.dto';

const KEY_PATTERN = /^dlk_([0-9A-Za-z]{12})_([0-9A-Za-z]{32})$/;
const LAST_USED_RESOLUTION_MS = 60_000;

@Injectable()
export class ApiKeysService implements BeforeApplicationShutdown {
  private readonly logger = new Logger(ApiKeysService.name);
  private readonly lastUsedWritten = new Map<string, number>();
  private readonly pendingWrites = new Set<Promise<unknown>>();

  constructor(
    @InjectRepository(ApiKey) private readonly keys: Repository<ApiKey>,
    private readonly clock: Clock,
  ) {}

  /** Issues a key; the returned `key` is the only time the secret exists outside the caller. */
  async create(tenantId: string, dto: CreateApiKeyDto, manager: EntityManager = this.keys.manager): Promise<CreatedApiKeyDto> {
    const expiresAt = dto.expires_at ? new Date(dto.expires_at) : null;
    if (expiresAt && expiresAt <= this.clock.now()) {
      throw new DomainError('invalid_expiry', 422, 'expires_at must be in the future');
    }
    const prefix = randomBase62(12);
    const key = `dlk_${prefix}_${randomBase62(32)}`;
    const saved = await manager.getRepository(ApiKey).save(
      manager.getRepository(ApiKey).create({
        tenantId,
        name: dto.name,
        prefix,
        secretHash: sha256Hex(key),
        scopes: dto.scopes,
        expiresAt,
      }),
    );
    return { ...this.map(saved), key };
  }

  async list(tenantId: string, page: PageQueryDto): Promise<Page<ApiKeyDto>> {
    const [rows, total] = await this.keys.findAndCount({
      where: { tenantId, revokedAt: IsNull() },
      order: { createdAt: 'DESC', id: 'DESC' },
      take: page.limit,
      skip: page.offset,
    });
    return { data: rows.map((row) => this.map(row)), total, limit: page.limit, offset: page.offset };
  }

  async get(tenantId: string, id: string): Promise<ApiKeyDto> {
    const key = await this.keys.findOneBy({ id, tenantId, revokedAt: IsNull() });
    if (!key) throw DomainError.notFound('API key');
    return this.map(key);
  }

  /** Revokes at once. The tenant's last admin key is kept so the tenant cannot lock itself out. */
  async revoke(tenantId: string, id: string): Promise<void> {
    await this.keys.manager.transaction(async (manager) => {
      // Lock the tenant's active admin keys so two concurrent revocations cannot remove the last two.
      const admins: { id: string }[] = await manager.query(
        `SELECT id FROM api_keys WHERE tenant_id = $1 AND revoked_at IS NULL AND 'admin' = ANY(scopes) FOR UPDATE`,
        [tenantId],
      );
      const [revoked]: [{ id: string }[], number] = await manager.query(
        `UPDATE api_keys SET revoked_at = $3 WHERE id = $1 AND tenant_id = $2 AND revoked_at IS NULL RETURNING scopes`,
        [id, tenantId, this.clock.now()],
      );
      if (revoked.length === 0) throw DomainError.notFound('API key');
      if (admins.length === 1 && admins[0].id === id) {
        throw new DomainError('last_admin_key', 409, 'This is the tenant\'s last admin key: create another admin key before revoking it');
      }
    });
  }

  /** Resolves a presented key to its tenant, or null for anything unknown, revoked or expired. */
  async authenticate(token: string): Promise<TenantPrincipal | null> {
    const match = KEY_PATTERN.exec(token);
    if (!match) return null;
    const key = await this.keys.findOneBy({ prefix: match[1] });
    if (!key || !constantTimeEqual(sha256Hex(token), key.secretHash)) return null;
    const now = this.clock.now();
    if (key.revokedAt || (key.expiresAt && key.expiresAt <= now)) return null;
    this.recordUse(key.id, now);
    return { kind: 'api_key', scopeKey: `tenant:${key.tenantId}`, tenantId: key.tenantId, credentialId: key.id, scopes: key.scopes };
  }

  /** last_used_at is informative: written at most once a minute per key, never on the request path. */
  private recordUse(id: string, now: Date): void {
    const previous = this.lastUsedWritten.get(id) ?? 0;
    if (now.getTime() - previous < LAST_USED_RESOLUTION_MS) return;
    this.lastUsedWritten.set(id, now.getTime());
    const write = this.keys
      .update({ id }, { lastUsedAt: now })
      .catch((error: unknown) => this.logger.warn({ err: error, apiKeyId: id }, 'could not record key use'))
      .finally(() => this.pendingWrites.delete(write));
    this.pendingWrites.add(write);
  }

  /** Lets the last_used_at writes in flight land before the pool closes. */
  async beforeApplicationShutdown(): Promise<void> {
    await Promise.allSettled(this.pendingWrites);
  }

  map(key: ApiKey): ApiKeyDto {
    return {
      id: key.id,
      name: key.name,
      prefix: key.prefix,
      scopes: key.scopes,
      created_at: key.createdAt.toISOString(),
      expires_at: key.expiresAt?.toISOString() ?? null,
      last_used_at: key.lastUsedAt?.toISOString() ?? null,
    };
  }
}
