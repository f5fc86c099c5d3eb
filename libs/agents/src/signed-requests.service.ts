import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Clock, DomainError, sha256Hex } from '@refos/platform';
import { EntityManager, LessThan, Repository } from 'typeorm';
import { AgentSignature } from './agent-signature.entity';
import { SIGNATURE_WINDOW_MS, SignaturePurpose, verifySignedMessage } from './signed-message';

/** Timestamp window, Ed25519 verification and replay refusal, shared by every signed agent request. */
@Injectable()
export class SignedRequestsService {
  constructor(
    @InjectRepository(AgentSignature) private readonly signatures: Repository<AgentSignature>,
    private readonly clock: Clock,
  ) {}

  /** 401 unless `timestamp` is within ±5 minutes and `signature` is `publicKey`'s signature of `message`. */
  verify(message: { timestamp: number }, publicKey: string, signature: string): void {
    if (Math.abs(this.clock.now().getTime() - message.timestamp) > SIGNATURE_WINDOW_MS) {
      throw new DomainError('timestamp_out_of_window', 401, 'Unauthorized: timestamp is more than 5 minutes away from the server clock');
    }
    if (!verifySignedMessage(message, publicKey, signature)) {
      throw new DomainError('invalid_signature', 401, 'Unauthorized: invalid signature');
    }
  }

  /**
   * Records the signature in the caller's transaction (so a request that fails leaves it unused); the
   * primary key makes a second use, even a concurrent one, a 401.
   */
  async consume(manager: EntityManager, purpose: SignaturePurpose, signature: string, timestamp: number): Promise<void> {
    const rows: unknown[] = await manager.query(
      `INSERT INTO agent_signatures (signature_hash, purpose, signed_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING RETURNING 1`,
      [sha256Hex(Buffer.from(signature, 'hex')), purpose, new Date(timestamp)],
    );
    if (rows.length === 0) throw new DomainError('signature_replayed', 401, 'Unauthorized: signature already used');
  }

  /** Drops signatures whose timestamps the window refuses anyway. */
  async purgeExpired(): Promise<number> {
    const cutoff = new Date(this.clock.now().getTime() - 2 * SIGNATURE_WINDOW_MS);
    const result = await this.signatures.delete({ signedAt: LessThan(cutoff) });
    return result.affected ?? 0;
  }
}
