/**
 * lifecycle/session — one run's hold on its sources: a provider session per source (the
 * vault first, then the others the run uses) and every lease their reads obtained.
 * `fetch` reads each secret from its source, all sources in parallel; `revoke` ends
 * them all within one budget (lifecycle/revoke). The engine asks each session what it
 * can do, never which backend it is.
 */
import { prepareSelectors } from "../config/selector.js";
import type { SecretSpec, VaultgateConfig } from "../config/schema.js";
import { InternalError } from "../errors.js";
import { fetchSecrets, type FetchResult, type LeaseRecord } from "../fetch/run.js";
import type { Platform } from "../platform.js";
import { authenticate, authenticateOthers, sourceWarnings } from "../providers/registry.js";
import type { AuthenticateOptions, ProviderSession, RequestEvent, SessionIdentity } from "../providers/types.js";
import { VERSION } from "../version.js";
import type { AuditRecorder } from "./audit.js";
import { REVOKE_BUDGET_SECONDS, revokeSessions, type RevokeReport } from "./revoke.js";

/** USER_AGENT identifies vaultgate in the vault's audit log. */
export const USER_AGENT = `vaultgate/${VERSION}`;

/** SessionOptions configure openSession. */
export interface SessionOptions {
  config: VaultgateConfig;
  platform: Platform;
  /** Records the run for the audit log: login, requests, retries, reads, revocations. */
  audit?: AuditRecorder | undefined;
  observe?: (event: RequestEvent) => void;
  sleep?: (ms: number) => Promise<void>;
}

/** Session is a logged-in run. */
export class Session {
  /** Every source's session, the vault's first (an AWS-only run has only AWS's). */
  readonly sources: readonly ProviderSession[];
  readonly config: VaultgateConfig;
  /** When the vault credentials' TTL at login ends (ISO 8601), or undefined for credentials without expiry. */
  readonly tokenExpiresAt: string | undefined;
  readonly #leases = new Map<ProviderSession, LeaseRecord[]>();
  /** Sessions whose end is already recorded (credentials that cannot be revoked). */
  readonly #ended = new Set<ProviderSession>();
  readonly #platform: Platform;
  readonly #audit: AuditRecorder | undefined;

  constructor(sources: readonly ProviderSession[], config: VaultgateConfig, platform: Platform, audit?: AuditRecorder) {
    if (!sources[0]) throw new InternalError("a run needs at least one source");
    this.sources = sources;
    this.config = config;
    this.#platform = platform;
    this.#audit = audit;
    this.tokenExpiresAt = expiresAt(Date.now(), sources[0].identity.ttlSeconds);
  }

  /** provider is the run's first source (the vault, else AWS): the one whose state a later step ends. */
  get provider(): ProviderSession {
    return this.sources[0] as ProviderSession;
  }

  /** identity is who the run is at its first source (never a credential). */
  get identity(): SessionIdentity {
    return this.provider.identity;
  }

  /** leases are every lease obtained so far. */
  get leases(): LeaseRecord[] {
    return [...this.#leases.values()].flat();
  }

  /** leasesOf are the leases one source's reads obtained. */
  leasesOf(source: ProviderSession): LeaseRecord[] {
    return this.#leases.get(source) ?? [];
  }

  /** exports are the sources' own credentials as variables, where a source was asked to export them (masked). */
  exports(): { name: string; value: string }[] {
    return this.sources.flatMap((s) => s.exports?.() ?? []);
  }

  /** fetch reads the configured secrets (or `specs`), each from its source, recording leases as they appear. */
  async fetch(specs = this.config.secrets, options: { onLease?: (lease: LeaseRecord) => void } = {}): Promise<FetchResult> {
    const reads: FetchResult["reads"] = [];
    try {
      const results = await Promise.all(
        this.#bySource(specs).map(([source, group]) =>
          fetchSecrets(group, {
            session: source,
            platform: this.#platform,
            concurrency: this.config.fetch.concurrency,
            minMaskLength: this.config.mask?.minLength,
            onLease: (lease) => {
              const list = this.#leases.get(source) ?? [];
              list.push(lease);
              this.#leases.set(source, list);
              options.onLease?.(lease);
            },
            onRead: (read) => reads.push(read),
          }),
        ),
      );
      return {
        secrets: results.flatMap((r) => r.secrets),
        leases: results.flatMap((r) => r.leases),
        skipped: results.flatMap((r) => r.skipped),
        reads: results.flatMap((r) => r.reads),
      };
    } finally {
      this.#audit?.reads(reads);
    }
  }

