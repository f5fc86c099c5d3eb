import { BinaryCopyFields, BinaryCopyRows, BinaryCopyType, readBinaryCopyRows } from './binary-copy';

const TYPES: BinaryCopyType[] = ['uuid', 'int8', 'text', 'bool', 'timestamptz'];

function row(rows: BinaryCopyRows, values: [string | null, string | null, string | null, boolean, Date]): void {
  rows.row(TYPES.length).uuid(values[0]).int8(values[1]).text(values[2]).bool(values[3]).timestamptz(values[4].getTime());
}

describe('binary COPY rows', () => {
  it('starts with the PGCOPY signature and a zero header, and ends with the -1 trailer', () => {
    const payload = new BinaryCopyRows().payload();
    expect(payload.subarray(0, 11).toString('latin1')).toBe('PGCOPY\n\xff\r\n\0');
    expect(payload.readInt32BE(11)).toBe(0);
    expect(payload.readInt32BE(15)).toBe(0);
    expect(payload.readInt16BE(19)).toBe(-1);
    expect(payload).toHaveLength(21);
  });

  it('reads back exactly what it wrote, NULLs, text COPY would escape and timestamps either side of 2000 included', () => {
    const rows = new BinaryCopyRows(32);
    const written: [string | null, string | null, string | null, boolean, Date][] = [
      ['0f8e6a2c-3b1d-4c5e-9f70-1a2b3c4d5e6f', '9007199254740993', 'tab\there \\N ünïcødé 🎯', true, new Date('2026-11-22T10:00:00.123Z')],
      [null, null, null, false, new Date('1999-12-31T23:59:59.999Z')],
      ['FFFFFFFF-FFFF-FFFF-FFFF-FFFFFFFFFFFF', '-42', '', false, new Date('1970-01-01T00:00:00.000Z')],
    ];
    for (const values of written) row(rows, values);
    expect(rows.rowCount).toBe(3);
    expect(readBinaryCopyRows(rows.payload(), TYPES)).toEqual(
      written.map(([uuid, int8, text, bool, at]) => [uuid?.toLowerCase() ?? null, int8, text, bool, at.toISOString()]),
    );
  });

  it('keeps rows added after a payload was taken: the next payload carries them all', () => {
    const rows = new BinaryCopyRows();
    row(rows, [null, '1', 'first', true, new Date(0)]);
    expect(readBinaryCopyRows(rows.payload(), TYPES)).toHaveLength(1);
    row(rows, [null, '2', 'second', true, new Date(0)]);
    expect(readBinaryCopyRows(rows.payload(), TYPES).map((values) => values[2])).toEqual(['first', 'second']);
  });

  it('copies fields encoded once into each row', () => {
    const constant = new BinaryCopyFields(1).uuid('0f8e6a2c-3b1d-4c5e-9f70-1a2b3c4d5e6f').int8(null).bytes();
    const rows = new BinaryCopyRows();
    for (const text of ['a', 'b']) rows.row(TYPES.length).encoded(constant).text(text).bool(false).timestamptz(0);
    expect(readBinaryCopyRows(rows.payload(), TYPES)).toEqual(
      ['a', 'b'].map((text) => ['0f8e6a2c-3b1d-4c5e-9f70-1a2b3c4d5e6f', null, text, false, '1970-01-01T00:00:00.000Z']),
    );
  });

  it('refuses a value that is not a uuid instead of writing a row the server would reject', () => {
    expect(() => new BinaryCopyFields().uuid('not-a-uuid')).toThrow(TypeError);
  });

  it('refuses a row whose field count does not match the columns', () => {
    const rows = new BinaryCopyRows();
    rows.row(1).text('only one');
    expect(() => readBinaryCopyRows(rows.payload(), TYPES)).toThrow('expected 5');
  });
});
