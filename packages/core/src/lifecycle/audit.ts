/**
 * lifecycle/audit — the record of one run, as one JSON line: when, on which platform,
 * which identity (claims, never the token), which vault, every path read with its
 * lease, renewals, revocations, request latencies and retries, failures and the
 * outcome. Never a value. Schema: docs/schemas/audit-record.v1.json. What it records is
 * also published as run events (telemetry/events.ts) for the run's traces and metrics.
 */
import { randomUUID } from "node:crypto";
import { dirname } from "node:path";
import { OutputError } from "../errors.js";
import { appendNoWait, ensureDir } from "../export/files.js";
import type { ReadRecord } from "../fetch/run.js";
import { summarizeClaims } from "../identity/claims.js";
import type { Env, PlatformName } from "../platform.js";
import type { RevocationNote, SessionIdentity } from "../providers/types.js";
import { publishRunEvent } from "../telemetry/events.js";
import { VERSION } from "../version.js";

export const AUDIT_RECORD_SCHEMA = "https://vaultgate.dev/schemas/audit-record.v1.json";

/** RenewalEntry records one renewal attempt of the token or a lease. */
export interface RenewalEntry {
  at: string;
  kind: "token" | "lease";
  leaseId: string | null;
  ok: boolean;
  ttlSeconds: number | null;
  /** True when the vault granted less than asked: the max TTL is near. */
  capped: boolean;
  error: string | null;
}

/** RevocationEntry records one revocation. */
export interface RevocationEntry extends RevocationNote {
  at: string;
}

/** AuditSource is one source a run authenticated to; `revocable: false` for credentials that only expire. */
export interface AuditSource {
  source: "vault" | "aws";
  method: string;
  role: string | null;
  origin: string;
  revocable: boolean;
  expiresAt?: string;
  sessionName?: string;
}

/** AuditRecord is the whole record of one run. */
export interface AuditRecord {
  $schema: string;
  version: 1;
  tool: { name: "vaultgate"; version: string };
  command: string;
  /** Identifies this run's record; the run's trace carries it too (vaultgate.run.id). */
  runId?: string;
  startedAt: string;
  endedAt: string;
  durationMs: number;
  platform: PlatformName;
  run: Record<string, string>;
  /** The vault; null when the run names none (AWS-only: `sources` lists AWS alone). */
  vault: { address: string; namespace: string | null } | null;
  identity: {
    method: string;
    mount: string | null;
    role: string | null;
    origin: string | null;
    accessor: string | null;
    policies: string[];
    claims: Record<string, unknown>;
  } | null;
  /** Every source the run authenticated to (the vault first). */
  sources?: AuditSource[];
  reads: {
    source?: "vault" | "aws";
    path: string;
    apiPath: string;
    kv: number | null;
    leaseId: string | null;
    ttlSeconds: number | null;
    ms: number;
    outcome: ReadRecord["outcome"];
  }[];
  renewals: RenewalEntry[];
  revocations: RevocationEntry[];
  requests: { count: number; retries: number; p50Ms: number; p95Ms: number; maxMs: number };
  failures: { code: number; error: string; message: string }[];
  outcome: "success" | "failure";
  exitCode: number;
}

const RUN_VARIABLES = [
  "GITHUB_REPOSITORY",
  "GITHUB_RUN_ID",
  "GITHUB_RUN_ATTEMPT",
  "GITHUB_JOB",
  "GITHUB_WORKFLOW",
  "GITHUB_REF",
  "GITHUB_SHA",
  "CI_PROJECT_PATH",
  "CI_PIPELINE_ID",
  "CI_JOB_ID",
  "CI_JOB_NAME",
  "CI_COMMIT_REF_NAME",
  "CI_COMMIT_SHA",
  "JOB_NAME",
  "BUILD_NUMBER",
  "BUILD_URL",
];

/** AuditRecorder collects the events of a run and produces its record. */
export class AuditRecorder {
  #started = Date.now();
  #runId: string = randomUUID();
  #prior: AuditRecord["requests"] | undefined;
  readonly #base: Pick<AuditRecord, "command" | "platform" | "run" | "vault">;
  #identity: AuditRecord["identity"] = null;
  readonly #sources: AuditSource[] = [];
  readonly #reads: AuditRecord["reads"] = [];
  readonly #renewals: RenewalEntry[] = [];
  readonly #revocations: RevocationEntry[] = [];
  readonly #latencies: number[] = [];
  #retries = 0;
  readonly #failures: AuditRecord["failures"] = [];

