import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { APP_CONFIG, AppConfig, Clock, DomainError, TenantPrincipal } from '@refos/platform';
import { DataSource, EntityManager } from 'typeorm';
import { AuditLogService } from '../audit/audit-log.service';
import { actorOf } from '../audit/audit-log.service';
import { applyPatch } from '../patch/apply-patch';
import { invalidValue, scimError } from '../scim-error';
import { listPage, listResponse, ListSource } from '../scim-list';
import { asUniqueness, checkIfMatch, isResourceId, ListQuery, project, Projection, projectionIncludes } from '../scim-request';
import { ListResponse, SCHEMA } from '../scim-schemas';
import { Written } from '../users/scim-users.service';
import { GROUP_FILTER_TARGET, GROUP_PATCH_SCHEMA, GroupFields, GroupRow, ScimGroupResource, toScimGroup, validateGroup } from './group-resource';
import { ScimRolesService } from './scim-roles.service';

const GROUP_COLUMNS = 'g.id, g.display_name, g.external_id, g.version, g.created_at, g.updated_at';
const GROUPS: ListSource = { from: 'scim_groups g', columns: GROUP_COLUMNS, scope: 'g.tenant_id = $1', orderBy: 'g.created_at, g.id', target: GROUP_FILTER_TARGET };

interface MemberRow {
  group_id: string;
  id: string;
  user_name: string;
}

