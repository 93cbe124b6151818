/**
 * The breakout timer, as pure functions over a small state. It runs in the facilitator's
 * browser only: the workshop has no field for it on the server, so it is kept in this
 * browser's storage (a projector tab of the same browser shows the same timer) and other
 * facilitators' screens do not see it.
 */

export interface TimerState {
  /** The length set for the breakout. */
  durationMs: number;
  /** When it runs out (epoch ms), while running. */
  endsAt: number | null;
  /** What was left when it was paused. */
  pausedLeftMs: number | null;
}

export type TimerPhase = 'idle' | 'running' | 'paused' | 'done';

export const DEFAULT_TIMER: TimerState = { durationMs: 45 * 60_000, endsAt: null, pausedLeftMs: null };
const MAX_MINUTES = 600;

export function withMinutes(minutes: number): TimerState {
  const clean = Math.min(MAX_MINUTES, Math.max(1, Math.round(Number.isFinite(minutes) ? minutes : 45)));
  return { durationMs: clean * 60_000, endsAt: null, pausedLeftMs: null };
}

export function start(state: TimerState, now: number): TimerState {
  if (state.endsAt !== null) return state;
  const left = state.pausedLeftMs ?? state.durationMs;
  return { ...state, endsAt: now + (left > 0 ? left : state.durationMs), pausedLeftMs: null };
}

export function pause(state: TimerState, now: number): TimerState {
  if (state.endsAt === null) return state;
  return { ...state, endsAt: null, pausedLeftMs: Math.max(0, state.endsAt - now) };
}

export function reset(state: TimerState): TimerState {
  return { ...state, endsAt: null, pausedLeftMs: null };
}

/** Adds (or with a negative `ms`, takes away) time, running or not. */
export function extend(state: TimerState, ms: number, now: number): TimerState {
  if (state.endsAt !== null) return { ...state, endsAt: Math.max(now, state.endsAt + ms) };
  const left = state.pausedLeftMs ?? state.durationMs;
  return { ...state, pausedLeftMs: Math.max(0, left + ms) };
}

export function remaining(state: TimerState, now: number): number {
  if (state.endsAt !== null) return Math.max(0, state.endsAt - now);
  return state.pausedLeftMs ?? state.durationMs;
}

export function timerPhase(state: TimerState, now: number): TimerPhase {
  if (state.endsAt !== null) return state.endsAt > now ? 'running' : 'done';
  if (state.pausedLeftMs !== null) return state.pausedLeftMs > 0 ? 'paused' : 'done';
  return 'idle';
}

/** "mm:ss", or "h:mm:ss" from an hour up; seconds are rounded up so 0:00 means time is up. */
export function formatClock(ms: number): string {
  const total = Math.max(0, Math.ceil(ms / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const pad = (n: number) => String(n).padStart(2, '0');
  return h > 0 ? `${h}:${pad(m)}:${pad(s)}` : `${pad(m)}:${pad(s)}`;
}

/** Reads a saved state back, or null when it is missing or not a timer. */
export function parseTimer(text: string | null): TimerState | null {
  if (!text) return null;
  try {
    const raw = JSON.parse(text) as Partial<TimerState>;
    const okNumber = (v: unknown) => typeof v === 'number' && Number.isFinite(v) && v >= 0;
    const okOrNull = (v: unknown) => v === null || okNumber(v);
    if (!okNumber(raw.durationMs) || !okOrNull(raw.endsAt) || !okOrNull(raw.pausedLeftMs)) return null;
    return { durationMs: raw.durationMs!, endsAt: raw.endsAt ?? null, pausedLeftMs: raw.pausedLeftMs ?? null };
  } catch {
    return null;
  }
}
