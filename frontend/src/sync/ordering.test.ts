import { describe, expect, it } from 'vitest';
import { isValidKey, keyBetween, keyForSlot, keysAfter } from './ordering';

// Generated with backend/roundtable/ordering.py (key_between / keys_after); the two
// implementations must agree key for key, since both sides mint positions.
const PAIRS: [string | null, string | null, string][] = [
  [null, null, 'V'], ['V', null, 'W'], [null, 'V', 'F'], ['a', 'b', 'aV'], ['a', 'a1', 'a0V'],
  ['1', null, '2'], [null, '1', '0V'], ['z', null, 'z1'], ['zz', null, 'zz1'],
  [null, '01', '00V'], ['0z', '1', '0zV'], ['a', 'az', 'aU'], ['az', 'b', 'azV'],
  ['V', 'V1', 'V0V'], ['Vz', 'W', 'VzV'], ['12', '2', '1W'], ['1', '12', '11'],
  ['zzzzz', null, 'zzzzz1'], [null, '0001', '0000V'], ['abc', 'abd', 'abcV'],
  ['x', 'x01', 'x00V'], ['y1', 'yz', 'yV'], ['05', '1', '0X'], ['z', 'zV', 'zF'],
  ['A', null, 'B'], [null, 'A', '5'], ['9', 'A', '9V'], ['Z', 'a', 'ZV'], ['0V', '0W', '0VV'],
];
const APPENDS = ['V', 'W', 'X', 'Y', 'Z', 'a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i'];
const PREPENDS = ['V', 'F', '7', '3', '1', '0V', '0F', '07', '03', '01', '00V', '00F', '007'];
// Alternately narrowing from the top and the bottom between "a" and "b".
const NARROWING = ['aV', 'aF', 'aN', 'aJ', 'aL', 'aK', 'aKV', 'aKF', 'aKN', 'aKJ', 'aKL', 'aKK'];

describe('keyBetween', () => {
  it.each(PAIRS)('between %s and %s is %s, as in Python', (a, b, expected) => {
    expect(keyBetween(a, b)).toBe(expected);
  });

  it('appends like keys_after', () => {
    expect(keysAfter(null, APPENDS.length)).toEqual(APPENDS);
  });

  it('prepends like repeated key_between(None, first)', () => {
    const keys: string[] = [];
    let first: string | null = null;
    for (let i = 0; i < PREPENDS.length; i += 1) keys.push((first = keyBetween(null, first)));
    expect(keys).toEqual(PREPENDS);
  });

  it('narrows like Python', () => {
    const keys: string[] = [];
    let [a, b] = ['a', 'b'];
    NARROWING.forEach((_, i) => {
      const m = keyBetween(a, b);
      keys.push(m);
      if (i % 2) a = m;
      else b = m;
    });
    expect(keys).toEqual(NARROWING);
  });

  it('refuses keys out of order and invalid keys', () => {
    expect(() => keyBetween('b', 'a')).toThrow(/out of order/);
    expect(() => keyBetween('a', 'a')).toThrow(/out of order/);
    expect(() => keyBetween('a0', null)).toThrow(/invalid/);
    expect(() => keyBetween('a!', null)).toThrow(/invalid/);
  });

  it('always lands strictly between, in random trials', () => {
    let seed = 7;
    const random = () => ((seed = (seed * 48271) % 2147483647) / 2147483647);
    const keys = ['V'];
    for (let i = 0; i < 500; i += 1) {
      const at = Math.floor(random() * (keys.length + 1));
      const before = at > 0 ? (keys[at - 1] as string) : null;
      const after = at < keys.length ? (keys[at] as string) : null;
      const key = keyBetween(before, after);
      expect(isValidKey(key)).toBe(true);
      if (before !== null) expect(key > before).toBe(true);
      if (after !== null) expect(key < after).toBe(true);
      keys.splice(at, 0, key);
    }
  });
});

describe('keyForSlot', () => {
  it('places after equal neighbours instead of failing', () => {
    expect(keyForSlot('k', 'k')).toBe(keyBetween('k', null));
  });
  it('ignores an invalid neighbour', () => {
    expect(keyForSlot('a0', 'b')).toBe(keyBetween(null, 'b'));
  });
});
