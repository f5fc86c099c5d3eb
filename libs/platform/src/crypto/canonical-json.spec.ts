import { canonicalJson } from './canonical-json';

describe('canonicalJson', () => {
  it.each([
    [{ b: 1, a: 2 }, '{"a":2,"b":1}'],
    [{ nested: { z: [3, { y: 1, x: 2 }], a: null } }, '{"nested":{"a":null,"z":[3,{"x":2,"y":1}]}}'],
    [[1, 'two', true, null], '[1,"two",true,null]'],
    [{ skipped: undefined, kept: 0 }, '{"kept":0}'],
    [1e21, '1e+21'],
    [0.1 + 0.2, '0.30000000000000004'],
    ['é\u2028"', '"é\u2028\\""'],
    [{ '\u20ac': 1, '\r': 2, '1': 3 }, '{"\\r":2,"1":3,"€":1}'],
  ])('%j -> %s', (input, expected) => {
    expect(canonicalJson(input)).toBe(expected);
  });

  it('gives equal output for documents that differ only in key order', () => {
    expect(canonicalJson({ a: { c: 1, d: 2 }, b: 2 })).toBe(canonicalJson({ b: 2, a: { d: 2, c: 1 } }));
  });

  it('refuses values JSON cannot carry', () => {
    expect(() => canonicalJson({ x: Number.NaN })).toThrow(TypeError);
  });
});
