import { describe, expect, it } from 'vitest';
import { cleanMinutes, endAfter, extendEnd, formatClock, parseEnd, remaining, timerPhase } from './timer';

const MIN = 60_000;
const T0 = Date.parse('2026-11-29T15:00:00Z');

describe('shared breakout timer', () => {
  it('sends an end time in whole UTC seconds and reads it back', () => {
    const sent = endAfter(10, T0 + 400);
    expect(sent).toBe('2026-11-29T15:10:00Z');
    expect(parseEnd(sent)).toBe(T0 + 10 * MIN);
    expect(parseEnd('2026-11-29T22:10:00+07:00')).toBe(T0 + 10 * MIN);
    expect(parseEnd(null)).toBeNull();
    expect(parseEnd('soon')).toBeNull();
  });

  it('counts down, runs out, and is idle without an end', () => {
    const end = parseEnd(endAfter(45, T0));
    expect(timerPhase(end, T0)).toBe('running');
    expect(remaining(end, T0 + 10 * MIN)).toBe(35 * MIN);
    expect(timerPhase(end, T0 + 45 * MIN)).toBe('done');
    expect(remaining(end, T0 + 50 * MIN)).toBe(0);
    expect(timerPhase(null, T0)).toBe('idle');
    expect(remaining(null, T0)).toBe(0);
  });

  it('adds time to a running countdown, or from now once it ran out', () => {
    expect(extendEnd(T0 + 10 * MIN, 5 * MIN, T0)).toBe('2026-11-29T15:15:00Z');
    expect(extendEnd(T0, 5 * MIN, T0 + 20 * MIN)).toBe('2026-11-29T15:25:00Z');
  });

  it('keeps minutes whole and between 1 and 600', () => {
    expect(cleanMinutes(0)).toBe(1);
    expect(cleanMinutes(10.4)).toBe(10);
    expect(cleanMinutes(10_000)).toBe(600);
    expect(cleanMinutes(Number.NaN)).toBe(45);
  });

  it('formats the clock, rounding seconds up', () => {
    expect(formatClock(0)).toBe('00:00');
    expect(formatClock(59_001)).toBe('01:00');
    expect(formatClock(10 * MIN)).toBe('10:00');
    expect(formatClock(61 * MIN + 5_000)).toBe('1:01:05');
  });
});
