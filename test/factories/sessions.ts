import type { FarcasterConnector } from '@refos/identity';
import { SESSION_COOKIE } from '@refos/platform';
import { randomInt } from 'node:crypto';
import { type Address, createPublicClient, custom } from 'viem';
import { generatePrivateKey, type PrivateKeyAccount, privateKeyToAccount } from 'viem/accounts';
import { optimism } from 'viem/chains';
import { createSiweMessage, type SiweMessage } from 'viem/siwe';
import type { Response } from 'supertest';
import type { TestApp } from '../support/test-app';

export interface FarcasterAccount {
  fid: number;
  /** The FID's custody key: a fresh key, so its signatures are real. */
  custody: PrivateKeyAccount;
}

/**
 * Stands in for the Optimism IdRegistry/KeyRegistry: FIDs map to fresh viem keys. Its publicClient
 * answers `eth_call` (the ERC-1271/6492 attempt) with 32 zero bytes so ordinary key signatures are
 * verified locally, offline and in milliseconds (`retryCount: 0`).
 */
export class FakeFarcasterRegistry {
  private readonly custodyFids = new Map<string, bigint>();
  private readonly authAddresses = new Map<string, bigint>();
  private nextFid = 10_000 + randomInt(1_000_000);

  readonly connector: FarcasterConnector = {
    getFid: async (custody: Address) => this.custodyFids.get(custody.toLowerCase()) ?? 0n,
    isValidAuthAddress: async (address: Address, fid: bigint) => this.authAddresses.get(address.toLowerCase()) === fid,
    publicClient: createPublicClient({
      chain: optimism,
      transport: custom(
        {
          async request({ method }: { method: string }) {
            if (method === 'eth_call') return `0x${'0'.repeat(64)}`;
            if (method === 'eth_chainId') return '0xa';
            throw new Error(`offline test chain: ${method} is not served`);
          },
        },
        { retryCount: 0 },
      ),
    }),
  };

  /** A new FID whose custody address is a fresh key. */
  register(): FarcasterAccount {
    const custody = privateKeyToAccount(generatePrivateKey());
    const fid = this.nextFid++;
    this.custodyFids.set(custody.address.toLowerCase(), BigInt(fid));
    return { fid, custody };
  }

  /** Registers another fresh key as an auth address (KeyRegistry key type 2) of the FID. */
  addAuthAddress(fid: number): PrivateKeyAccount {
    const key = privateKeyToAccount(generatePrivateKey());
    this.authAddresses.set(key.address.toLowerCase(), BigInt(fid));
    return key;
  }
}

/** A client IP of its own, so the per-IP sign-in limit of one test does not spill into the next. */
export function randomIp(): string {
  return `10.${randomInt(256)}.${randomInt(256)}.${randomInt(1, 255)}`;
}

export async function getNonce(t: TestApp, ip = randomIp()): Promise<string> {
  const res = await t.http.get('/api/auth/nonce').set('X-Forwarded-For', ip).expect(200);
  return res.body.nonce;
}

/** The SIWF message a Farcaster client would build for this service, with any field overridden. */
export function siwfMessage(t: TestApp, fid: number, address: Address, nonce: string, overrides: Partial<SiweMessage> = {}): string {
  return createSiweMessage({
    domain: t.config.siwfDomain,
    address,
    statement: 'Farcaster Auth',
    uri: t.config.publicBaseUrl,
    version: '1',
    chainId: 10,
    nonce,
    issuedAt: t.clock.now(),
    resources: [`farcaster://fid/${fid}`],
    ...overrides,
  });
}

export interface SignInOptions {
  message?: Partial<SiweMessage>;
  /** Who signs; the custody key by default. */
  signer?: PrivateKeyAccount;
  /** The address the message names; the signer's by default. */
  address?: Address;
  body?: Record<string, unknown>;
}

/** POST /api/auth/siwf with a freshly signed message; the caller asserts the status. */
export async function attemptSignIn(t: TestApp, who: FarcasterAccount, options: SignInOptions = {}): Promise<Response> {
  const ip = randomIp();
  const nonce = options.message?.nonce ?? (await getNonce(t, ip));
  const signer = options.signer ?? who.custody;
  const message = siwfMessage(t, who.fid, options.address ?? signer.address, nonce, options.message);
  const signature = await signer.signMessage({ message });
  return t.http.post('/api/auth/siwf').set('X-Forwarded-For', ip).send({ message, signature, ...options.body });
}

/** Signs in and returns the `Cookie` header value that carries the session. */
export async function signIn(t: TestApp, who: FarcasterAccount, options: SignInOptions = {}): Promise<{ cookie: string; res: Response }> {
  const res = await attemptSignIn(t, who, options);
  if (res.status !== 200) throw new Error(`sign-in failed: ${res.status} ${JSON.stringify(res.body)}`);
  return { cookie: sessionCookie(res)!, res };
}

/** `refos_session=<token>` from a response's Set-Cookie, if it sets one. */
export function sessionCookie(res: Response): string | undefined {
  const header = ([] as string[]).concat(res.headers['set-cookie'] ?? []).find((c) => c.startsWith(`${SESSION_COOKIE}=`));
  return header?.split(';')[0];
}
