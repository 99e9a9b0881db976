/**
 * fetch/retry — the one retry policy. Only what is transient is retried: network
 * errors, 408, 412 (replica lag), 429 and 5xx; capped exponential backoff with full
 * jitter; Retry-After honoured; everything bounded by an overall deadline. 400, 401,
 * 403 and 404 are never retried. Sleep and randomness are injectable for tests.
 */

/** RetryDecision says whether an error is worth another attempt and how soon at least. */
export interface RetryDecision {
  retry: boolean;
  /** Minimum wait the server asked for (Retry-After), in milliseconds. */
  afterMs?: number | undefined;
}

/** RetryOptions bound one retried operation. */
export interface RetryOptions {
  maxAttempts: number;
  /** Absolute time (Date.now() scale) after which no attempt starts. */
  deadline: number;
  baseDelayMs?: number;
  maxDelayMs?: number;
  classify: (error: unknown) => RetryDecision;
  onRetry?: (info: { attempt: number; delayMs: number; error: unknown }) => void;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
  now?: () => number;
}

/** RetriesExhaustedError is thrown when attempts or time run out; `cause` is the last error. */
export class RetriesExhaustedError extends Error {
  readonly attempts: number;
  constructor(attempts: number, reason: string, cause: unknown) {
    super(`failed after ${attempts} attempt${attempts === 1 ? "" : "s"}: ${reason}`, { cause });
    this.name = "RetriesExhaustedError";
    this.attempts = attempts;
  }
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * withRetry runs `operation` until it succeeds, fails with a permanent error (rethrown
 * as is), or the attempts or the deadline run out (RetriesExhaustedError).
 */
export async function withRetry<T>(operation: (attempt: number) => Promise<T>, options: RetryOptions): Promise<T> {
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? defaultSleep;
  const random = options.random ?? Math.random;
  const base = options.baseDelayMs ?? 100;
  const cap = options.maxDelayMs ?? 4000;
  for (let attempt = 1; ; attempt++) {
    try {
      return await operation(attempt);
    } catch (error) {
      const decision = options.classify(error);
      if (!decision.retry) throw error;
      const reason = error instanceof Error ? error.message : String(error);
      if (attempt >= options.maxAttempts) throw new RetriesExhaustedError(attempt, reason, error);
      const backoff = Math.floor(random() * Math.min(cap, base * 2 ** (attempt - 1)));
      const delay = Math.max(backoff, decision.afterMs ?? 0);
      const remaining = options.deadline - now();
      if (delay >= remaining) {
        const why =
          decision.afterMs && decision.afterMs >= remaining
            ? `${reason} (the server asked to wait ${Math.ceil(decision.afterMs / 1000)} s, past the deadline)`
            : `${reason} (deadline reached)`;
        throw new RetriesExhaustedError(attempt, why, error);
      }
      options.onRetry?.({ attempt, delayMs: delay, error });
      await sleep(delay);
    }
  }
}

/** parseRetryAfter reads a Retry-After header (seconds or an HTTP date) into milliseconds. */
export function parseRetryAfter(value: string | string[] | undefined, now = Date.now()): number | undefined {
  const text = Array.isArray(value) ? value[0] : value;
  if (!text) return undefined;
  if (/^\d+$/.test(text.trim())) return Number(text.trim()) * 1000;
  const at = Date.parse(text);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/** isTransientStatus tells the HTTP statuses worth retrying. */
export function isTransientStatus(status: number): boolean {
  return status === 408 || status === 412 || status === 429 || (status >= 500 && status !== 501);
}
