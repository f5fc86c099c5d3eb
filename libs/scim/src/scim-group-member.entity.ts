import { Entity, ForeignKey, Index, PrimaryColumn } from 'typeorm';

/** One user in one SCIM group; both sides cascade, so deleting a user or a group drops its memberships. */
@Entity({ name: 'scim_group_members' })
@Index('ix_scim_group_members_user', ['userId'])
export class ScimGroupMember {
  @ForeignKey('scim_groups', { name: 'fk_scim_group_members_group', onDelete: 'CASCADE' })
  @PrimaryColumn({ name: 'group_id', type: 'uuid' })
  groupId: string;

  @ForeignKey('users', { name: 'fk_scim_group_members_user', onDelete: 'CASCADE' })
  @PrimaryColumn({ name: 'user_id', type: 'uuid' })
  userId: string;
}
