/**
 * lifecycle/renewer — keeps the run's credentials and renewable leases alive while a job
 * runs: each is renewed (through its provider session) at about two thirds of its TTL,
 * asking for its original TTL again; the backend caps that at the max TTL, and the
 * first capped renewal warns how long is left, so a long deploy learns early that it
 * will lose access.
 */
import type { LeaseRecord } from "../fetch/run.js";
import type { Platform } from "../platform.js";
import type { ProviderSession } from "../providers/types.js";
import { formatDuration } from "../util/duration.js";
import type { AuditRecorder } from "./audit.js";

/** RenewerOptions: what to renew and whom to tell. */
export interface RenewerOptions {
  session: ProviderSession;
  platform: Platform;
  /** The credentials, when vaultgate owns them; omitted for a token the user supplied. */
  token?: { ttlSeconds: number; renewable: boolean } | undefined;
  leases: readonly LeaseRecord[];
  audit?: AuditRecorder | undefined;
  /** Fraction of the TTL after which to renew (default 2/3). */
  fraction?: number;
}

interface Tracked {
  kind: "token" | "lease";
  leaseId: string | null;
  /** TTL to ask for on each renewal. */
  increment: number;
  timer: NodeJS.Timeout | undefined;
  warned: boolean;
  failures: number;
}

/** Renewer renews on timers until stopped. Timers do not keep the process alive. */
export class Renewer {
  readonly #options: RenewerOptions;
  readonly #fraction: number;
  readonly #tracked: Tracked[] = [];
  readonly #inflight = new Set<Promise<void>>();
  #stopped = false;

  constructor(options: RenewerOptions) {
    this.#options = options;
    this.#fraction = options.fraction ?? 2 / 3;
  }

  /** start schedules the first renewal of the token and of each renewable lease. */
  start(): void {
    const { token, leases } = this.#options;
    if (token?.renewable && token.ttlSeconds > 0)
      this.#track({ kind: "token", leaseId: null, increment: token.ttlSeconds }, token.ttlSeconds);
    for (const lease of leases) this.addLease(lease);
  }

  /** addLease starts renewing a lease obtained later. */
  addLease(lease: LeaseRecord): void {
    if (lease.renewable && lease.ttlSeconds > 0)
      this.#track({ kind: "lease", leaseId: lease.leaseId, increment: lease.ttlSeconds }, lease.ttlSeconds);
  }

  /** stop cancels every timer and waits for renewals in flight. */
  async stop(): Promise<void> {
    this.#stopped = true;
    for (const t of this.#tracked) clearTimeout(t.timer);
    await Promise.allSettled([...this.#inflight]);
  }

  #track(entry: Omit<Tracked, "timer" | "warned" | "failures">, ttl: number): void {
    const tracked: Tracked = { ...entry, timer: undefined, warned: false, failures: 0 };
    this.#tracked.push(tracked);
    this.#schedule(tracked, ttl);
  }

  #schedule(t: Tracked, ttlSeconds: number): void {
    if (this.#stopped) return;
    const delay = Math.max(250, ttlSeconds * this.#fraction * 1000);
    t.timer = setTimeout(() => {
      const run = this.#renew(t).finally(() => this.#inflight.delete(run));
      this.#inflight.add(run);
    }, delay);
    t.timer.unref();
  }

  async #renew(t: Tracked): Promise<void> {
    const { session, platform, audit } = this.#options;
    const what = t.kind === "token" ? session.label : `lease ${t.leaseId ?? ""}`;
    try {
      const ttl =
        t.kind === "token" ? await this.#renewCredentials(t.increment) : await session.renewLease(t.leaseId ?? "", t.increment);
      const capped = ttl < t.increment;
      t.failures = 0;
      audit?.renewal({ kind: t.kind, leaseId: t.leaseId, ok: true, ttlSeconds: ttl, capped, error: null });
      platform.log.debug(`renewed ${what}: ${formatDuration(ttl)} left`);
      if (capped && !t.warned) {
        t.warned = true;
        const at = new Date(Date.now() + ttl * 1000).toISOString();
        platform.log.warn(
          `${what} has reached its max TTL and expires at ${at} (in ${formatDuration(ttl)}); ` +
            "the job loses access then: raise the max TTL (role token_max_ttl / engine max_ttl) or shorten the job.",
        );
      }
      if (ttl >= 1) this.#schedule(t, ttl);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      audit?.renewal({ kind: t.kind, leaseId: t.leaseId, ok: false, ttlSeconds: null, capped: false, error: message });
      platform.log.warn(`could not renew ${what}: ${message}`);
      // Try again soon, in case the failure was passing; give up after three in a row.
      if (++t.failures < 3) this.#schedule(t, Math.max(1, t.increment / 6));
    }
  }

  async #renewCredentials(increment: number): Promise<number> {
    const outcome = await this.#options.session.renew(increment);
    if (!outcome.ok) throw new Error(outcome.message);
    return outcome.ttlSeconds;
  }
}
