import { Inject, Injectable, Logger } from '@nestjs/common';
import { AppClient, createAppClient } from '@farcaster/auth-client';
import { InjectDataSource } from '@nestjs/typeorm';
import { APP_CONFIG, AppConfig, Clock, DomainError, randomBase62, trustedOrigins } from '@refos/platform';
import { DataSource } from 'typeorm';
import { parseSiweMessage } from 'viem/siwe';
import { NonceDto, SignInDto } from './dto/auth.dto';
import { FARCASTER_CONNECTOR, FarcasterConnector } from './farcaster-connector';
import { OpenedSession, SessionsService } from './sessions.service';
import { checkSiwfMessage, SIWF_CLOCK_SKEW_MS, SIWF_MAX_AGE_MS } from './siwf-message';
import { UsersService } from './users.service';

export const SIWF_NONCE_TTL_MS = 10 * 60_000;

/** Sign In With Farcaster: single-use nonces, message and signature checks, then a session. */
@Injectable()
export class SiwfService {
  private readonly logger = new Logger(SiwfService.name);
  private readonly client: AppClient;
  private readonly allowedUriOrigins: string[];

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(FARCASTER_CONNECTOR) connector: FarcasterConnector,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly users: UsersService,
    private readonly sessions: SessionsService,
    private readonly clock: Clock,
  ) {
    this.client = createAppClient({ ethereum: connector });
    this.allowedUriOrigins = [...new Set([...trustedOrigins(config), `https://${config.siwfDomain}`])];
  }

  async issueNonce(): Promise<NonceDto> {
    const nonce = randomBase62(24);
    const expiresAt = new Date(this.clock.now().getTime() + SIWF_NONCE_TTL_MS);
    await this.dataSource.query(`INSERT INTO siwf_nonces (nonce, created_at, expires_at) VALUES ($1, $2, $3)`, [
      nonce,
      this.clock.now(),
      expiresAt,
    ]);
    return { nonce, expires_at: expiresAt.toISOString() };
  }

  /** Drops nonces that expired more than an hour ago (spent or not: either way they can no longer sign anyone in). */
  async purgeExpiredNonces(): Promise<number> {
    const [, count]: [unknown, number] = await this.dataSource.query(`DELETE FROM siwf_nonces WHERE expires_at < $1`, [
      new Date(this.clock.now().getTime() - 3_600_000),
    ]);
    return count;
  }

  /**
   * Checks what @farcaster/auth-client does not (domain, URI, issue time against our Clock, our
   * single-use nonce), spends the nonce, lets the library check the signature and that the signer
   * holds the FID, then provisions the user and opens a session in one transaction.
   */
  async signIn(dto: SignInDto, userAgent: string | undefined): Promise<OpenedSession> {
    const parsed = safeParse(dto.message);
    const problem = checkSiwfMessage(parsed, {
      domain: this.config.siwfDomain,
      allowedOrigins: this.allowedUriOrigins,
      now: this.clock.now(),
      maxAgeMs: SIWF_MAX_AGE_MS,
      skewMs: SIWF_CLOCK_SKEW_MS,
    });
    if (problem) throw new DomainError(problem.code, 401, problem.message);
    const nonce = parsed.nonce!;
    if (dto.nonce !== undefined && dto.nonce !== nonce) throw invalidNonce();

    // Spent before the signature check: whatever the outcome, a nonce serves one attempt.
    const [spent]: [unknown[], number] = await this.dataSource.query(
      `UPDATE siwf_nonces SET used_at = $2 WHERE nonce = $1 AND used_at IS NULL AND expires_at > $2 RETURNING nonce`,
      [nonce, this.clock.now()],
    );
    if (spent.length === 0) throw invalidNonce();

    const result = await this.client.verifySignInMessage({
      nonce,
      domain: this.config.siwfDomain,
      message: dto.message,
      signature: dto.signature as `0x${string}`,
    });
    if (result.isError) throw this.toDomainError(result.error);

    const fid = String(result.fid);
    return this.dataSource.transaction(async (manager) => {
      await this.users.provisionOnSignIn(manager, fid, { username: dto.username, displayName: dto.display_name });
      return this.sessions.open(manager, fid, userAgent);
    });
  }

  private toDomainError(error: { errCode: string; message: string } | undefined): DomainError {
    const message = error?.message ?? '';
    switch (error?.errCode) {
      case 'unavailable':
        this.logger.warn({ err: error }, 'Farcaster registry lookup failed');
        return new DomainError('farcaster_unavailable', 503, 'Could not reach the Farcaster registry on Optimism: retry shortly');
      case 'bad_request.validation_failure':
        return /expired/i.test(message)
          ? new DomainError('message_expired', 401, 'The message has expired: sign in again')
          : new DomainError('invalid_message', 401, `The message is not a valid Sign In With Farcaster message: ${message}`);
      case 'unauthorized':
        if (message.startsWith('Invalid nonce')) return invalidNonce();
        if (message.startsWith('Invalid domain')) return new DomainError('invalid_domain', 401, `The message must be for the domain "${this.config.siwfDomain}"`);
        if (message.startsWith('Invalid resource')) {
          return new DomainError('fid_mismatch', 401, 'The signer is neither the custody address nor an auth address of the FID in the message');
        }
        return new DomainError('invalid_signature', 401, 'The signature does not match the message');
      default:
        return new DomainError('invalid_signature', 401, 'The signature could not be verified');
    }
  }
}

function safeParse(message: string): ReturnType<typeof parseSiweMessage> {
  try {
    return parseSiweMessage(message);
  } catch {
    return {};
  }
}

function invalidNonce(): DomainError {
  return new DomainError('invalid_nonce', 401, 'The nonce is unknown, expired or already used: get a new one from GET /api/auth/nonce');
}
