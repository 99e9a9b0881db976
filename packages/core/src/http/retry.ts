/**
 * http/retry — the one retry policy, used by the providers and the identity sources.
 * Only what is transient is retried: network errors, 408, 412 (replica lag), 429 and
 * 5xx. 400, 401, 403 and 404 never are. Attempts go on until the operation's deadline
 * (an attempt cap is optional), with capped exponential backoff and full jitter so
 * that many jobs throttled at the same moment do not come back at the same moment.
 * A throttled answer (429) waits at least one rate-limit window, spread over the next
 * one, and a server's Retry-After (or OpenBao's X-Ratelimit-Reset) is a floor, never
 * the exact moment to return. An operation may give throttled answers a later deadline
 * than others (revocations do). Sleep, clock and randomness are injectable for tests.
 */

/** RetryDecision says whether an error is worth another attempt and how soon at least. */
export interface RetryDecision {
  retry: boolean;
  /** Minimum wait the server asked for (Retry-After), in milliseconds. */
  afterMs?: number | undefined;
  /** The server refused for load (429): wait at least one rate-limit window. */
  throttled?: boolean | undefined;
}

/** RetryOptions bound one retried operation. */
export interface RetryOptions {
  /** Absolute time (Date.now() scale) after which no attempt starts. */
  deadline: number;
  /**
   * A later deadline for answers that are throttled (429): the server is up and asks to
   * wait, so an operation that must not be given up (a revocation) waits it out longer.
   */
  throttledDeadline?: number | undefined;
  /** An optional cap on attempts; without it, the deadline alone ends the retries. */
  maxAttempts?: number | undefined;
  baseDelayMs?: number;
  maxDelayMs?: number;
  classify: (error: unknown) => RetryDecision;
  onRetry?: (info: { attempt: number; delayMs: number; error: unknown }) => void;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
  now?: () => number;
}

/** THROTTLE_WINDOW_MS is the rate-limit window a 429 waits out at least: OpenBao and Vault refill their quotas once a second. */
export const THROTTLE_WINDOW_MS = 1000;

/** MIN_ATTEMPT_MS is the least time worth starting one more attempt with. */
const MIN_ATTEMPT_MS = 100;

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
 * backoffDelay is the wait before attempt `attempt + 1`: full jitter over a capped
 * exponential, plus, for a throttled answer, one rate-limit window first; a server's
 * own wait is a floor with up to one window of jitter on top.
 */
export function backoffDelay(
  attempt: number,
  decision: RetryDecision,
  options: { baseDelayMs: number; maxDelayMs: number; random: () => number },
): number {
  // A throttled run waits out the spent window, then spreads its retry over the next two (and more, later).
  const base = decision.throttled ? Math.max(options.baseDelayMs, 2 * THROTTLE_WINDOW_MS) : options.baseDelayMs;
  const exponential = Math.min(options.maxDelayMs, base * 2 ** (attempt - 1));
  const floor = decision.throttled ? THROTTLE_WINDOW_MS : 0;
  const computed = floor + Math.floor(options.random() * exponential);
  if (decision.afterMs === undefined) return computed;
  return Math.max(computed, decision.afterMs + Math.floor(options.random() * THROTTLE_WINDOW_MS));
}

/**
 * withRetry runs `operation` until it succeeds, fails with a permanent error (rethrown
 * as is), or the deadline (or the optional attempt cap) ends it (RetriesExhaustedError).
 * A wait that would pass the deadline is shortened so the last attempt still starts.
 * Each attempt is given the deadline it runs under: the throttled one after a 429.
 */
export async function withRetry<T>(
  operation: (attempt: number, deadline: number) => Promise<T>,
  options: RetryOptions,
): Promise<T> {
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? defaultSleep;
  const shape = {
    baseDelayMs: options.baseDelayMs ?? 200,
    maxDelayMs: options.maxDelayMs ?? 4000,
    random: options.random ?? Math.random,
  };
  let deadline = options.deadline;
  for (let attempt = 1; ; attempt++) {
    try {
      return await operation(attempt, deadline);
    } catch (error) {
      const decision = options.classify(error);
      if (!decision.retry) throw error;
      const reason = error instanceof Error ? error.message : String(error);
      if (options.maxAttempts !== undefined && attempt >= options.maxAttempts)
        throw new RetriesExhaustedError(attempt, reason, error);
      deadline = decision.throttled ? Math.max(options.deadline, options.throttledDeadline ?? 0) : options.deadline;
      const remaining = deadline - now();
      if (decision.afterMs !== undefined && decision.afterMs >= remaining) {
        const wait = Math.ceil(decision.afterMs / 1000);
        throw new RetriesExhaustedError(attempt, `${reason} (the server asked to wait ${wait} s, past the deadline)`, error);
      }
      const room = remaining - MIN_ATTEMPT_MS;
      if (room <= 0) throw new RetriesExhaustedError(attempt, `${reason} (deadline reached)`, error);
      const delay = Math.min(backoffDelay(attempt, decision, shape), room);
      options.onRetry?.({ attempt, delayMs: delay, error });
      await sleep(delay);
    }
  }
}

/** parseRetryAfter reads a Retry-After header (seconds or an HTTP date) into milliseconds. */
export function parseRetryAfter(value: string | string[] | undefined, now = Date.now()): number | undefined {
  const text = (Array.isArray(value) ? value[0] : value)?.trim();
  if (!text) return undefined;
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const at = Date.parse(text);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/**
 * serverWait reads how long a 429/503 answer asks to wait: Retry-After, else OpenBao's
 * X-Ratelimit-Reset (seconds until the quota refills; sent when the quota config has
 * enable_rate_limit_response_headers).
 */
export function serverWait(
  headers: Readonly<Record<string, string | string[] | undefined>>,
  now = Date.now(),
): number | undefined {
  const retryAfter = parseRetryAfter(headers["retry-after"], now);
  if (retryAfter !== undefined) return retryAfter;
  const reset = headers["x-ratelimit-reset"];
  const text = (Array.isArray(reset) ? reset[0] : reset)?.trim();
  return text && /^\d+$/.test(text) ? Number(text) * 1000 : undefined;
}

/** isTransientStatus tells the HTTP statuses worth retrying. */
export function isTransientStatus(status: number): boolean {
  return status === 408 || status === 412 || status === 429 || (status >= 500 && status !== 501);
}
