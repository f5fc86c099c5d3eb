import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { SessionsService } from '@refos/identity';
import { APP_CONFIG, AppConfig, Clock, DomainError, TenantPrincipal } from '@refos/platform';
import { DataSource, EntityManager } from 'typeorm';
import { AuditLogService } from '../audit/audit-log.service';
import { actorOf } from '../audit/audit-log.service';
import { applyPatch } from '../patch/apply-patch';
import { asUniqueness, checkIfMatch, isResourceId, ListQuery, project, Projection } from '../scim-request';
import { listPage, listResponse, ListSource } from '../scim-list';
import { ListResponse, SCHEMA } from '../scim-schemas';
import { scimError } from '../scim-error';
import { ScimUser, toScimUser, USER_COLUMNS, USER_FILTER_TARGET, USER_PATCH_SCHEMA, UserFields, UserRow, validateUser, writableUser } from './user-resource';

const USERS: ListSource = {
  from: 'users u',
  columns: USER_COLUMNS,
  scope: 'u.tenant_id = $1 AND u.user_name IS NOT NULL',
  orderBy: 'u.created_at, u.id',
  target: USER_FILTER_TARGET,
};

/** What a write answers: the resource, and the ETag the controller sends as a header. */
export interface Written<T> {
  resource: T;
  etag: string;
}

/**
 * SCIM Users are the tenant's users that SCIM provisioned (userName set); users who only signed in
 * with Farcaster, the tenant owner among them, are neither listed nor changeable here.
 */
