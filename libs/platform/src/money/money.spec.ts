import { formatAmount, multiplyAmount } from './money';

describe('formatAmount', () => {
  it.each([
    ['2.500000', '2.50'],
    ['2.000000', '2.00'],
    ['0.000001', '0.000001'],
    ['0.000000', '0.00'],
    ['24.990000', '24.99'],
    ['12345678901234.123456', '12345678901234.123456'],
    ['7', '7.00'],
    ['0', '0.00'],
  ])('formats stored %s as %s', (stored, wire) => {
    expect(formatAmount(stored)).toBe(wire);
  });
});

describe('multiplyAmount', () => {
  it.each([
    ['2.50', 3, '7.50'],
    ['0.1', 3, '0.30'],
    ['0.000001', 1_000_001, '1.000001'],
    ['12345678901234.999999', 1000, '12345678901234999.999'],
    ['5', 0, '0.00'],
  ])('%s × %d = %s', (amount, count, product) => {
    expect(multiplyAmount(amount, count)).toBe(product);
  });
});