  constructor(options: {
    command: string;
    platform: PlatformName;
    env: Env;
    /** The vault's address; undefined when the run has no vault. */
    address: string | undefined;
    namespace: string | undefined;
  }) {
    const run: Record<string, string> = {};
    for (const name of RUN_VARIABLES) {
      const value = options.env[name];
      if (value) run[name] = value;
    }
    this.#base = {
      command: options.command,
      platform: options.platform,
      run,
      vault: options.address === undefined ? null : { address: options.address, namespace: options.namespace ?? null },
    };
    this.#announce();
  }

  /** runId identifies this run's record (and its trace's root span). */
  get runId(): string {
    return this.#runId;
  }

  #announce(): void {
    publishRunEvent({ type: "run", runId: this.#runId, command: this.#base.command, address: this.#base.vault?.address ?? "" });
  }

  /**
   * resume continues a record another process started (GitHub's main step hands it to
   * the post step): its events are kept and the new ones added.
   */
  static resume(record: AuditRecord, env: Env): AuditRecorder {
    const recorder = new AuditRecorder({
      command: record.command,
      platform: record.platform,
      env,
      address: record.vault?.address,
      namespace: record.vault?.namespace ?? undefined,
    });
    recorder.#started = Date.parse(record.startedAt) || Date.now();
    if (record.runId) {
      recorder.#runId = record.runId;
      recorder.#announce();
    }
    recorder.#identity = record.identity;
    recorder.#sources.push(...(record.sources ?? []));
    recorder.#reads.push(...record.reads);
    recorder.#renewals.push(...record.renewals);
    recorder.#revocations.push(...record.revocations);
    recorder.#failures.push(...record.failures);
    recorder.#prior = record.requests;
    return recorder;
  }

  /**
   * login records who logged in (claims and policies, never a credential); the first
   * source is the record's identity, every one is listed in `sources`.
   */
  login(identity: SessionIdentity, revocable = true): void {
    const expires = identity.details.expiresAt;
    const name = identity.details.sessionName;
    this.#sources.push({
      source: identity.source,
      method: identity.method,
      role: identity.role ?? null,
      origin: identity.origin,
      revocable,
      ...(typeof expires === "string" ? { expiresAt: expires } : {}),
      ...(typeof name === "string" ? { sessionName: name } : {}),
    });
    if (this.#identity) return;
    const text = (name: string) => {
      const value = identity.details[name];
      return typeof value === "string" ? value : undefined;
    };
    const policies = identity.details.policies;
    const mount = text("mount");
    const accessor = text("accessor");
    this.#identity = {
      method: identity.method,
      mount: mount ?? null,
      role: identity.role ?? null,
      origin: identity.origin,
      accessor: accessor ?? null,
      policies: Array.isArray(policies) ? [...policies] : [],
      claims: identity.claims ? summarizeClaims(identity.claims) : {},
    };
    publishRunEvent({ type: "login", method: identity.method, mount, role: identity.role, accessor });
  }

  /** request records one HTTP attempt's latency. */
  request(ms: number): void {
    this.#latencies.push(ms);
  }

  /** retry counts one retried request. */
  retry(): void {
    this.#retries++;
  }

  /** reads records the reads of a fetch. */
  reads(records: readonly ReadRecord[]): void {
    for (const r of records) {
      this.#reads.push({
        ...(r.source && r.source !== "vault" ? { source: r.source } : {}),
        path: r.path,
        apiPath: r.apiPath,
        kv: r.kv ?? null,
        leaseId: r.leaseId ?? null,
        ttlSeconds: r.ttlSeconds ?? null,
        ms: r.ms,
        outcome: r.outcome,
      });
      const { path, apiPath, kv, ms, outcome } = r;
      publishRunEvent({ type: "read", path, apiPath, kv, leased: r.leaseId !== undefined, ms, outcome });
    }
  }

  /** renewal records a renewal attempt. */
  renewal(entry: Omit<RenewalEntry, "at">): void {
    this.#renewals.push({ at: new Date().toISOString(), ...entry });
    const { kind, ok, capped } = entry;
    publishRunEvent({ type: "renewal", kind, ok, capped, ttlSeconds: entry.ttlSeconds ?? undefined });
  }

  /** revocation records a revocation. */
  revocation(entry: RevocationNote): void {
    this.#revocations.push({ at: new Date().toISOString(), ...entry });
    publishRunEvent({ type: "revocation", kind: entry.kind, outcome: entry.outcome });
  }

  /** failure records an error (its message, which never holds a value). */
  failure(error: { exitCode: number; name: string; message: string }): void {
    this.#failures.push({ code: error.exitCode, error: error.name, message: error.message });
    publishRunEvent({ type: "failure", code: error.exitCode, error: error.name });
  }

  /** finish produces the record. */
  finish(exitCode: number): AuditRecord {
    const ended = Date.now();
    const sorted = [...this.#latencies].sort((a, b) => a - b);
    const pct = (p: number) =>
      sorted.length ? (sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0) : 0;
    return {
      $schema: AUDIT_RECORD_SCHEMA,
      version: 1,
      tool: { name: "vaultgate", version: VERSION },
      ...this.#base,
      runId: this.#runId,
      startedAt: new Date(this.#started).toISOString(),
      endedAt: new Date(ended).toISOString(),
      durationMs: ended - this.#started,
      identity: this.#identity,
      ...(this.#sources.some((s) => s.source !== "vault") ? { sources: this.#sources } : {}),
      reads: this.#reads,
      renewals: this.#renewals,
      revocations: this.#revocations,
      requests: mergeRequests(this.#prior, {
        count: sorted.length,
        retries: this.#retries,
        p50Ms: pct(50),
        p95Ms: pct(95),
        maxMs: sorted.at(-1) ?? 0,
      }),
      failures: this.#failures,
      outcome: exitCode === 0 ? "success" : "failure",
      exitCode,
    };
  }
}

/** mergeRequests adds a resumed record's request figures; percentiles come from the larger sample. */
function mergeRequests(prior: AuditRecord["requests"] | undefined, now: AuditRecord["requests"]): AuditRecord["requests"] {
  if (!prior) return now;
  const larger = prior.count >= now.count ? prior : now;
  return {
    count: prior.count + now.count,
    retries: prior.retries + now.retries,
    p50Ms: larger.p50Ms,
    p95Ms: larger.p95Ms,
    maxMs: Math.max(prior.maxMs, now.maxMs),
  };
}

/** appendAuditRecord appends the record as one JSON line to `file` (created 0600), never waiting on it. */
export function appendAuditRecord(file: string, record: AuditRecord): void {
  try {
    ensureDir(dirname(file));
  } catch (error) {
    throw new OutputError(
      `Cannot append the audit record to ${file}: ${(error as NodeJS.ErrnoException).code ?? String(error)}.`,
      { hint: "Choose a writable audit file (--audit).", cause: error },
    );
  }
  appendNoWait(file, `${JSON.stringify(record)}\n`, 0o600, "the audit record");
}

/** auditMarkdown summarizes a record for a job summary (GitHub) in a few lines. */
export function auditMarkdown(record: AuditRecord): string {
  const who = record.identity;
  const lines = [
    `#### vaultgate audit: ${record.outcome} (exit ${record.exitCode}) in ${(record.durationMs / 1000).toFixed(1)} s`,
    "",
    `- identity: ${who ? `${who.method}${who.role ? ` role \`${who.role}\`` : ""}${typeof who.claims.sub === "string" ? ` as \`${who.claims.sub}\`` : ""}` : "none (login did not happen)"}`,
    record.vault
      ? `- vault: \`${record.vault.address}\`${record.vault.namespace ? ` namespace \`${record.vault.namespace}\`` : ""}`
      : `- sources: ${record.sources?.map((s) => `${s.source}${s.role ? ` \`${s.role}\`` : ""}`).join(", ") || "none"}`,
    `- reads: ${record.reads.length} path${record.reads.length === 1 ? "" : "s"} (${record.reads.filter((r) => r.leaseId).length} leased), ${record.requests.count} requests, ${record.requests.retries} retries, p95 ${record.requests.p95Ms} ms`,
    `- renewals: ${record.renewals.filter((r) => r.ok).length} ok, ${record.renewals.filter((r) => !r.ok).length} failed`,
    `- revocations: ${record.revocations.map((r) => `${r.kind} ${r.outcome}`).join(", ") || "none"}`,
  ];
  if (record.reads.length > 0) {
    lines.push("", "| Path | Lease | TTL | Result |", "| --- | --- | --- | --- |");
    for (const r of record.reads)
      lines.push(`| \`${r.path}\` | ${r.leaseId ? `\`${r.leaseId}\`` : "—"} | ${r.ttlSeconds ?? "—"} | ${r.outcome} |`);
  }
  return `${lines.join("\n")}\n`;
}
