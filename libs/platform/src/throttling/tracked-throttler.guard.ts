import { Injectable } from '@nestjs/common';
import { ThrottlerGuard } from '@nestjs/throttler';
import type { Request } from 'express';
import { sha256Hex } from '../crypto/crypto';

/**
 * Counts requests per credential when one is presented (hashed: the raw secret never becomes a
 * Redis key), else per client IP. Runs before authentication so floods of bad keys are limited too.
 */
@Injectable()
export class TrackedThrottlerGuard extends ThrottlerGuard {
  protected override async getTracker(req: Record<string, unknown>): Promise<string> {
    const request = req as unknown as Request;
    const credential = request.headers.authorization ?? request.headers['x-api-key'];
    if (typeof credential === 'string' && credential.length > 0) return `cred:${sha256Hex(credential).slice(0, 32)}`;
    return `ip:${request.ip ?? 'unknown'}`;
  }
}