  #bySource(specs: readonly SecretSpec[]): [ProviderSession, SecretSpec[]][] {
    const groups = new Map<ProviderSession, SecretSpec[]>();
    for (const spec of specs) {
      const kind = spec.source ?? "vault";
      const source = this.sources.find((s) => s.kind === kind);
      if (!source) throw new InternalError(`no ${kind} session for ${spec.origin}`);
      groups.set(source, [...(groups.get(source) ?? []), spec]);
    }
    return [...groups.entries()];
  }

  /**
   * release records, as soon as the values are handed on, the end of the credentials
   * that cannot be revoked (they expire), and closes them; the revocable ones stay for `revoke`.
   */
  async release(): Promise<void> {
    const unrevocable = this.sources.filter((s) => !s.capabilities.revocable && !this.#ended.has(s));
    if (unrevocable.length === 0) return;
    await revokeSessions(
      unrevocable.map((s) => this.#target(s, {})),
      { audit: this.#audit, log: this.#platform.log },
    );
    for (const s of unrevocable) this.#ended.add(s);
  }

  /**
   * revoke ends every source's credentials and leases within `budgetSeconds` (default
   * 10 s; a vault answering 429 is waited out for `throttledSeconds`, default 60 s); what is
   * left alive is logged at error level. `keepToken` keeps credentials vaultgate did not create.
   */
  async revoke(options: { keepToken?: boolean; budgetSeconds?: number; throttledSeconds?: number } = {}): Promise<RevokeReport> {
    const targets = this.sources.filter((s) => !this.#ended.has(s)).map((s) => this.#target(s, options));
    for (const s of this.sources) if (!s.capabilities.revocable) this.#ended.add(s);
    return revokeSessions(targets, {
      audit: this.#audit,
      budgetSeconds: options.budgetSeconds,
      throttledSeconds: options.throttledSeconds,
      log: this.#platform.log,
    });
  }

  #target(source: ProviderSession, options: { keepToken?: boolean }) {
    const owned = source.handOver()?.ownsToken ?? true;
    return {
      session: source,
      leases: this.leasesOf(source).map((l) => ({ leaseId: l.leaseId, expiresAt: expiresAt(l.obtainedAt, l.ttlSeconds) })),
      keepCredentials: options.keepToken ?? !owned,
      expiresAt: source === this.provider ? this.tokenExpiresAt : expiresAt(Date.now(), source.identity.ttlSeconds),
    };
  }

  /** close releases connections. */
  close(): void {
    for (const s of this.sources) s.close();
  }
}

/**
 * openSession logs in to the vault (when the run names one), then to the other sources
 * the run uses; when one of those fails, the vault's token is revoked before the error
 * is thrown.
 */
export async function openSession(options: SessionOptions): Promise<Session> {
  const { config, platform, audit } = options;
  // An expression selector that does not parse stops the run before anything is sent.
  await prepareSelectors(config.secrets);
  for (const warning of sourceWarnings(config)) platform.log.warn(warning);
  const connect: AuthenticateOptions = {
    platform,
    userAgent: USER_AGENT,
    observe: (event) => {
      audit?.request(event.ms);
      options.observe?.(event);
    },
    ...(options.sleep ? { sleep: options.sleep } : {}),
    onRetry: ({ path, attempt, delayMs, reason }) => {
      audit?.retry();
      platform.log.debug(`retrying ${path} (attempt ${attempt + 1}) in ${delayMs} ms: ${reason}`);
    },
  };
  // An AWS-only run has no vault: nothing is sent to one.
  const vault = config.vault ? await authenticate(config, connect) : undefined;
  if (vault) audit?.login(vault.identity, vault.capabilities.revocable);
  let others: ProviderSession[];
  try {
    others = await authenticateOthers(config, connect);
  } catch (error) {
    if (vault) {
      const target = { session: vault, leases: [], keepCredentials: !(vault.handOver()?.ownsToken ?? true) };
      await revokeSessions([target], { audit, budgetSeconds: REVOKE_BUDGET_SECONDS, log: platform.log }).catch(() => undefined);
      vault.close();
    }
    throw error;
  }
  for (const other of others) audit?.login(other.identity, other.capabilities.revocable);
  return new Session(vault ? [vault, ...others] : others, config, platform, audit);
}

/** expiresAt is the ISO time `ttlSeconds` after `from` (ms), or undefined for no expiry. */
export function expiresAt(from: number, ttlSeconds: number): string | undefined {
  return ttlSeconds > 0 ? new Date(from + ttlSeconds * 1000).toISOString() : undefined;
}
