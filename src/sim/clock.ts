/**
 * The simulated clock. The engine moves it one block at a time; agents read it as "the chain's time". A
 * simulated operation that takes time (a node restart) waits on `until(t)`, which resolves when the engine
 * reaches `t`. The engine can ask whether an agent is blocked on the clock (`hasWaiters`) or wait until one
 * becomes blocked (`nextWaiter`), so it can run an agent's tick up to its next wait and no further: the
 * interleaving is decided by simulated time only, which keeps runs deterministic.
 */
export class SimClock {
  #now: number;
  #waiters: { at: number; resolve: () => void; reject: (e: unknown) => void }[] = [];
  #onWaiter: (() => void)[] = [];

  constructor(start: number) {
    this.#now = start;
  }

  get now(): number {
    return this.#now;
  }

  /** Resolves once the clock reaches `t` (at once if it has). Rejects when `signal` aborts first. */
  until(t: number, signal?: AbortSignal): Promise<void> {
    if (t <= this.#now) return Promise.resolve();
    return new Promise((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason);
      const waiter = { at: t, resolve, reject };
      this.#waiters.push(waiter);
      signal?.addEventListener(
        "abort",
        () => {
          this.#waiters = this.#waiters.filter((w) => w !== waiter);
          reject(signal.reason);
        },
        { once: true },
      );
      const listeners = this.#onWaiter;
      this.#onWaiter = [];
      for (const l of listeners) l();
    });
  }

  /** Moves the clock to `t` and releases every waiter due (`moveTo` then `wakeDue`). */
  advance(t: number): void {
    this.moveTo(t);
    this.wakeDue();
  }

  /**
   * Moves the clock to `t` without waking anybody: a waiter due by now stays blocked until `wakeDue`. The
   * engine wakes the agents that wait on the clock only in their own phase of a step, so a woken agent never
   * runs alongside the engine's other phases (whose interleaving would then depend on the machine's speed).
   */
  moveTo(t: number): void {
    if (t < this.#now) throw new Error(`the clock cannot go back (${t} < ${this.#now})`);
    this.#now = t;
  }

  /** Releases every waiter due at the current time; returns how many. */
  wakeDue(): number {
    const t = this.#now;
    const due = this.#waiters.filter((w) => w.at <= t);
    this.#waiters = this.#waiters.filter((w) => w.at > t);
    for (const w of due) w.resolve();
    return due.length;
  }

  hasWaiters(): boolean {
    return this.#waiters.length > 0;
  }

  /** Resolves when the next waiter registers. */
  nextWaiter(): Promise<void> {
    return new Promise((resolve) => this.#onWaiter.push(resolve));
  }
}
