/**
 * The breakout timer of one workshop in this browser: its state in localStorage (so a
 * reload or a projector tab of the same browser shows the same timer) and a clock that
 * ticks while it runs. See timer.ts for why it lives here and not on the server.
 */

import { DEFAULT_TIMER, parseTimer, remaining, timerPhase, type TimerPhase, type TimerState } from './timer';

export class BreakoutClock {
  state = $state.raw<TimerState>(DEFAULT_TIMER);
  now = $state(Date.now());
  private readonly key: string;
  private ticker: ReturnType<typeof setInterval> | null = null;
  private readonly onStorage = (event: StorageEvent) => {
    if (event.key === this.key) this.load();
  };

  constructor(workshopId: number) {
    this.key = `rt:timer:${workshopId}`;
    this.load();
    window.addEventListener('storage', this.onStorage);
  }

  get left(): number {
    return remaining(this.state, this.now);
  }

  get phase(): TimerPhase {
    return timerPhase(this.state, this.now);
  }

  /** Applies a change (from timer.ts) and remembers it. */
  change(next: (state: TimerState, now: number) => TimerState): void {
    this.now = Date.now();
    this.state = next(this.state, this.now);
    try {
      localStorage.setItem(this.key, JSON.stringify(this.state));
    } catch {
      // not remembered across reloads; it still runs on this screen
    }
    this.tick();
  }

  close(): void {
    window.removeEventListener('storage', this.onStorage);
    this.stopTicking();
  }

  private load(): void {
    let saved: string | null = null;
    try {
      saved = localStorage.getItem(this.key);
    } catch {
      // storage blocked: start from the default
    }
    this.state = parseTimer(saved) ?? DEFAULT_TIMER;
    this.tick();
  }

  private tick(): void {
    this.now = Date.now();
    if (this.state.endsAt !== null && !this.ticker) {
      this.ticker = setInterval(() => {
        this.now = Date.now();
        if (this.state.endsAt === null || this.state.endsAt <= this.now) this.stopTicking();
      }, 250);
    } else if (this.state.endsAt === null) {
      this.stopTicking();
    }
  }

  private stopTicking(): void {
    if (this.ticker) clearInterval(this.ticker);
    this.ticker = null;
  }
}
