import { Body, Controller, Get, HttpCode, Patch, Post } from '@nestjs/common';
import { ApiBody, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Throttle } from '@nestjs/throttler';
import { Auth, CurrentTenant, ErrorResponseDto } from '@refos/platform';
import { ApiBadRequestResponse } from '@nestjs/swagger';
import { CreateTenantDto, TenantDto, UpdateTenantDto } from './dto/tenant.dto';
import { CreatedTenantDto } from './dto/whoami.dto';
import { TenantsService } from './tenants.service';

@ApiTags('tenants')
@Controller('api/v1/tenants')
export class TenantsController {
  constructor(private readonly tenants: TenantsService) {}

  @Post()
  @HttpCode(201)
  @Auth('operator')
  @Throttle({ default: { limit: 30, ttl: 60_000 } })
  @ApiOperation({
    summary: 'Bootstrap a tenant (operator)',
    description: 'Creates a tenant and returns its first API key (scope `admin`) once. Needs `Authorization: Bearer <ADMIN_TOKEN>`.',
  })
  @ApiBody({ type: CreateTenantDto, examples: { minimal: { value: { name: 'Acme Inc.' } } } })
  @ApiCreatedResponse({ type: CreatedTenantDto })
  @ApiBadRequestResponse({ type: ErrorResponseDto, description: 'Invalid body' })
  create(@Body() dto: CreateTenantDto): Promise<CreatedTenantDto> {
    return this.tenants.create(dto);
  }

  @Get('current')
  @Auth('tenant', { scope: 'read' })
  @ApiOperation({ summary: 'The tenant of the calling key' })
  @ApiOkResponse({ type: TenantDto })
  current(@CurrentTenant() tenantId: string): Promise<TenantDto> {
    return this.tenants.get(tenantId);
  }

  @Patch('current')
  @Auth('tenant', { scope: 'admin' })
  @ApiOperation({ summary: 'Rename the tenant or change its settings', description: '`settings` is merged into the current settings.' })
  @ApiBody({ type: UpdateTenantDto, examples: { rename: { value: { name: 'Acme Corporation', settings: { attribution_lookback_days: 14 } } } } })
  @ApiOkResponse({ type: TenantDto })
  @ApiBadRequestResponse({ type: ErrorResponseDto, description: 'Invalid body' })
  update(@CurrentTenant() tenantId: string, @Body() dto: UpdateTenantDto): Promise<TenantDto> {
    return this.tenants.update(tenantId, dto);
  }
}
