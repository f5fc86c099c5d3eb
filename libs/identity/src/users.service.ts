import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Clock, DomainError } from '@refos/platform';
import { EntityManager, Repository } from 'typeorm';
import { UserDto } from './dto/auth.dto';
import { Tenant } from './tenant.entity';
import { User, UserRole } from './user.entity';

/** One tenant a FID belongs to, as sign-in and the session guard see it. */
export interface Membership {
  userId: string;
  tenantId: string;
  tenantName: string;
  role: UserRole;
  active: boolean;
  username: string | null;
  displayName: string | null;
}

export interface ProfileHints {
  username?: string;
  displayName?: string;
}

@Injectable()
export class UsersService {
  constructor(
    @InjectRepository(User) private readonly users: Repository<User>,
    private readonly clock: Clock,
  ) {}

  /**
   * On a FID's first sign-in, creates its personal tenant and `owner` user; later ones only refresh the
   * profile hints. Runs inside the caller's transaction; a transaction-scoped advisory lock per FID
   * makes two concurrent first sign-ins create one tenant, not two.
   */
  async provisionOnSignIn(manager: EntityManager, fid: string, profile: ProfileHints): Promise<void> {
    await manager.query(`SELECT pg_advisory_xact_lock(hashtextextended('refos:fid:' || $1::text, 0))`, [fid]);
    const [existing]: { id: string }[] = await manager.query('SELECT id FROM users WHERE fid = $1 LIMIT 1', [fid]);
    if (!existing) {
      const tenant = await manager.getRepository(Tenant).save(
        manager.getRepository(Tenant).create({ name: profile.username ? `@${profile.username}` : `fid ${fid}`, settings: {} }),
      );
      await manager.getRepository(User).insert({
        tenantId: tenant.id,
        fid,
        username: profile.username ?? null,
        displayName: profile.displayName ?? null,
        role: 'owner',
      });
      return;
    }
    if (profile.username !== undefined || profile.displayName !== undefined) {
      // A SCIM-provisioned user's display name belongs to the identity provider (SCIM displayName).
      await manager.query(
        `UPDATE users SET username = COALESCE($2, username),
           display_name = CASE WHEN user_name IS NULL THEN COALESCE($3, display_name) ELSE display_name END, updated_at = $4
         WHERE fid = $1`,
        [fid, profile.username ?? null, profile.displayName ?? null, this.clock.now()],
      );
    }
  }

  /** Every tenant the FID belongs to, active or not; the default one (its own: owned first, then oldest) first. */
  async memberships(fid: string, manager: EntityManager = this.users.manager): Promise<Membership[]> {
    const rows: Record<string, string | boolean | null>[] = await manager.query(
      `SELECT u.id AS user_id, u.tenant_id, t.name AS tenant_name, u.role, u.active, u.username, u.display_name
       FROM users u JOIN tenants t ON t.id = u.tenant_id
       WHERE u.fid = $1
       ORDER BY (u.role = 'owner') DESC, u.created_at, u.id`,
      [fid],
    );
    return rows.map((r) => ({
      userId: r.user_id as string,
      tenantId: r.tenant_id as string,
      tenantName: r.tenant_name as string,
      role: r.role as UserRole,
      active: r.active as boolean,
      username: r.username as string | null,
      displayName: r.display_name as string | null,
    }));
  }

  async get(tenantId: string, id: string): Promise<UserDto> {
    const user = await this.users.findOneBy({ id, tenantId });
    if (!user) throw DomainError.notFound('User');
    return this.map(user);
  }

  map(user: User): UserDto {
    return {
      id: user.id,
      fid: user.fid === null ? null : Number(user.fid),
      username: user.username,
      display_name: user.displayName,
      role: user.role,
      active: user.active,
    };
  }
}

/** `owner` and `admin` manage the tenant (admin includes read); `member` reads. */
export function scopesForRole(role: UserRole): ('admin' | 'read')[] {
  return role === 'member' ? ['read'] : ['admin'];
}
