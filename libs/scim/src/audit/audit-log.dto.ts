import { ApiProperty } from '@nestjs/swagger';

export class AuditLogEntryDto {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ format: 'uuid', nullable: true, type: String, description: 'The API key that made the change (the identity provider\'s SCIM key)' })
  actor_api_key_id: string | null;

  @ApiProperty({
    example: 'user.deactivated',
    description:
      'user.created, user.replaced, user.updated, user.deactivated, user.reactivated, user.deleted, group.created, group.replaced, group.updated, group.deleted',
  })
  action: string;

  @ApiProperty({ enum: ['User', 'Group'], example: 'User' })
  resource_type: string;

  @ApiProperty({ format: 'uuid' })
  resource_id: string;

  @ApiProperty({ example: 'ann@acme.com: active' , description: 'The resource and the attributes that changed' })
  summary: string;

  @ApiProperty({ format: 'date-time' })
  created_at: string;
}
