import { copyField, copyLine, parseCopyLine } from './copy-in';

describe('COPY text format', () => {
  it('escapes what would end a field or a row, and writes NULL as \\N', () => {
    expect(copyField('a\tb\nc\\d\re')).toBe('a\\tb\\nc\\\\d\\re');
    expect(copyField(null)).toBe('\\N');
    expect(copyField(true)).toBe('true');
    expect(copyField(new Date('2026-11-22T10:00:00.000Z'))).toBe('2026-11-22T10:00:00.000Z');
  });

  it('keeps the literal text "\\N" apart from NULL', () => {
    expect(copyField('\\N')).toBe('\\\\N');
    expect(parseCopyLine(copyLine(['\\N', null]).slice(0, -1))).toEqual(['\\N', null]);
  });

  it('parses back exactly what it wrote', () => {
    const values = ['plain', 'tab\there', 'new\nline', 'back\\slash', '\\t literal', '', null, 'ünïcødé 🎯'];
    const line = copyLine(values);
    expect(line.endsWith('\n')).toBe(true);
    expect(line.slice(0, -1)).not.toMatch(/[\n\r]/);
    expect(parseCopyLine(line.slice(0, -1))).toEqual(values);
  });
});
