import { Controller, Get, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiPage, Auth, CurrentTenant, Page, PageQueryDto } from '@refos/platform';
import { AuditLogEntryDto } from './audit-log.dto';
import { AuditLogService } from './audit-log.service';

@ApiTags('audit log')
@Controller('api/v1/audit-log')
export class AuditLogController {
  constructor(private readonly audit: AuditLogService) {}

  @Get()
  @Auth('tenant', { scope: 'admin' })
  @ApiOperation({
    summary: 'Who changed what, when (newest first)',
    description: 'Every SCIM change (users and groups created, updated, deactivated, reactivated, deleted), with the API key that made it.',
  })
  @ApiPage(AuditLogEntryDto)
  list(@CurrentTenant() tenantId: string, @Query() page: PageQueryDto): Promise<Page<AuditLogEntryDto>> {
    return this.audit.list(tenantId, page);
  }
}
