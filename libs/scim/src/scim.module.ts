import { Module, OnModuleInit } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { IdentityModule } from '@refos/identity';
import { ErrorRenderers } from '@refos/platform';
import { AuditLogController } from './audit/audit-log.controller';
import { AuditLogService } from './audit/audit-log.service';
import { AuditLogEntry } from './audit-log-entry.entity';
import { ScimDiscoveryController } from './discovery/scim-discovery.controller';
import { ScimGroupsController } from './groups/scim-groups.controller';
import { ScimGroupsService } from './groups/scim-groups.service';
import { ScimRolesService } from './groups/scim-roles.service';
import { ScimGroup } from './scim-group.entity';
import { ScimGroupMember } from './scim-group-member.entity';
import { renderScimError } from './scim-error-renderer';
import { ScimInterceptor } from './scim.interceptor';
import { ScimUsersController } from './users/scim-users.controller';
import { ScimUsersService } from './users/scim-users.service';

/**
 * SCIM 2.0 provisioning under /scim/v2 (RFC 7643/7644) for Okta, Microsoft Entra and Google Workspace:
 * Users are the identity module's users, Groups map to roles, every change goes to the audit log.
 */
@Module({
  imports: [IdentityModule, TypeOrmModule.forFeature([ScimGroup, ScimGroupMember, AuditLogEntry])],
  controllers: [ScimUsersController, ScimGroupsController, ScimDiscoveryController, AuditLogController],
  providers: [ScimUsersService, ScimGroupsService, ScimRolesService, AuditLogService, ScimInterceptor],
})
export class ScimModule implements OnModuleInit {
  constructor(private readonly errorRenderers: ErrorRenderers) {}

  onModuleInit(): void {
    this.errorRenderers.register('/scim/v2', renderScimError);
  }
}
