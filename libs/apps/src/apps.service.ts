import { Injectable } from '@nestjs/common';
import { EventEmitter2 } from '@nestjs/event-emitter';
import { InjectRepository } from '@nestjs/typeorm';
import { Clock, constantTimeEqual, DomainError, Page, randomBase62, sha256Hex } from '@refos/platform';
import { Repository } from 'typeorm';
import { App } from './app.entity';
import { AppDto, AppRef, AppWithCredentialsDto, CreateAppDto, ListAppsQueryDto, RotateAppCredentialsDto, UpdateAppDto } from './dto/app.dto';

const API_KEY_PATTERN = /^rk_([0-9A-Za-z]{12})_([0-9A-Za-z]{32})$/;
const SERVER_SECRET_PATTERN = /^rss_[0-9A-Za-z]{40}$/;
const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const MINUTE_MS = 60_000;
/** Emitted with the app id when its credentials stop or change (archive, rotation), for caches to forget them. */
export const APP_CREDENTIALS_CHANGED = 'apps.credentials_changed';

interface IssuedCredentials {
  prefix: string;
  apiKey: string;
  serverSecret: string;
}

function issueCredentials(): IssuedCredentials {
  const prefix = randomBase62(12);
  return { prefix, apiKey: `rk_${prefix}_${randomBase62(32)}`, serverSecret: `rss_${randomBase62(40)}` };
}

@Injectable()
export class AppsService {
  constructor(
    @InjectRepository(App) private readonly apps: Repository<App>,
    private readonly clock: Clock,
    private readonly bus: EventEmitter2,
  ) {}

  /** Creates an app; the answer is the only place its raw api_key and server_secret ever appear. */
  async create(tenantId: string, dto: CreateAppDto): Promise<AppWithCredentialsDto> {
    const credentials = issueCredentials();
    const saved = await this.apps.save(
      this.apps.create({
        tenantId,
        name: dto.name,
        status: 'active',
        apiKeyPrefix: credentials.prefix,
        apiKeyHash: sha256Hex(credentials.apiKey),
        serverSecretHash: sha256Hex(credentials.serverSecret),
      }),
    );
    return { ...this.map(saved), api_key: credentials.apiKey, server_secret: credentials.serverSecret };
  }

  async list(tenantId: string, query: ListAppsQueryDto): Promise<Page<AppDto>> {
    const [rows, total] = await this.apps.findAndCount({
      where: { tenantId, ...(query.status ? { status: query.status } : {}) },
      order: { createdAt: 'DESC', id: 'DESC' },
      take: query.limit,
      skip: query.offset,
    });
    return { data: rows.map((row) => this.map(row)), total, limit: query.limit, offset: query.offset };
  }

  async get(tenantId: string, id: string): Promise<AppDto> {
    return this.map(await this.find(tenantId, id));
  }

  async rename(tenantId: string, id: string, dto: UpdateAppDto): Promise<AppDto> {
    const result = await this.apps.update({ id, tenantId }, { name: dto.name });
    if (!result.affected) throw DomainError.notFound('App');
    return this.get(tenantId, id);
  }

  /** Idempotent: archiving an archived app changes nothing. Its credentials stop authenticating at once. */
  async archive(tenantId: string, id: string): Promise<AppDto> {
    await this.apps.update({ id, tenantId, status: 'active' }, { status: 'archived', archivedAt: this.clock.now() });
    this.bus.emit(APP_CREDENTIALS_CHANGED, id);
    return this.get(tenantId, id);
  }