@Injectable()
export class ScimUsersService {
  private readonly baseUrl: string;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly sessions: SessionsService,
    private readonly audit: AuditLogService,
    private readonly clock: Clock,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.baseUrl = `${config.publicBaseUrl}/scim/v2`;
  }

  async list(tenantId: string, query: ListQuery): Promise<ListResponse<Partial<ScimUser>>> {
    const { total, rows } = await listPage<UserRow>(this.dataSource.manager, USERS, tenantId, query);
    return listResponse(total, query.startIndex, rows.map((row) => project(toScimUser(row, this.baseUrl), query.projection, SCHEMA.user)));
  }

  async get(tenantId: string, id: string, projection: Projection = {}): Promise<Written<Partial<ScimUser>>> {
    const row = await this.find(this.dataSource.manager, tenantId, id, false);
    const user = toScimUser(row, this.baseUrl);
    return { resource: project(user, projection, SCHEMA.user), etag: user.meta.version };
  }

  async create(principal: TenantPrincipal, body: unknown): Promise<Written<ScimUser>> {
    const fields = validateUser(body, true, true);
    const now = this.clock.now();
    return this.write(async (manager) => {
      await this.checkUnique(manager, principal.tenantId, fields, null);
      const [{ id }]: { id: string }[] = await manager.query(
        `INSERT INTO users (tenant_id, role, user_name, external_id, display_name, given_name, family_name, emails, active, fid, created_at, updated_at)
         VALUES ($1, 'member', $2, $3, $4, $5, $6, $7::jsonb, $8, $9, $10, $10) RETURNING id`,
        [principal.tenantId, fields.userName, fields.externalId, fields.displayName, fields.givenName, fields.familyName, JSON.stringify(fields.emails), fields.active, fields.fid, now],
      );
      await this.audit.record(manager, { ...actorOf(principal), action: 'user.created', resourceType: 'User', resourceId: id, summary: fields.userName });
      return this.find(manager, principal.tenantId, id, false);
    });
  }

  /** PUT: every writable attribute from the body; omitted ones are cleared, except `active`, which stays. */
  async replace(principal: TenantPrincipal, id: string, body: unknown, ifMatch: string | undefined): Promise<Written<ScimUser>> {
    return this.update(principal, id, ifMatch, 'user.replaced', (row) => validateUser(body, row.active, true));
  }

  async patch(principal: TenantPrincipal, id: string, body: unknown, ifMatch: string | undefined): Promise<Written<ScimUser>> {
    return this.update(principal, id, ifMatch, 'user.updated', (row) => validateUser(applyPatch(USER_PATCH_SCHEMA, writableUser(row), body), row.active, false));
  }

  /** Deletes the user row (its group memberships go with it) and ends their sessions; links and other data stay with the tenant. */
  async delete(principal: TenantPrincipal, id: string, ifMatch: string | undefined): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      const row = await this.find(manager, principal.tenantId, id, true);
      checkIfMatch(ifMatch, row.version);
      await manager.query(`DELETE FROM users WHERE id = $1 AND tenant_id = $2`, [row.id, principal.tenantId]);
      if (row.fid !== null) await this.sessions.endForDeactivatedUser(manager, row.fid);
      await this.audit.record(manager, { ...actorOf(principal), action: 'user.deleted', resourceType: 'User', resourceId: row.id, summary: row.user_name });
    });
  }

  private async update(
    principal: TenantPrincipal,
    id: string,
    ifMatch: string | undefined,
    action: string,
    next: (row: UserRow) => UserFields,
  ): Promise<Written<ScimUser>> {
    return this.write(async (manager) => {
      const row = await this.find(manager, principal.tenantId, id, true);
      checkIfMatch(ifMatch, row.version);
      const fields = next(row);
      const changed = changedAttributes(row, fields);
      if (changed.length === 0) return row;
      await this.checkUnique(manager, principal.tenantId, fields, row.id);
      // The version in the WHERE makes the If-Match check and the write one atomic step.
      const [updated]: [unknown[], number] = await manager.query(
        `UPDATE users SET user_name = $3, external_id = $4, display_name = $5, given_name = $6, family_name = $7, emails = $8::jsonb,
           active = $9, fid = $10, version = version + 1, updated_at = $11
         WHERE id = $1 AND tenant_id = $2 AND version = $12 RETURNING id`,
        [row.id, principal.tenantId, fields.userName, fields.externalId, fields.displayName, fields.givenName, fields.familyName,
          JSON.stringify(fields.emails), fields.active, fields.fid, this.clock.now(), row.version],
      );
      if (updated.length === 0) throw new DomainError('precondition_failed', 412, 'The resource changed while it was being updated: read it again');
      // A deactivated user, or a Farcaster id taken off one, loses access now: sessions end in this transaction.
      if (row.fid !== null && (!fields.active || fields.fid !== row.fid)) await this.sessions.endForDeactivatedUser(manager, row.fid);
      const verb = row.active && !fields.active ? 'user.deactivated' : !row.active && fields.active ? 'user.reactivated' : action;
      await this.audit.record(manager, { ...actorOf(principal), action: verb, resourceType: 'User', resourceId: row.id, summary: `${fields.userName}: ${changed.join(', ')}` });
      return this.find(manager, principal.tenantId, id, false);
    });
  }

  private async write(work: (manager: EntityManager) => Promise<UserRow>): Promise<Written<ScimUser>> {
    try {
      const row = await this.dataSource.transaction(work);
      const user = toScimUser(row, this.baseUrl);
      return { resource: user, etag: user.meta.version };
    } catch (error) {
      throw asUniqueness(error);
    }
  }

  private async find(manager: EntityManager, tenantId: string, id: string, lock: boolean): Promise<UserRow> {
    const rows: UserRow[] = isResourceId(id)
      ? await manager.query(
          `SELECT ${USER_COLUMNS} FROM users u WHERE u.id = $1 AND u.tenant_id = $2 AND u.user_name IS NOT NULL${lock ? ' FOR UPDATE OF u' : ''}`,
          [id, tenantId],
        )
      : [];
    if (rows.length === 0) throw DomainError.notFound('User');
    return rows[0];
  }

  /**
   * 409 uniqueness before writing, so a taken userName or fid is an answer, not a failed statement;
   * the unique indexes still decide between two concurrent writers (see asUniqueness).
   */
  private async checkUnique(manager: EntityManager, tenantId: string, fields: UserFields, exceptId: string | null): Promise<void> {
    const [taken]: { user_name: boolean; fid: boolean }[] = await manager.query(
      `SELECT EXISTS (SELECT 1 FROM users WHERE tenant_id = $1 AND lower(user_name) = lower($2) AND id IS DISTINCT FROM $4::uuid) AS user_name,
              EXISTS (SELECT 1 FROM users WHERE tenant_id = $1 AND fid = $3::bigint AND id IS DISTINCT FROM $4::uuid) AS fid`,
      [tenantId, fields.userName, fields.fid, exceptId],
    );
    if (taken.user_name) throw scimError(409, 'uniqueness', 'A user with this userName already exists in this tenant');
    if (taken.fid) throw scimError(409, 'uniqueness', 'Another user of this tenant already has this Farcaster fid');
  }
}

/** SCIM attribute names whose value a write changes: the audit log's "what". */
function changedAttributes(row: UserRow, fields: UserFields): string[] {
  const pairs: [string, unknown, unknown][] = [
    ['userName', row.user_name, fields.userName],
    ['externalId', row.external_id, fields.externalId],
    ['displayName', row.display_name, fields.displayName],
    ['name.givenName', row.given_name, fields.givenName],
    ['name.familyName', row.family_name, fields.familyName],
    ['emails', emailsKey(row.emails), emailsKey(fields.emails)],
    ['active', row.active, fields.active],
    ['fid', row.fid, fields.fid],
  ];
  return pairs.filter(([, before, after]) => before !== after).map(([name]) => name);
}

/** jsonb reorders object keys: compare emails by their values, not their text. */
function emailsKey(emails: UserFields['emails']): string {
  return JSON.stringify(emails.map((e) => [e.value, e.type ?? null, e.primary ?? null]));
}
