/**
 * check/budget — the gate's time budget. Watches every request of the sources (their
 * observer) so that, when the budget runs out, the `budget` check can name the slow part;
 * tells a check cut off by the budget from one that failed, so a cut-off is reported as
 * "not checked" (skip) and never as an error of its own.
 */
import { RetriesExhaustedError } from "../http/retry.js";
import type { RequestEvent } from "../providers/types.js";
import { say, type Said } from "./reasons.js";
import type { CheckResult } from "./model.js";

/** A request that ended within this much of the deadline was cut off by it (timers are not exact). */
const MARGIN_MS = 50;

/** BudgetWatch is one gate run's budget: its deadline and the slowest request seen. */
export class BudgetWatch {
  readonly started: number;
  readonly deadline: number;
  readonly seconds: number;
  #slowest: { label: string; ms: number; error: string | undefined } | undefined;

  constructor(seconds: number, started = Date.now()) {
    this.seconds = seconds;
    this.started = started;
    this.deadline = started + seconds * 1000;
  }

  /** observe records a request's duration (pass it as the vault client's observer). */
  readonly observe = (event: RequestEvent): void => {
    if (!this.#slowest || event.ms > this.#slowest.ms) {
      this.#slowest = { label: `${event.method} ${event.path}`, ms: event.ms, error: event.error };
    }
  };

  /** spent tells whether the deadline has passed. */
  get spent(): boolean {
    return Date.now() >= this.deadline - MARGIN_MS;
  }

  /**
   * cutOff tells whether `error` came from the budget running out rather than from the
   * vault: the deadline has passed, or retries stopped because the next one would pass it.
   */
  cutOff(error: unknown): boolean {
    if (this.spent) return true;
    for (let e: unknown = error; e instanceof Error; e = e.cause) {
      // withRetry's words for "the next attempt would start after the deadline".
      if (e instanceof RetriesExhaustedError && /\(deadline reached\)$|past the deadline\)$/.test(e.message)) return true;
    }
    return false;
  }

  /** skipped is the outcome of a check the budget left no time for. */
  skipped(): Said {
    return say("budget.spent", { budget: this.seconds });
  }

  /** result is the `budget` check: passed, or over, naming the slowest check and request. */
  result(checks: readonly CheckResult[]): CheckResult {
    const elapsed = (Date.now() - this.started) / 1000;
    const over = Date.now() > this.deadline || checks.some((c) => c.details.reason === "budget.spent");
    const details = { elapsedSeconds: Math.round(elapsed * 10) / 10 };
    const outcome = over
      ? say("budget.over", { elapsed: elapsed.toFixed(1), budget: this.seconds, slow: this.#slowPart(checks) }, details)
      : say("budget.ok", { elapsed: elapsed.toFixed(1) }, details);
    return {
      id: "budget",
      kind: "budget",
      title: `Time budget (${this.seconds} s)`,
      required: true,
      ...outcome,
      durationMs: 0,
    };
  }

  #slowPart(checks: readonly CheckResult[]): string {
    const slowest = [...checks].sort((a, b) => b.durationMs - a.durationMs)[0];
    const parts: string[] = [];
    if (slowest && slowest.durationMs > 0) parts.push(`${slowest.id} took ${(slowest.durationMs / 1000).toFixed(1)} s`);
    const request = this.#slowest;
    if (request) {
      const how = request.error ? `, ${request.error === "ETIMEDOUT" ? "no answer in time" : request.error}` : "";
      parts.push(`the slowest vault request was ${request.label} (${(request.ms / 1000).toFixed(1)} s${how})`);
    }
    return parts.join("; ") || "no vault request finished";
  }
}
