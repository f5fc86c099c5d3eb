/** numeric(20,6): up to 14 integer digits and 6 decimals, no sign, no exponent. */
export const PAYOUT_AMOUNT_PATTERN = /^\d{1,14}(\.\d{1,6})?$/;

/** `"2.500000"` (as PostgreSQL returns numeric(20,6)) → `"2.50"`: trailing zeros dropped, at least two decimals kept. */
export function formatPayoutAmount(stored: string): string {
  const [whole, fraction = ''] = stored.split('.');
  const trimmed = fraction.replace(/0+$/, '');
  return `${whole.replace(/^0+(?=\d)/, '')}.${trimmed.padEnd(2, '0')}`;
}
