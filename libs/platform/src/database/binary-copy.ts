/** The column types the binary COPY writer and reader know. */
export type BinaryCopyType = 'uuid' | 'text' | 'bool' | 'int8' | 'timestamptz';
export type BinaryCopyValue = string | boolean | null;

const SIGNATURE = Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1');
/** The signature, then a flags word and a header-extension length, both zero. */
const HEADER_LENGTH = SIGNATURE.length + 8;
const NULL_LENGTH = -1;
/** PostgreSQL counts timestamps in microseconds from 2000-01-01 UTC. */
const PG_EPOCH_MS = Date.UTC(2000, 0, 1);
const TWO_32 = 2 ** 32;
const UUID_HEX = /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i;

/**
 * Fields in PostgreSQL's binary COPY format, written straight into one growing Buffer. Against the
 * text format the server parses no uuid, timestamp or boolean and the client builds no string per
 * field: each value is a length and its bytes, with nothing to escape.
 */
export class BinaryCopyFields {
  protected buffer: Buffer;
  protected length = 0;

  constructor(initialBytes = 256) {
    this.buffer = Buffer.allocUnsafe(initialBytes);
  }

  null(): this {
    this.reserve(4);
    this.length = this.buffer.writeInt32BE(NULL_LENGTH, this.length);
    return this;
  }

  text(value: string | null): this {
    if (value === null) return this.null();
    this.reserve(4 + value.length * 3);
    const bytes = this.buffer.write(value, this.length + 4, 'utf8');
    this.buffer.writeInt32BE(bytes, this.length);
    this.length += 4 + bytes;
    return this;
  }

  uuid(value: string | null): this {
    if (value === null) return this.null();
    if (!UUID_HEX.test(value)) throw new TypeError(`not a uuid: ${value}`);
    this.reserve(20);
    this.buffer.writeInt32BE(16, this.length);
    this.buffer.write(value.replaceAll('-', ''), this.length + 4, 'hex');
    this.length += 20;
    return this;
  }

  bool(value: boolean): this {
    this.reserve(5);
    this.buffer.writeInt32BE(1, this.length);
    this.length = this.buffer.writeUInt8(value ? 1 : 0, this.length + 4);
    return this;
  }

  int8(value: string | number | null): this {
    if (value === null) return this.null();
    this.reserve(12);
    this.buffer.writeInt32BE(8, this.length);
    this.length = this.buffer.writeBigInt64BE(BigInt(value), this.length + 4);
    return this;
  }

  timestamptz(epochMs: number): this {
    // Two 32-bit halves instead of a BigInt per row: microseconds since 2000 stay below 2^53.
    const micros = (epochMs - PG_EPOCH_MS) * 1000;
    const high = Math.floor(micros / TWO_32);
    this.reserve(12);
    this.buffer.writeInt32BE(8, this.length);
    this.buffer.writeInt32BE(high, this.length + 4);
    this.length = this.buffer.writeUInt32BE(micros - high * TWO_32, this.length + 8);
    return this;
  }

  /** Fields encoded earlier by another writer (constant columns encoded once, copied per row). */
  encoded(fields: Buffer): this {
    this.reserve(fields.length);
    this.length += fields.copy(this.buffer, this.length);
    return this;
  }

  /** A copy of what was written, to keep. */
  bytes(): Buffer {
    return Buffer.from(this.buffer.subarray(0, this.length));
  }

  protected reserve(bytes: number): void {
    if (this.length + bytes <= this.buffer.length) return;
    const grown = Buffer.allocUnsafe(Math.max(this.buffer.length * 2, this.length + bytes));
    this.buffer.copy(grown, 0, 0, this.length);
    this.buffer = grown;
  }
}

/** Whole rows for `COPY … FROM STDIN (FORMAT binary)`: a header, rows, and a trailer added by `payload()`. */
export class BinaryCopyRows extends BinaryCopyFields {
  private rows = 0;

  constructor(initialBytes = 64 * 1024) {
    super(Math.max(initialBytes, HEADER_LENGTH + 2));
    SIGNATURE.copy(this.buffer);
    this.buffer.fill(0, SIGNATURE.length, HEADER_LENGTH);
    this.length = HEADER_LENGTH;
  }

  get rowCount(): number {
    return this.rows;
  }

  /** Empties it for reuse, keeping its buffer. */
  reset(): this {
    this.length = HEADER_LENGTH;
    this.rows = 0;
    return this;
  }

  /** Starts a row; exactly `fieldCount` fields must follow. */
  row(fieldCount: number): this {
    this.reserve(2);
    this.length = this.buffer.writeInt16BE(fieldCount, this.length);
    this.rows++;
    return this;
  }

  /**
   * The rows with the trailer after them, as a view of the internal buffer: valid until the next
   * row or `reset()`. The trailer is not counted in, so rows added later overwrite it and the next
   * payload carries them all.
   */
  payload(): Buffer {
    this.reserve(2);
    this.buffer.writeInt16BE(-1, this.length);
    return this.buffer.subarray(0, this.length + 2);
  }
}

/**
 * Reads a payload of this writer back, each field as a JSON value PostgreSQL casts to its type (text,
 * booleans as booleans, timestamps to the millisecond): for writes that cannot use COPY (the embedded
 * database, an INSERT … ON CONFLICT retry).
 */
export function readBinaryCopyRows(payload: Buffer, types: readonly BinaryCopyType[]): BinaryCopyValue[][] {
  if (!payload.subarray(0, SIGNATURE.length).equals(SIGNATURE)) throw new Error('not a binary COPY payload');
  let offset = HEADER_LENGTH + payload.readInt32BE(SIGNATURE.length + 4);
  const rows: BinaryCopyValue[][] = [];
  for (;;) {
    const fieldCount = payload.readInt16BE(offset);
    offset += 2;
    if (fieldCount === -1) return rows;
    if (fieldCount !== types.length) throw new Error(`binary COPY row has ${fieldCount} fields, expected ${types.length}`);
    const row: BinaryCopyValue[] = [];
    for (const type of types) {
      const length = payload.readInt32BE(offset);
      offset += 4;
      row.push(length === NULL_LENGTH ? null : readField(payload.subarray(offset, offset + length), type));
      if (length !== NULL_LENGTH) offset += length;
    }
    rows.push(row);
  }
}

function readField(bytes: Buffer, type: BinaryCopyType): BinaryCopyValue {
  switch (type) {
    case 'text':
      return bytes.toString('utf8');
    case 'bool':
      return bytes[0] === 1;
    case 'int8':
      return bytes.readBigInt64BE(0).toString();
    case 'timestamptz':
      return new Date(PG_EPOCH_MS + (bytes.readInt32BE(0) * TWO_32 + bytes.readUInt32BE(4)) / 1000).toISOString();
    case 'uuid': {
      const hex = bytes.toString('hex');
      return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
    }
  }
}
