import { copyField } from './copy-in';

describe('COPY text format', () => {
  it('escapes what would end a field or a row, and writes NULL as \\N', () => {
    expect(copyField('a\tb\nc\\d\re')).toBe('a\\tb\\nc\\\\d\\re');
    expect(copyField(null)).toBe('\\N');
    expect(copyField(true)).toBe('true');
    expect(copyField(new Date('2026-11-22T10:00:00.000Z'))).toBe('2026-11-22T10:00:00.000Z');
  });

  it('keeps the literal text "\\N" apart from NULL', () => {
    expect(copyField('\\N')).toBe('\\\\N');
    expect(copyField('\\N')).not.toBe(copyField(null));
  });

  it('never lets a field hold a raw delimiter or line break', () => {
    for (const value of ['plain', 'tab\there', 'new\nline', 'cr\rhere', 'back\\slash', '', 'ünïcødé 🎯']) {
      expect(copyField(value)).not.toMatch(/[\t\n\r]/);
    }
  });
});
