/**
 * Fractional ordering keys: a port of backend/roundtable/ordering.py with identical output.
 *
 * A key is a non-empty string of base-62 digits (0-9A-Za-z, in ASCII order) that never ends
 * in "0", so there is always room before and after it. `keyBetween(a, b)` returns a key
 * strictly between `a` and `b` (null = open end). Keys compare as plain strings.
 */

export const DIGITS = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const BASE = DIGITS.length;
export const MAX_KEY_LENGTH = 64;

function indexOf(digit: string): number {
  return DIGITS.indexOf(digit);
}

export function isValidKey(key: unknown): key is string {
  if (typeof key !== 'string' || key.length === 0 || key.length > MAX_KEY_LENGTH) return false;
  if (key.endsWith('0')) return false;
  for (const c of key) if (indexOf(c) < 0) return false;
  return true;
}

export function keyBetween(a: string | null, b: string | null): string {
  if (a !== null && !isValidKey(a)) throw new Error(`invalid ordering key ${JSON.stringify(a)}`);
  if (b !== null && !isValidKey(b)) throw new Error(`invalid ordering key ${JSON.stringify(b)}`);
  if (a !== null && b !== null && a >= b) {
    throw new Error(`ordering keys out of order: ${JSON.stringify(a)} >= ${JSON.stringify(b)}`);
  }
  const key = b === null && a ? stepAfter(a) : midpoint(a ?? '', b);
  if (key.length > MAX_KEY_LENGTH) {
    throw new Error(`no ordering key fits after ${JSON.stringify(a)} within ${MAX_KEY_LENGTH} characters`);
  }
  return key;
}

/**
 * A short key after `a`: the next first digit while there is one. Appending is the common
 * case; halving the room each time would add a character every six appends, stepping adds
 * one every sixty.
 */
function stepAfter(a: string): string {
  const low = indexOf(a[0] as string);
  if (low < BASE - 1) return DIGITS[low + 1] as string;
  return (a[0] as string) + (a.length > 1 ? stepAfter(a.slice(1)) : (DIGITS[1] as string));
}

/** Digits strictly between fraction `a` and `b` (null = 1.0). */
function midpoint(a: string, b: string | null): string {
  if (b !== null) {
    // Skip the common prefix (`a` padded with zeros).
    let n = 0;
    while (n < b.length && (n < a.length ? a[n] : '0') === b[n]) n += 1;
    if (n > 0) return b.slice(0, n) + midpoint(a.slice(n), b.slice(n));
  }
  const low = a ? indexOf(a[0] as string) : 0;
  const high = b !== null ? indexOf(b[0] as string) : BASE;
  if (high - low > 1) return DIGITS[Math.floor((low + high) / 2)] as string;
  // Neighbouring first digits.
  if (b !== null && b.length > 1) return b[0] as string;
  return (DIGITS[low] as string) + midpoint(a.slice(1), null);
}

export function keysAfter(a: string | null, count: number): string[] {
  const keys: string[] = [];
  let last = a;
  for (let i = 0; i < count; i += 1) {
    last = keyBetween(last, null);
    keys.push(last);
  }
  return keys;
}

/**
 * A key for a row placed between two neighbours of a sorted list, tolerating what live data
 * can hold: equal keys (two people appended at once) or a neighbour with an invalid key.
 */
export function keyForSlot(before: string | null, after: string | null): string {
  const a = before !== null && isValidKey(before) ? before : null;
  let b = after !== null && isValidKey(after) ? after : null;
  if (a !== null && b !== null && a >= b) b = null;
  return keyBetween(a, b);
}
