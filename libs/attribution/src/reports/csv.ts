/**
 * One RFC 4180 record, CRLF-terminated: a field is quoted when it holds a comma, a quote, CR or LF,
 * with its quotes doubled. A field starting with `=`, `+`, `-` or `@` is prefixed with `'` so that a
 * spreadsheet opening the file shows it as text rather than running it as a formula.
 */
export function csvRow(fields: readonly string[]): string {
  return `${fields.map(csvField).join(',')}\r\n`;
}

function csvField(value: string): string {
  const safe = /^[=+\-@]/.test(value) && !/^-?\d+(\.\d+)?$/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}