/** SCIM Groups of a tenant: their members are its SCIM users, and membership of an admin group makes a user `admin`. */
@Injectable()
export class ScimGroupsService {
  private readonly baseUrl: string;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly roles: ScimRolesService,
    private readonly audit: AuditLogService,
    private readonly clock: Clock,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.baseUrl = `${config.publicBaseUrl}/scim/v2`;
  }

  async list(tenantId: string, query: ListQuery): Promise<ListResponse<Partial<ScimGroupResource>>> {
    const { total, rows } = await listPage<GroupRow>(this.dataSource.manager, GROUPS, tenantId, query);
    // Entra lists groups with excludedAttributes=members: then members are not even read.
    const members = projectionIncludes(query.projection, SCHEMA.group, 'members') ? await this.members(this.dataSource.manager, rows.map((r) => r.id)) : undefined;
    return listResponse(
      total,
      query.startIndex,
      rows.map((row) => project(toScimGroup(row, members ? (members.get(row.id) ?? []) : undefined, this.baseUrl), query.projection, SCHEMA.group)),
    );
  }

  async get(tenantId: string, id: string, projection: Projection = {}): Promise<Written<Partial<ScimGroupResource>>> {
    const row = await this.find(this.dataSource.manager, tenantId, id, false);
    const members = projectionIncludes(projection, SCHEMA.group, 'members') ? ((await this.members(this.dataSource.manager, [row.id])).get(row.id) ?? []) : undefined;
    const group = toScimGroup(row, members, this.baseUrl);
    return { resource: project(group, projection, SCHEMA.group), etag: group.meta.version };
  }

  async create(principal: TenantPrincipal, body: unknown): Promise<Written<ScimGroupResource>> {
    const fields = validateGroup(body, true);
    return this.write(async (manager) => {
      await this.checkUnique(manager, principal.tenantId, fields.displayName, null);
      const now = this.clock.now();
      const [{ id }]: { id: string }[] = await manager.query(
        `INSERT INTO scim_groups (tenant_id, display_name, external_id, created_at, updated_at) VALUES ($1, $2, $3, $4, $4) RETURNING id`,
        [principal.tenantId, fields.displayName, fields.externalId, now],
      );
      await this.setMembers(manager, principal.tenantId, id, fields.memberIds);
      await this.audit.record(manager, {
        ...actorOf(principal),
        action: 'group.created',
        resourceType: 'Group',
        resourceId: id,
        summary: `${fields.displayName}: ${fields.memberIds.length} members`,
      });
      return this.find(manager, principal.tenantId, id, false);
    });
  }

  async replace(principal: TenantPrincipal, id: string, body: unknown, ifMatch: string | undefined): Promise<Written<ScimGroupResource>> {
    return this.update(principal, id, ifMatch, 'group.replaced', () => validateGroup(body, true));
  }

  async patch(principal: TenantPrincipal, id: string, body: unknown, ifMatch: string | undefined): Promise<Written<ScimGroupResource>> {
    return this.update(principal, id, ifMatch, 'group.updated', (row, memberIds) =>
      validateGroup(
        applyPatch(GROUP_PATCH_SCHEMA, { displayName: row.display_name, externalId: row.external_id, members: memberIds.map((value) => ({ value })) }, body),
        false,
      ),
    );
  }

  async delete(principal: TenantPrincipal, id: string, ifMatch: string | undefined): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      const row = await this.find(manager, principal.tenantId, id, true);
      checkIfMatch(ifMatch, row.version);
      await manager.query(`DELETE FROM scim_groups WHERE id = $1 AND tenant_id = $2`, [row.id, principal.tenantId]);
      await this.roles.sync(manager, principal.tenantId);
      await this.audit.record(manager, { ...actorOf(principal), action: 'group.deleted', resourceType: 'Group', resourceId: row.id, summary: row.display_name });
    });
  }

  private async update(
    principal: TenantPrincipal,
    id: string,
    ifMatch: string | undefined,
    action: string,
    next: (row: GroupRow, memberIds: string[]) => GroupFields,
  ): Promise<Written<ScimGroupResource>> {
    return this.write(async (manager) => {
      const row = await this.find(manager, principal.tenantId, id, true);
      checkIfMatch(ifMatch, row.version);
      const before = ((await this.members(manager, [row.id])).get(row.id) ?? []).map((m) => m.id);
      const fields = next(row, before);
      const added = fields.memberIds.filter((m) => !before.includes(m));
      const removed = before.filter((m) => !fields.memberIds.includes(m));
      const renamed = fields.displayName !== row.display_name || fields.externalId !== row.external_id;
      if (!renamed && added.length === 0 && removed.length === 0) return row;
      if (fields.displayName !== row.display_name) await this.checkUnique(manager, principal.tenantId, fields.displayName, row.id);
      const [updated]: [unknown[], number] = await manager.query(
        `UPDATE scim_groups SET display_name = $3, external_id = $4, version = version + 1, updated_at = $5
         WHERE id = $1 AND tenant_id = $2 AND version = $6 RETURNING id`,
        [row.id, principal.tenantId, fields.displayName, fields.externalId, this.clock.now(), row.version],
      );
      if (updated.length === 0) throw new DomainError('precondition_failed', 412, 'The resource changed while it was being updated: read it again');
      await this.setMembers(manager, principal.tenantId, row.id, fields.memberIds);
      const changes = [
        ...(fields.displayName !== row.display_name ? [`displayName ${row.display_name} -> ${fields.displayName}`] : []),
        ...(fields.externalId !== row.external_id ? ['externalId'] : []),
        ...(added.length ? [`members added: ${added.join(' ')}`] : []),
        ...(removed.length ? [`members removed: ${removed.join(' ')}`] : []),
      ];
      await this.audit.record(manager, { ...actorOf(principal), action, resourceType: 'Group', resourceId: row.id, summary: `${fields.displayName}: ${changes.join('; ')}` });
      return this.find(manager, principal.tenantId, row.id, false);
    });
  }

  /** Makes the group's members exactly `userIds`, all of them SCIM users of the tenant, then re-derives roles. */
  private async setMembers(manager: EntityManager, tenantId: string, groupId: string, userIds: string[]): Promise<void> {
    const found: { id: string }[] = await manager.query(`SELECT id FROM users WHERE tenant_id = $1 AND user_name IS NOT NULL AND id = ANY($2::uuid[])`, [tenantId, userIds]);
    if (found.length !== userIds.length) {
      const missing = userIds.filter((id) => !found.some((f) => f.id === id));
      throw invalidValue(`No such User: ${missing.slice(0, 5).join(', ')}`);
    }
    await manager.query(`DELETE FROM scim_group_members WHERE group_id = $1 AND NOT (user_id = ANY($2::uuid[]))`, [groupId, userIds]);
    await manager.query(`INSERT INTO scim_group_members (group_id, user_id) SELECT $1, unnest($2::uuid[]) ON CONFLICT DO NOTHING`, [groupId, userIds]);
    await this.roles.sync(manager, tenantId);
  }

  private async members(manager: EntityManager, groupIds: string[]): Promise<Map<string, MemberRow[]>> {
    const rows: MemberRow[] = groupIds.length
      ? await manager.query(
          `SELECT gm.group_id, u.id, u.user_name FROM scim_group_members gm JOIN users u ON u.id = gm.user_id
           WHERE gm.group_id = ANY($1::uuid[]) ORDER BY lower(u.user_name), u.id`,
          [groupIds],
        )
      : [];
    const byGroup = new Map<string, MemberRow[]>();
    for (const row of rows) byGroup.set(row.group_id, [...(byGroup.get(row.group_id) ?? []), row]);
    return byGroup;
  }

  private async write(work: (manager: EntityManager) => Promise<GroupRow>): Promise<Written<ScimGroupResource>> {
    try {
      const row = await this.dataSource.transaction(work);
      const members = (await this.members(this.dataSource.manager, [row.id])).get(row.id) ?? [];
      const group = toScimGroup(row, members, this.baseUrl);
      return { resource: group, etag: group.meta.version };
    } catch (error) {
      throw asUniqueness(error);
    }
  }

  private async find(manager: EntityManager, tenantId: string, id: string, lock: boolean): Promise<GroupRow> {
    const rows: GroupRow[] = isResourceId(id)
      ? await manager.query(`SELECT ${GROUP_COLUMNS} FROM scim_groups g WHERE g.id = $1 AND g.tenant_id = $2${lock ? ' FOR UPDATE' : ''}`, [id, tenantId])
      : [];
    if (rows.length === 0) throw DomainError.notFound('Group');
    return rows[0];
  }

  /** 409 uniqueness before writing; the unique index still decides between two concurrent writers. */
  private async checkUnique(manager: EntityManager, tenantId: string, displayName: string, exceptId: string | null): Promise<void> {
    const [{ taken }]: { taken: boolean }[] = await manager.query(
      `SELECT EXISTS (SELECT 1 FROM scim_groups WHERE tenant_id = $1 AND lower(display_name) = lower($2) AND id IS DISTINCT FROM $3::uuid) AS taken`,
      [tenantId, displayName, exceptId],
    );
    if (taken) throw scimError(409, 'uniqueness', 'A group with this displayName already exists in this tenant');
  }
}
