import { formatPayoutAmount, PAYOUT_AMOUNT_PATTERN } from './payout-amount';

describe('payout amounts', () => {
  it.each([
    ['2.500000', '2.50'],
    ['2.000000', '2.00'],
    ['0.000001', '0.000001'],
    ['0.000000', '0.00'],
    ['24.990000', '24.99'],
    ['12345678901234.123456', '12345678901234.123456'],
    ['7', '7.00'],
  ])('formats stored %s as %s', (stored, wire) => {
    expect(formatPayoutAmount(stored)).toBe(wire);
  });

  it.each(['0', '2.5', '2.50', '0.000001', '12345678901234.999999'])('accepts %s', (value) => {
    expect(PAYOUT_AMOUNT_PATTERN.test(value)).toBe(true);
  });

  it.each(['-1', '1.', '.5', '1.1234567', '1e3', '123456789012345', ' 1', '1,5', '+1', 'NaN'])('refuses %s', (value) => {
    expect(PAYOUT_AMOUNT_PATTERN.test(value)).toBe(false);
  });
});
