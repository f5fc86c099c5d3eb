import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { OnEvent } from '@nestjs/event-emitter';
import { SCIM_ADMIN_GROUPS_CHANGED } from '@refos/identity';
import { DataSource, EntityManager } from 'typeorm';

// `admin` when the user is in a group the tenant's `scim_admin_groups` setting names, else `member`.
const ROLE_FROM_GROUPS = `CASE WHEN EXISTS (
    SELECT 1 FROM scim_group_members gm
    JOIN scim_groups g ON g.id = gm.group_id
    JOIN tenants t ON t.id = g.tenant_id
    WHERE gm.user_id = u.id
      AND lower(g.display_name) IN (SELECT lower(x) FROM jsonb_array_elements_text(COALESCE(t.settings->'scim_admin_groups', '[]')) x)
  ) THEN 'admin' ELSE 'member' END`;

/** Keeps SCIM-provisioned users' roles in line with their groups; a Farcaster-only user or the owner is never touched. */
@Injectable()
export class ScimRolesService {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** One statement over the tenant's SCIM users, inside the caller's transaction. */
  async sync(manager: EntityManager, tenantId: string): Promise<void> {
    await manager.query(
      `UPDATE users u SET role = ${ROLE_FROM_GROUPS}
       WHERE u.tenant_id = $1 AND u.user_name IS NOT NULL AND u.role <> 'owner' AND u.role IS DISTINCT FROM ${ROLE_FROM_GROUPS}`,
      [tenantId],
    );
  }

  @OnEvent(SCIM_ADMIN_GROUPS_CHANGED, { promisify: true, suppressErrors: false })
  async onAdminGroupsChanged(event: { tenantId: string }): Promise<void> {
    await this.dataSource.transaction((manager) => this.sync(manager, event.tenantId));
  }
}
