/**
 * A stored `numeric` amount as the wire shows money: `"2.500000"` → `"2.50"`. Trailing zeros are
 * dropped and at least two decimals kept; the value never passes through a float.
 */
export function formatAmount(stored: string): string {
  const [whole, fraction = ''] = stored.split('.');
  const trimmed = fraction.replace(/0+$/, '');
  return `${whole.replace(/^0+(?=\d)/, '')}.${trimmed.padEnd(2, '0')}`;
}

/** `amount × count`, exactly: the amount is scaled to integer micro-units (6 decimals) rather than passed through a float. */
export function multiplyAmount(amount: string, count: number): string {
  const [whole, fraction = ''] = amount.split('.');
  const micros = BigInt(whole + fraction.padEnd(6, '0')) * BigInt(count);
  const digits = micros.toString().padStart(7, '0');
  return formatAmount(`${digits.slice(0, -6)}.${digits.slice(-6)}`);
}
