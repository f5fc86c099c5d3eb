import { Inject, Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { APP_CONFIG, AppConfig, Clock, DomainError, randomBase62, sha256Hex, TenantPrincipal } from '@refos/platform';
import { EntityManager, Repository } from 'typeorm';
import { SessionDto, SessionInfoDto } from './dto/auth.dto';
import { Session } from './session.entity';
import { Membership, scopesForRole, UsersService } from './users.service';

const TOKEN_PATTERN = /^[0-9A-Za-z]{43}$/;
const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface OpenedSession {
  /** The cookie value: exists only in this answer, the row keeps its SHA-256. */
  token: string;
  expiresAt: Date;
  body: SessionDto;
}

@Injectable()
export class SessionsService {
  constructor(
    @InjectRepository(Session) private readonly sessions: Repository<Session>,
    private readonly users: UsersService,
    private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** Starts a session for a FID that has just proven itself; refused when it has no active membership left. */
  async open(manager: EntityManager, fid: string, userAgent: string | undefined): Promise<OpenedSession> {
    const memberships = await this.users.memberships(fid, manager);
    if (!memberships.some((m) => m.active)) throw deactivated('in every tenant it belongs to');
    const token = randomBase62(43);
    const now = this.clock.now();
    const expiresAt = new Date(now.getTime() + this.config.sessionTtlHours * 3_600_000);
    const [row]: { id: string }[] = await manager.query(
      `INSERT INTO sessions (fid, token_hash, created_at, expires_at, user_agent) VALUES ($1, $2, $3, $4, $5) RETURNING id`,
      [fid, sha256Hex(token), now, expiresAt, userAgent?.slice(0, 512) ?? null],
    );
    return { token, expiresAt, body: this.describeSession(fid, memberships, { id: row.id, createdAt: now, expiresAt }) };
  }

  /** The signed-in user, their tenants and the session's expiry; 401 for a missing, expired or revoked session. */
  async current(token: string | undefined): Promise<SessionDto> {
    const session = await this.findLive(token);
    if (!session) throw new DomainError('unauthorized', 401, 'The session is missing, expired or revoked: sign in again');
    const memberships = await this.users.memberships(session.fid);
    if (!memberships.some((m) => m.active)) throw deactivated('in every tenant it belongs to');
    return this.describeSession(session.fid, memberships, session);
  }

  /**
   * The tenant principal of a session cookie, or null when the session is unknown, expired or revoked.
   * The tenant is `X-Tenant-Id` when given (404 unless the user belongs to it, like a tenant that does
   * not exist) or the user's own; a deactivated membership answers 401 at once.
   */
  async authenticate(token: string | undefined, tenantHeader: string | undefined): Promise<TenantPrincipal | null> {
    if (!token || !TOKEN_PATTERN.test(token)) return null;
    const rows: { session_id: string; user_id: string; tenant_id: string; role: Membership['role']; active: boolean }[] =
      await this.sessions.query(
        `SELECT s.id AS session_id, u.id AS user_id, u.tenant_id, u.role, u.active
         FROM sessions s JOIN users u ON u.fid = s.fid
         WHERE s.token_hash = $1 AND s.revoked_at IS NULL AND s.expires_at > $2
         ORDER BY u.active DESC, (u.role = 'owner') DESC, u.created_at, u.id`,
        [sha256Hex(token), this.clock.now()],
      );
    if (rows.length === 0) return null;
    let row = rows[0];
    if (tenantHeader !== undefined) {
      const wanted = UUID_PATTERN.test(tenantHeader) ? rows.find((r) => r.tenant_id === tenantHeader.toLowerCase()) : undefined;
      if (!wanted) throw DomainError.notFound('Tenant');
      row = wanted;
    }
    if (!row.active) throw deactivated('in this tenant');
    return {
      kind: 'session',
      scopeKey: `tenant:${row.tenant_id}`,
      tenantId: row.tenant_id,
      userId: row.user_id,
      credentialId: row.session_id,
      scopes: scopesForRole(row.role),
    };
  }

  /**
   * Revokes the cookie's session, if it is one; signing out twice is not an error. Like every
   * cookie-authenticated change it needs a trusted Origin, so another site cannot sign users out.
   */
  async signOut(token: string | undefined, originTrusted: boolean): Promise<void> {
    if (token === undefined) return;
    if (!originTrusted) throw new DomainError('csrf_origin_mismatch', 403, 'Signing out with a session cookie needs an Origin (or Referer) header of a trusted dashboard origin');
    if (!TOKEN_PATTERN.test(token)) return;
    await this.sessions.query(`UPDATE sessions SET revoked_at = $2 WHERE token_hash = $1 AND revoked_at IS NULL`, [
      sha256Hex(token),
      this.clock.now(),
    ]);
  }

  /**
   * After a user was deactivated or deleted (inside the caller's transaction): revokes the FID's
   * sessions when it has no active membership left. A session spans every tenant of its FID, so one
   * still active elsewhere keeps it, and `authenticate` refuses this tenant on the very next request.
   */
  async endForDeactivatedUser(manager: EntityManager, fid: string): Promise<void> {
    await manager.query(
      `UPDATE sessions SET revoked_at = $2 WHERE fid = $1 AND revoked_at IS NULL
       AND NOT EXISTS (SELECT 1 FROM users WHERE fid = $1 AND active)`,
      [fid, this.clock.now()],
    );
  }

  async get(id: string): Promise<SessionInfoDto> {
    const session = await this.sessions.findOneBy({ id });
    if (!session) throw DomainError.notFound('Session');
    return this.mapInfo(session);
  }

  /** Drops sessions that ended (expired or revoked) more than a day ago. */
  async purgeEnded(): Promise<number> {
    const cutoff = new Date(this.clock.now().getTime() - 24 * 3_600_000);
    const [, count]: [unknown, number] = await this.sessions.query(
      `DELETE FROM sessions WHERE expires_at < $1 OR revoked_at < $1`,
      [cutoff],
    );
    return count;
  }

  private async findLive(token: string | undefined): Promise<Session | null> {
    if (!token || !TOKEN_PATTERN.test(token)) return null;
    const session = await this.sessions.findOneBy({ tokenHash: sha256Hex(token) });
    if (!session || session.revokedAt || session.expiresAt <= this.clock.now()) return null;
    return session;
  }

  private describeSession(fid: string, memberships: Membership[], session: Pick<Session, 'id' | 'createdAt' | 'expiresAt'>): SessionDto {
    const active = memberships.filter((m) => m.active);
    const profile = memberships.find((m) => m.username !== null || m.displayName !== null) ?? memberships[0];
    return {
      user: { fid: Number(fid), username: profile?.username ?? null, display_name: profile?.displayName ?? null },
      tenants: active.map((m) => ({ id: m.tenantId, name: m.tenantName, role: m.role, default: m === active[0] })),
      session: this.mapInfo(session),
    };
  }

  private mapInfo(session: Pick<Session, 'id' | 'createdAt' | 'expiresAt'>): SessionInfoDto {
    return { id: session.id, created_at: session.createdAt.toISOString(), expires_at: session.expiresAt.toISOString() };
  }
}

function deactivated(where: string): DomainError {
  return new DomainError('user_deactivated', 401, `This user is deactivated ${where}`);
}
