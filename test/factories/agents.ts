/*
 * Agents as a client written against seed 001 would make them: keys and signatures from @noble/curves
 * (a standard Ed25519 implementation, not the service's node:crypto), over canonical JSON built here,
 * independently of the service's own code.
 */
import { ed25519 } from '@noble/curves/ed25519';
import { randomInt } from 'node:crypto';
import type { TestApp } from '../support/test-app';

/** RFC 8785 for the JSON values these tests sign: keys sorted by UTF-16 code units, no whitespace. */
export function canonicalize(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalize).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const keys = Object.keys(value).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalize((value as Record<string, unknown>)[k])}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

export interface AgentKey {
  secretKey: Uint8Array;
  publicKey: string;
}

export function newKey(): AgentKey {
  const secretKey = ed25519.utils.randomPrivateKey();
  return { secretKey, publicKey: Buffer.from(ed25519.getPublicKey(secretKey)).toString('hex') };
}

export function signMessage(key: AgentKey, message: unknown): string {
  return Buffer.from(ed25519.sign(Buffer.from(canonicalize(message), 'utf8'), key.secretKey)).toString('hex');
}

/** A client IP of its own (X-Forwarded-For from loopback is trusted), so the per-IP limit does not couple tests. */
export const xff = () => ({ 'x-forwarded-for': `10.${randomInt(0, 255)}.${randomInt(0, 255)}.${randomInt(1, 255)}` });

export interface AgentFixture extends AgentKey {
  did: string;
  token: string;
}

export interface Profile {
  name: string;
  description?: string | null;
  capabilities?: { type: string; description?: string }[];
  tags?: string[];
  website?: string | null;
  avatar?: string | null;
}

/** The seed's registration body and its signature message (profile with its nulls and defaults). */
export function registrationBody(key: AgentKey, options: { profile?: Profile; referrer?: string; timestamp: number }) {
  const profile = options.profile ?? { name: 'Test Agent' };
  const signedProfile = {
    name: profile.name,
    description: profile.description ?? null,
    capabilities: profile.capabilities ?? [],
    tags: profile.tags ?? [],
    website: profile.website ?? null,
    avatar: profile.avatar ?? null,
  };
  const message: Record<string, unknown> = { purpose: 'registration', public_key: key.publicKey, profile: signedProfile, timestamp: options.timestamp };
  if (options.referrer !== undefined) message.referrer = options.referrer;
  return {
    public_key: key.publicKey,
    profile,
    ...(options.referrer !== undefined ? { referrer: options.referrer } : {}),
    timestamp: options.timestamp,
    signature: signMessage(key, message),
  };
}

export async function registerAgent(t: TestApp, options: { profile?: Profile; referrer?: string } = {}): Promise<AgentFixture> {
  const key = newKey();
  const res = await t.http
    .post('/api/agents/register')
    .set(xff())
    .send(registrationBody(key, { ...options, timestamp: t.clock.now().getTime() }))
    .expect(201);
  return { ...key, did: res.body.did, token: res.body.token };
}

/** Signs in (purpose `authenticate`) and keeps the fresh token on the fixture: tokens expire after 24 h of test time. */
export async function signIn(t: TestApp, agent: AgentFixture): Promise<string> {
  const timestamp = t.clock.now().getTime();
  const signature = signMessage(agent, { public_key: agent.publicKey, purpose: 'authenticate', timestamp });
  const res = await t.http.post('/api/agents/auth').set(xff()).send({ public_key: agent.publicKey, timestamp, signature }).expect(200);
  agent.token = res.body.token;
  return agent.token;
}

export function codeBody(agent: AgentFixture, timestamp: number, options: { max_uses?: number; expires_at?: number } = {}) {
  const message = {
    did: agent.did,
    expires_at: options.expires_at ?? null,
    max_uses: options.max_uses ?? null,
    purpose: 'create_referral_code',
    timestamp,
  };
  return { ...options, timestamp, signature: signMessage(agent, message) };
}

export function reviewBody(reviewer: AgentFixture, subjectDid: string, timestamp: number, rating: number, comment?: string) {
  const message = { comment: comment ?? null, did: reviewer.did, purpose: 'create_review', rating, subject_did: subjectDid, timestamp };
  return { rating, ...(comment !== undefined ? { comment } : {}), timestamp, signature: signMessage(reviewer, message) };
}

export async function createCode(t: TestApp, agent: AgentFixture, options: { max_uses?: number; expires_at?: number } = {}): Promise<string> {
  const res = await t.http
    .post('/api/referrals/code')
    .auth(agent.token, { type: 'bearer' })
    .send(codeBody(agent, t.clock.now().getTime(), options))
    .expect(201);
  return res.body.code;
}

export async function review(t: TestApp, reviewer: AgentFixture, subject: AgentFixture, rating = 5): Promise<void> {
  await t.http
    .post(`/api/agents/${subject.did}/reviews`)
    .auth(reviewer.token, { type: 'bearer' })
    .send(reviewBody(reviewer, subject.did, t.clock.now().getTime(), rating))
    .expect(201);
}
