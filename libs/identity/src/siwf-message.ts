import type { SiweMessage } from 'viem/siwe';

/** What @farcaster/auth-client leaves to the server: where the message was made for, and when. */
export interface SiwfMessagePolicy {
  /** SIWF_DOMAIN: the authority the message must name. */
  domain: string;
  /** Origins the message's `uri` may have. */
  allowedOrigins: readonly string[];
  now: Date;
  /** How old `issuedAt` may be. */
  maxAgeMs: number;
  /** Tolerated clock difference with the signer's device. */
  skewMs: number;
}

export interface SiwfMessageProblem {
  code: 'invalid_message' | 'invalid_domain' | 'invalid_uri' | 'message_expired' | 'message_not_yet_valid';
  message: string;
}

export const SIWF_MAX_AGE_MS = 10 * 60_000;
export const SIWF_CLOCK_SKEW_MS = 60_000;

/** The first problem of a parsed SIWE message under the policy, or null when it may go on to signature checks. */
export function checkSiwfMessage(message: Partial<SiweMessage>, policy: SiwfMessagePolicy): SiwfMessageProblem | null {
  if (!message.address || !message.nonce || !message.uri || !message.issuedAt || Number.isNaN(message.issuedAt.getTime())) {
    return { code: 'invalid_message', message: 'The message is not a complete EIP-4361 (SIWE) message' };
  }
  if (message.domain !== policy.domain) {
    return { code: 'invalid_domain', message: `The message must be for the domain "${policy.domain}"` };
  }
  if (!policy.allowedOrigins.includes(originOf(message.uri) ?? '')) {
    return { code: 'invalid_uri', message: 'The message URI is not an origin this service accepts sign-ins for' };
  }
  const now = policy.now.getTime();
  if (message.issuedAt.getTime() > now + policy.skewMs) {
    return { code: 'message_not_yet_valid', message: 'The message is issued in the future: check the device clock' };
  }
  if (message.notBefore && message.notBefore.getTime() > now + policy.skewMs) {
    return { code: 'message_not_yet_valid', message: 'The message is not valid yet (notBefore)' };
  }
  if (message.issuedAt.getTime() < now - policy.maxAgeMs) {
    return { code: 'message_expired', message: `The message was issued more than ${policy.maxAgeMs / 60_000} minutes ago: sign in again` };
  }
  if (message.expirationTime && message.expirationTime.getTime() <= now) {
    return { code: 'message_expired', message: 'The message has expired: sign in again' };
  }
  return null;
}

function originOf(uri: string): string | undefined {
  try {
    const origin = new URL(uri).origin;
    return origin === 'null' ? undefined : origin;
  } catch {
    return undefined;
  }
}
