import { createPublicKey, verify } from 'node:crypto';
import { canonicalJson } from '@refos/platform';

/** Signed requests carry a `timestamp` (Unix ms) within this much of the server's clock. */
export const SIGNATURE_WINDOW_MS = 5 * 60_000;

export const SIGNATURE_PURPOSES = ['registration', 'authenticate', 'create_referral_code', 'create_review'] as const;
export type SignaturePurpose = (typeof SIGNATURE_PURPOSES)[number];

export interface AgentProfileInput {
  name: string;
  description?: string | null;
  capabilities?: { type: string; description?: string }[] | null;
  tags?: string[] | null;
  website?: string | null;
  avatar?: string | null;
}

/** The profile as signed and stored: every key present, absent ones as null (text) or [] (lists). */
export function normalizedProfile(profile: AgentProfileInput) {
  return {
    avatar: profile.avatar ?? null,
    capabilities: (profile.capabilities ?? []).map((c) => (c.description === undefined ? { type: c.type } : { type: c.type, description: c.description })),
    description: profile.description ?? null,
    name: profile.name,
    tags: profile.tags ?? [],
    website: profile.website ?? null,
  };
}

/** Seed 001 "Signature Message" of POST /api/agents/register; `referrer` only when one is given. */
export function registrationMessage(input: { public_key: string; profile: AgentProfileInput; referrer?: string | null; timestamp: number }) {
  return {
    purpose: 'registration' as const,
    public_key: input.public_key,
    profile: normalizedProfile(input.profile),
    ...(input.referrer != null ? { referrer: input.referrer } : {}),
    timestamp: input.timestamp,
  };
}

export function authenticationMessage(input: { public_key: string; timestamp: number }) {
  return { public_key: input.public_key, purpose: 'authenticate' as const, timestamp: input.timestamp };
}

/** `expires_at` and `max_uses` as sent: null when the request leaves them to their defaults. */
export function referralCodeMessage(input: { did: string; expires_at?: number | null; max_uses?: number | null; timestamp: number }) {
  return {
    did: input.did,
    expires_at: input.expires_at ?? null,
    max_uses: input.max_uses ?? null,
    purpose: 'create_referral_code' as const,
    timestamp: input.timestamp,
  };
}

export function reviewMessage(input: { did: string; subject_did: string; rating: number; comment?: string | null; timestamp: number }) {
  return {
    comment: input.comment ?? null,
    did: input.did,
    purpose: 'create_review' as const,
    rating: input.rating,
    subject_did: input.subject_did,
    timestamp: input.timestamp,
  };
}

// An Ed25519 SubjectPublicKeyInfo is this fixed DER prefix followed by the 32 raw key bytes (RFC 8410).
const ED25519_SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');

/** True when `signatureHex` is `publicKeyHex`'s Ed25519 signature of the message's RFC 8785 canonical JSON. */
export function verifySignedMessage(message: object, publicKeyHex: string, signatureHex: string): boolean {
  const raw = Buffer.from(publicKeyHex, 'hex');
  const signature = Buffer.from(signatureHex, 'hex');
  if (raw.length !== 32 || signature.length !== 64) return false;
  try {
    const key = createPublicKey({ key: Buffer.concat([ED25519_SPKI_PREFIX, raw]), format: 'der', type: 'spki' });
    return verify(null, Buffer.from(canonicalJson(message), 'utf8'), key, signature);
  } catch {
    // Bytes that are not a point on the curve: an invalid key, so an invalid signature.
    return false;
  }
}
