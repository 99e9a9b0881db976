/**
 * http/aimd — how many requests one run keeps in flight. It starts at the configured
 * bound (--concurrency) and never goes above it; each throttled answer (429) halves it
 * (at most once per rate-limit window, since one burst of 429s is one signal), and each
 * answered request adds 1/limit, so a full round of successes adds one slot back:
 * additive increase, multiplicative decrease. A vault that is rate-limiting every job
 * of a release train then sees each job slow down instead of keeping 16 requests open.
 */
import { THROTTLE_WINDOW_MS } from "./retry.js";

/** Outcome is what one request's answer says about the vault's load. */
export type Outcome = "ok" | "throttled" | "neutral";

/** AdaptiveLimit hands out request slots under an AIMD limit. */
export class AdaptiveLimit {
  readonly #max: number;
  readonly #now: () => number;
  #limit: number;
  #inFlight = 0;
  #lastDecrease = Number.NEGATIVE_INFINITY;
  readonly #waiting: (() => void)[] = [];

  constructor(max: number, now: () => number = Date.now) {
    this.#max = Math.max(1, Math.floor(max));
    this.#limit = this.#max;
    this.#now = now;
  }

  /** limit is the current number of slots (whole). */
  get limit(): number {
    return Math.max(1, Math.floor(this.#limit));
  }

  /** inFlight is the number of slots taken. */
  get inFlight(): number {
    return this.#inFlight;
  }

  /** acquire waits for a slot; call the returned function once with the request's outcome. */
  async acquire(): Promise<(outcome: Outcome) => void> {
    while (this.#inFlight >= this.limit) await new Promise<void>((resolve) => this.#waiting.push(resolve));
    this.#inFlight++;
    let released = false;
    return (outcome) => {
      if (released) return;
      released = true;
      this.#inFlight--;
      this.#record(outcome);
      this.#wake();
    };
  }

  #record(outcome: Outcome): void {
    if (outcome === "throttled") {
      const now = this.#now();
      if (now - this.#lastDecrease >= THROTTLE_WINDOW_MS) {
        this.#limit = Math.max(1, this.#limit / 2);
        this.#lastDecrease = now;
      }
    } else if (outcome === "ok") {
      this.#limit = Math.min(this.#max, this.#limit + 1 / this.#limit);
    }
  }

  #wake(): void {
    // Woken waiters check the limit again, so waking at most the free slots' worth is enough.
    for (let free = this.limit - this.#inFlight; free > 0 && this.#waiting.length > 0; free--) this.#waiting.shift()?.();
  }
}
