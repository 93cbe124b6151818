import { describe, expect, it } from 'vitest';
import {
  DEFAULT_TIMER,
  extend,
  formatClock,
  parseTimer,
  pause,
  remaining,
  reset,
  start,
  timerPhase,
  withMinutes,
} from './timer';

const MIN = 60_000;

describe('breakout timer', () => {
  it('starts at the set length, counts down and runs out', () => {
    let timer = withMinutes(45);
    expect(timerPhase(timer, 0)).toBe('idle');
    expect(remaining(timer, 0)).toBe(45 * MIN);
    timer = start(timer, 1_000);
    expect(timerPhase(timer, 1_000)).toBe('running');
    expect(remaining(timer, 1_000 + 10 * MIN)).toBe(35 * MIN);
    expect(timerPhase(timer, 1_000 + 45 * MIN)).toBe('done');
    expect(remaining(timer, 1_000 + 50 * MIN)).toBe(0);
  });

  it('pauses, resumes where it stopped, and resets to the set length', () => {
    let timer = start(withMinutes(10), 0);
    timer = pause(timer, 4 * MIN);
    expect(timerPhase(timer, 9 * MIN)).toBe('paused');
    expect(remaining(timer, 99 * MIN)).toBe(6 * MIN);
    timer = start(timer, 20 * MIN);
    expect(remaining(timer, 21 * MIN)).toBe(5 * MIN);
    expect(start(timer, 22 * MIN)).toBe(timer);
    timer = reset(timer);
    expect(timerPhase(timer, 30 * MIN)).toBe('idle');
    expect(remaining(timer, 30 * MIN)).toBe(10 * MIN);
  });

  it('adds and takes away time, never below zero', () => {
    const running = start(withMinutes(10), 0);
    expect(remaining(extend(running, 5 * MIN, MIN), MIN)).toBe(14 * MIN);
    expect(remaining(extend(running, -30 * MIN, MIN), MIN)).toBe(0);
    expect(remaining(extend(withMinutes(10), -MIN, 0), 0)).toBe(9 * MIN);
    expect(timerPhase(extend(withMinutes(1), -5 * MIN, 0), 0)).toBe('done');
  });

  it('starts again from the full length once it ran out while paused', () => {
    const out = extend(withMinutes(1), -MIN, 0);
    expect(remaining(start(out, 0), 0)).toBe(MIN);
  });

  it('keeps the set length within one minute and ten hours', () => {
    expect(withMinutes(0).durationMs).toBe(MIN);
    expect(withMinutes(12.4).durationMs).toBe(12 * MIN);
    expect(withMinutes(10_000).durationMs).toBe(600 * MIN);
    expect(withMinutes(Number.NaN).durationMs).toBe(45 * MIN);
  });

  it('shows minutes and seconds, rounding up', () => {
    expect(formatClock(45 * MIN)).toBe('45:00');
    expect(formatClock(61_001)).toBe('01:02');
    expect(formatClock(1)).toBe('00:01');
    expect(formatClock(0)).toBe('00:00');
    expect(formatClock(-5)).toBe('00:00');
    expect(formatClock(2 * 3600_000 + 5_000)).toBe('2:00:05');
  });

  it('reads back only what it saved', () => {
    const running = start(withMinutes(5), 1_000);
    expect(parseTimer(JSON.stringify(running))).toEqual(running);
    expect(parseTimer(JSON.stringify(DEFAULT_TIMER))).toEqual(DEFAULT_TIMER);
    expect(parseTimer(null)).toBeNull();
    expect(parseTimer('{"durationMs":"x"}')).toBeNull();
    expect(parseTimer('{"durationMs":5,"endsAt":-1,"pausedLeftMs":null}')).toBeNull();
    expect(parseTimer('not json')).toBeNull();
  });
});
