/**
 * The shared breakout timer, as pure functions. Its one fact lives on the server: the
 * workshop's `breakout_ends_at` (ISO-8601, or null when no countdown runs), set through the
 * `workshop.update` op, so every screen of the workshop counts down to the same moment.
 */

export type TimerPhase = 'idle' | 'running' | 'done';

export const DEFAULT_MINUTES = 45;
const MAX_MINUTES = 600;

/** Whole minutes between 1 and 600; anything else falls back to the default. */
export function cleanMinutes(minutes: number): number {
  return Math.min(MAX_MINUTES, Math.max(1, Math.round(Number.isFinite(minutes) ? minutes : DEFAULT_MINUTES)));
}

/** The end time as epoch ms, or null when there is none (or it cannot be read). */
export function parseEnd(value: string | null | undefined): number | null {
  if (!value) return null;
  const ms = Date.parse(value);
  return Number.isFinite(ms) ? ms : null;
}

/** The value to send for a countdown of `minutes` starting at `now`. */
export function endAfter(minutes: number, now: number): string {
  return toIso(now + cleanMinutes(minutes) * 60_000);
}

/** Adds (or with a negative `ms`, takes away) time from a running countdown. */
export function extendEnd(endsAt: number, ms: number, now: number): string {
  return toIso(Math.max(now, endsAt) + ms);
}

export function remaining(endsAt: number | null, now: number): number {
  return endsAt === null ? 0 : Math.max(0, endsAt - now);
}

export function timerPhase(endsAt: number | null, now: number): TimerPhase {
  if (endsAt === null) return 'idle';
  return endsAt > now ? 'running' : 'done';
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

/** The server keeps whole seconds in UTC; sending the same avoids a visible jump. */
function toIso(ms: number): string {
  return new Date(Math.round(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}