  /**
   * Issues a new api_key and server_secret. With a grace period the replaced pair keeps working
   * until it ends; without one (the default) it stops at once. One UPDATE moves current to previous,
   * so concurrent rotations cannot interleave.
   */
  async rotateCredentials(tenantId: string, id: string, dto: RotateAppCredentialsDto): Promise<AppWithCredentialsDto> {
    const graceMinutes = dto.grace_period_minutes ?? 0;
    const previousExpireAt = graceMinutes > 0 ? new Date(this.clock.now().getTime() + graceMinutes * MINUTE_MS) : null;
    const credentials = issueCredentials();
    const [rows]: [{ id: string }[], number] = await this.apps.query(
      `UPDATE apps SET
         previous_api_key_prefix = CASE WHEN $3::timestamptz IS NULL THEN NULL ELSE api_key_prefix END,
         previous_api_key_hash = CASE WHEN $3::timestamptz IS NULL THEN NULL ELSE api_key_hash END,
         previous_server_secret_hash = CASE WHEN $3::timestamptz IS NULL THEN NULL ELSE server_secret_hash END,
         previous_credentials_expire_at = $3::timestamptz,
         api_key_prefix = $4, api_key_hash = $5, server_secret_hash = $6, updated_at = now()
       WHERE id = $1 AND tenant_id = $2 AND status = 'active'
       RETURNING id`,
      [id, tenantId, previousExpireAt, credentials.prefix, sha256Hex(credentials.apiKey), sha256Hex(credentials.serverSecret)],
    );
    const app = await this.find(tenantId, id);
    if (rows.length === 0) throw new DomainError('app_archived', 409, 'An archived app has no credentials to rotate');
    this.bus.emit(APP_CREDENTIALS_CHANGED, id);
    return { ...this.map(app), api_key: credentials.apiKey, server_secret: credentials.serverSecret };
  }

  /**
   * The app behind an `x-api-key`, or null when the key is unknown, wrong, past its grace period or
   * belongs to an archived app. Looks up by prefix (current or previous) and compares hashes in constant time.
   */
  async authenticateAppKey(apiKey: string): Promise<{ appId: string; tenantId: string } | null> {
    const match = API_KEY_PATTERN.exec(apiKey);
    if (!match) return null;
    const prefix = match[1];
    const candidates = await this.apps.find({ where: [{ apiKeyPrefix: prefix }, { previousApiKeyPrefix: prefix }], take: 2 });
    const hash = sha256Hex(apiKey);
    const now = this.clock.now();
    for (const app of candidates) {
      if (app.status !== 'active') continue;
      const current = app.apiKeyPrefix === prefix && constantTimeEqual(hash, app.apiKeyHash);
      const previous =
        app.previousApiKeyPrefix === prefix && this.inGracePeriod(app, now) && constantTimeEqual(hash, app.previousApiKeyHash ?? '');
      if (current || previous) return { appId: app.id, tenantId: app.tenantId };
    }
    return null;
  }

  /** Whether `secret` is the app's server secret (or the replaced one, within its grace period); false for archived apps. */
  async verifyServerSecret(appId: string, secret: string): Promise<boolean> {
    if (!UUID_PATTERN.test(appId) || !SERVER_SECRET_PATTERN.test(secret)) return false;
    const app = await this.apps.findOneBy({ id: appId });
    if (!app || app.status !== 'active') return false;
    const hash = sha256Hex(secret);
    const current = constantTimeEqual(hash, app.serverSecretHash);
    const previous = this.inGracePeriod(app, this.clock.now()) && constantTimeEqual(hash, app.previousServerSecretHash ?? '');
    return current || previous;
  }

  /** For other modules: the caller's app, or 404 `not_found` when it is unknown or another tenant's. */
  async getAppRef(tenantId: string, appId: string): Promise<AppRef> {
    const app = await this.apps.findOne({ where: { id: appId, tenantId }, select: { id: true, tenantId: true, status: true } });
    if (!app) throw DomainError.notFound('App');
    return { id: app.id, tenantId: app.tenantId, status: app.status };
  }

  private async find(tenantId: string, id: string): Promise<App> {
    const app = await this.apps.findOneBy({ id, tenantId });
    if (!app) throw DomainError.notFound('App');
    return app;
  }

  private inGracePeriod(app: App, now: Date): boolean {
    return app.previousCredentialsExpireAt !== null && app.previousCredentialsExpireAt > now;
  }

  private map(app: App): AppDto {
    const graceEndsAt = app.previousCredentialsExpireAt && app.previousCredentialsExpireAt > this.clock.now() ? app.previousCredentialsExpireAt : null;
    return {
      id: app.id,
      name: app.name,
      status: app.status,
      api_key_prefix: app.apiKeyPrefix,
      previous_credentials_expire_at: graceEndsAt?.toISOString() ?? null,
      created_at: app.createdAt.toISOString(),
      updated_at: app.updatedAt.toISOString(),
      archived_at: app.archivedAt?.toISOString() ?? null,
    };
  }
}
