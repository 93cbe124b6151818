/**
 * A clock for views that count down to the workshop's `breakout_ends_at` (see timer.ts):
 * `now` ticks while the view is open, and `phase`/`left` read the end time given.
 */

import { parseEnd, remaining, timerPhase, type TimerPhase } from './timer';

export class BreakoutClock {
  now = $state(Date.now());
  private readonly ticker: ReturnType<typeof setInterval>;

  constructor(private readonly endsAtOf: () => string | null | undefined) {
    this.ticker = setInterval(() => (this.now = Date.now()), 250);
  }

  get endsAt(): number | null {
    return parseEnd(this.endsAtOf());
  }

  get left(): number {
    return remaining(this.endsAt, this.now);
  }

  get phase(): TimerPhase {
    return timerPhase(this.endsAt, this.now);
  }

  close(): void {
    clearInterval(this.ticker);
  }
}
