import { createCipheriv, createDecipheriv, createHash, randomBytes, randomFillSync, timingSafeEqual } from 'node:crypto';

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

// Random bytes are drawn from a pool refilled 8 KiB at a time: one randomFillSync per ~180 tokens
// instead of one call per token (a hot path such as the redirect mints a click id per request).
const POOL_SIZE = 8192;
const pool = Buffer.allocUnsafe(POOL_SIZE);
let poolOffset = POOL_SIZE;

function randomByte(): number {
  if (poolOffset === POOL_SIZE) {
    randomFillSync(pool);
    poolOffset = 0;
  }
  return pool[poolOffset++];
}

/** An unguessable base62 string of `length` characters (rejection sampling keeps it unbiased). */
export function randomBase62(length: number): string {
  let out = '';
  while (out.length < length) {
    const byte = randomByte();
    // 248 = 4 × 62: bytes above it would favour the first characters.
    if (byte < 248) out += BASE62[byte % 62];
  }
  return out;
}

const TIME_DIGITS = 9;

/**
 * `length` characters that sort by `epochMs`: 9 lowercase base36 digits of milliseconds (until the
 * year 5188), then random base62 ones. Ids written in time order land on the hot right edge of a
 * B-tree instead of a random leaf, the reason UUIDv7 and ULID exist. Digits and lowercase letters
 * sort alike in byte order and in linguistic collations such as en_US, which would interleave upper
 * and lower case. The 13 random characters of a 22-character id carry 77 bits; the time part tells
 * only when the id was made.
 */
export function timeOrderedId(epochMs: number, length: number): string {
  return Math.floor(epochMs).toString(36).padStart(TIME_DIGITS, '0') + randomBase62(length - TIME_DIGITS);
}

export function sha256Hex(value: string | Buffer): string {
  return createHash('sha256').update(value).digest('hex');
}

/** Compares two secrets without leaking where they differ; lengths are hidden by hashing first. */
export function constantTimeEqual(a: string, b: string): boolean {
  return timingSafeEqual(createHash('sha256').update(a).digest(), createHash('sha256').update(b).digest());
}

export interface KeyRingEntry {
  id: string;
  key: Buffer;
}

/**
 * AES-256-GCM envelope `v1.<key id>.<iv>.<tag>.<ciphertext>` (base64url parts). The key id lets
 * old ciphertexts decrypt after the active key rotates.
 */
export class SecretBox {
  constructor(private readonly keyRing: KeyRingEntry[]) {
    if (keyRing.length === 0) throw new Error('SecretBox needs at least one key');
  }

  seal(plaintext: string): string {
    const { id, key } = this.keyRing[0];
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', key, iv);
    cipher.setAAD(Buffer.from(id));
    const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return ['v1', id, iv.toString('base64url'), cipher.getAuthTag().toString('base64url'), ciphertext.toString('base64url')].join('.');
  }

  open(envelope: string): string {
    const [version, id, iv, tag, ciphertext] = envelope.split('.');
    const entry = this.keyRing.find((k) => k.id === id);
    if (version !== 'v1' || !entry || ciphertext === undefined) throw new Error('Unreadable secret envelope');
    const decipher = createDecipheriv('aes-256-gcm', entry.key, Buffer.from(iv, 'base64url'));
    decipher.setAAD(Buffer.from(id));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    return Buffer.concat([decipher.update(Buffer.from(ciphertext, 'base64url')), decipher.final()]).toString('utf8');
  }
}

/**
 * A UUIDv7 (RFC 9562): 48 bits of Unix milliseconds, then random. Ids of rows written at high rates
 * land at the right end of their B-tree index instead of on random pages.
 */
export function uuidv7(now = Date.now()): string {
  const bytes = Buffer.allocUnsafe(16);
  bytes.writeUIntBE(now, 0, 6);
  for (let i = 6; i < 16; i++) bytes[i] = randomByte();
  bytes[6] = 0x70 | (bytes[6] & 0x0f);
  bytes[8] = 0x80 | (bytes[8] & 0x3f);
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
