import { PAYOUT_AMOUNT_PATTERN } from './payout-amount';

describe('payout amounts', () => {
  it.each(['0', '2.5', '2.50', '0.000001', '12345678901234.999999'])('accepts %s', (value) => {
    expect(PAYOUT_AMOUNT_PATTERN.test(value)).toBe(true);
  });

  it.each(['-1', '1.', '.5', '1.1234567', '1e3', '123456789012345', ' 1', '1,5', '+1', 'NaN'])('refuses %s', (value) => {
    expect(PAYOUT_AMOUNT_PATTERN.test(value)).toBe(false);
  });
});
