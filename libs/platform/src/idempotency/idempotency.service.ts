import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { Clock } from '../clock/clock';
import { SecretBox } from '../crypto/crypto';
import { DomainError } from '../errors/domain-error';
import { APP_CONFIG, AppConfig } from '../config/config';

/** How long a request may run before its key counts as abandoned (crashed process) and is reusable. */
const IN_PROGRESS_LEASE_MS = 60_000;
const PURGE_BATCH = 5_000;

/** A claimed record, fenced by the lease it was claimed with: a later owner's lease differs. */
export interface IdempotencyLease {
  recordId: string;
  lockedUntil: Date;
}

export type IdempotencyClaim =
  | { outcome: 'claimed'; lease: IdempotencyLease }
  | { outcome: 'replay'; status: number; body: string | null }
  | { outcome: 'in_progress' }
  | { outcome: 'mismatch' };

/**
 * Exactly-once for retried writes, strict across instances: the unique (scope, key) row is the lock.
 * One INSERT … ON CONFLICT decides who runs the handler; everyone else reads the outcome.
 */
@Injectable()
export class IdempotencyService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly clock: Clock,
    private readonly secrets: SecretBox,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async claim(scope: string, key: string, fingerprint: string): Promise<IdempotencyClaim> {
    const now = this.clock.now();
    const lockedUntil = new Date(now.getTime() + IN_PROGRESS_LEASE_MS);
    const expiresAt = new Date(now.getTime() + this.config.idempotencyTtlHours * 3_600_000);
    // A row may be taken over when it expired, or when its request died holding it with the same body.
    const claimed: { id: string }[] = await this.dataSource.query(
      `INSERT INTO idempotency_records (scope, key, fingerprint, state, locked_until, created_at, expires_at)
       VALUES ($1, $2, $3, 'in_progress', $4, $5, $6)
       ON CONFLICT (scope, key) DO UPDATE
         SET fingerprint = EXCLUDED.fingerprint, state = 'in_progress', response_status = NULL,
             response_body = NULL, locked_until = EXCLUDED.locked_until,
             created_at = EXCLUDED.created_at, expires_at = EXCLUDED.expires_at
         WHERE idempotency_records.expires_at <= $5
            OR (idempotency_records.state = 'in_progress' AND idempotency_records.locked_until <= $5
                AND idempotency_records.fingerprint = EXCLUDED.fingerprint)
       RETURNING id`,
      [scope, key, fingerprint, lockedUntil, now, expiresAt],
    );
    if (claimed.length === 1) return { outcome: 'claimed', lease: { recordId: claimed[0].id, lockedUntil } };

    const [existing]: { fingerprint: string; state: string; response_status: number | null; response_body: string | null }[] =
      await this.dataSource.query(
        `SELECT fingerprint, state, response_status, response_body FROM idempotency_records WHERE scope = $1 AND key = $2`,
        [scope, key],
      );
    // Released between our INSERT and SELECT (the first request failed): the caller may simply retry.
    if (!existing) return { outcome: 'in_progress' };
    if (existing.fingerprint !== fingerprint) return { outcome: 'mismatch' };
    if (existing.state === 'completed') {
      return { outcome: 'replay', status: existing.response_status ?? 200, body: this.openBody(existing.response_body) };
    }
    return { outcome: 'in_progress' };
  }

  /** Stores the answer sealed: first answers carry one-time secrets (new API keys) that must not sit in plaintext. */
  async complete(lease: IdempotencyLease, status: number, body: string | null): Promise<void> {
    await this.dataSource.query(
      `UPDATE idempotency_records SET state = 'completed', response_status = $3, response_body = $4
       WHERE id = $1 AND locked_until = $2 AND state = 'in_progress'`,
      [lease.recordId, lease.lockedUntil, status, body === null ? null : this.secrets.seal(body)],
    );
  }

  private openBody(sealed: string | null): string | null {
    if (sealed === null) return null;
    try {
      return this.secrets.open(sealed);
    } catch {
      throw new DomainError(
        'idempotency_record_unreadable',
        422,
        'The stored answer for this Idempotency-Key can no longer be read (its encryption key was retired); use a new key',
      );
    }
  }

  /** The handler failed: forget the key so a corrected or later retry runs for real. */
  async release(lease: IdempotencyLease): Promise<void> {
    await this.dataSource.query(
      `DELETE FROM idempotency_records WHERE id = $1 AND locked_until = $2 AND state = 'in_progress'`,
      [lease.recordId, lease.lockedUntil],
    );
  }

  /** Deletes expired records in bounded batches; returns how many went. */
  async purgeExpired(): Promise<number> {
    let total = 0;
    for (;;) {
      const [, deleted]: [unknown, number] = await this.dataSource.query(
        `DELETE FROM idempotency_records WHERE id IN (
           SELECT id FROM idempotency_records WHERE expires_at <= $1 LIMIT ${PURGE_BATCH})`,
        [this.clock.now()],
      );
      total += deleted;
      if (deleted < PURGE_BATCH) return total;
    }
  }
}
