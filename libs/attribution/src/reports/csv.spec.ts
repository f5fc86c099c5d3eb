import { csvRow } from './csv';

describe('csvRow', () => {
  it('leaves plain fields bare and ends the record with CRLF', () => {
    expect(csvRow(['3621', 'alice', '12.50', ''])).toBe('3621,alice,12.50,\r\n');
  });

  it('quotes fields with commas, quotes or line breaks, doubling quotes', () => {
    expect(csvRow(['a,b', 'say "hi"', 'two\nlines', 'cr\r'])).toBe('"a,b","say ""hi""","two\nlines","cr\r"\r\n');
  });

  it('neutralises spreadsheet formulas but keeps negative numbers', () => {
    expect(csvRow(['=HYPERLINK("x")', '+1+1', '@SUM(A1)', '-2.50'])).toBe(`"'=HYPERLINK(""x"")",'+1+1,'@SUM(A1),-2.50\r\n`);
  });
});
