/**
 * fetch/run — reads every requested secret through a provider session: plan first (each
 * distinct path once), then read in parallel with a bound, then select fields. Every selected
 * value is masked the moment it is selected, before anything can log or export it.
 */
import type { SecretEncoding, SecretSpec } from "../config/schema.js";
import { normalizeKey } from "../config/secrets-syntax.js";
import { selectValue, stringifyValue } from "../config/selector.js";
import { SecretNotFoundError, type VaultgateError } from "../errors.js";
import type { Platform } from "../platform.js";
import type { ProviderSession, ReadOutcome, SecretData } from "../providers/types.js";

/** FetchedSecret is one exported value with where it came from. */
export interface FetchedSecret {
  envName: string;
  outputName: string;
  value: string;
  /** Path as written, and the API path actually read. */
  path: string;
  apiPath: string;
  origin: string;
  leaseId: string | undefined;
  /** For a `*`/`**` export, the vault key the names were made from: vault data, checked before use. */
  vaultKey?: string | undefined;
}

/** LeaseRecord is a lease obtained by a read, to renew and revoke. */
export interface LeaseRecord {
  leaseId: string;
  path: string;
  ttlSeconds: number;
  renewable: boolean;
  obtainedAt: number;
}

/** SkippedSecret is an optional secret that was not available, and why. */
export interface SkippedSecret {
  origin: string;
  path: string;
  reason: string;
}

/** ReadRecord describes one read for the audit record (no values). */
export interface ReadRecord {
  /** The source read from (absent: the vault). */
  source?: "vault" | "aws" | undefined;
  path: string;
  apiPath: string;
  kv: 1 | 2 | undefined;
  leaseId: string | undefined;
  ttlSeconds: number | undefined;
  ms: number;
  outcome: "ok" | "not-found" | "denied" | "error";
}

/** FetchResult is everything a fetch produced. */
export interface FetchResult {
  secrets: FetchedSecret[];
  leases: LeaseRecord[];
  skipped: SkippedSecret[];
  reads: ReadRecord[];
}

/** FetchOptions: the session to read with, the platform to mask with, the bound on parallel reads. */
export interface FetchOptions {
  session: ProviderSession;
  platform: Platform;
  concurrency: number;
  /** Called for each lease as soon as it exists, so a crash later still revokes it. */
  onLease?: (lease: LeaseRecord) => void;
  /** Called for each read, successful or not, for the audit record. */
  onRead?: (read: ReadRecord) => void;
  /** N of the short-value rule for every value read (config mask.min-length); default 4. */
  minMaskLength?: number | undefined;
}

interface PlannedRead {
  key: string;
  path: string;
  method: "GET" | "POST";
  params: Readonly<Record<string, unknown>> | undefined;
  specs: SecretSpec[];
}

/** planReads groups the specs so that each distinct (path, method, params) is read once. */
export function planReads(specs: readonly SecretSpec[]): PlannedRead[] {
  const byKey = new Map<string, PlannedRead>();
  for (const spec of specs) {
    const key = `${spec.method} ${spec.path} ${spec.params ? JSON.stringify(spec.params) : ""}`;
    let read = byKey.get(key);
    if (!read) {
      read = { key, path: spec.path, method: spec.method, params: spec.params, specs: [] };
      byKey.set(key, read);
    }
    read.specs.push(spec);
  }
  return [...byKey.values()];
}

/** fetchSecrets reads and selects every spec. Required secrets that fail throw; optional ones are skipped. */
export async function fetchSecrets(specs: readonly SecretSpec[], options: FetchOptions): Promise<FetchResult> {
  const { session, platform } = options;
  const result: FetchResult = { secrets: [], leases: [], skipped: [], reads: [] };
  const recordRead = (read: ReadRecord) => {
    const record = { source: session.kind, ...read };
    result.reads.push(record);
    options.onRead?.(record);
  };
  const plan = planReads(specs);
  const perRead: { secrets: FetchedSecret[]; skipped: SkippedSecret[] }[] = plan.map(() => ({ secrets: [], skipped: [] }));
  const mask = (value: string, name: string) => platform.mask(value, { name, minLength: options.minMaskLength });
  // Each read's values are selected and masked as soon as it ends; a required failure stops the rest.
  const settled = async (index: number, outcome: ReadOutcome) => {
    const read = plan[index];
    const out = perRead[index];
    if (!read || !out) return;
    if (!outcome.ok) {
      const mapped = outcome.error;
      recordRead({
        path: read.path,
        apiPath: outcome.apiPath ?? read.path,
        kv: outcome.kv,
        leaseId: undefined,
        ttlSeconds: undefined,
        ms: outcome.ms ?? 0,
        outcome: mapped instanceof SecretNotFoundError ? "not-found" : mapped.exitCode === 4 ? "denied" : "error",
      });
      if (mapped.exitCode !== 4 || read.specs.some((s) => s.required)) throw mapped;
      for (const spec of read.specs) skip(out, spec, mapped, platform);
      return;
    }
    const value = outcome.value;
    const lease = recordLease(value, read.path, result, options);
    recordRead({
      path: read.path,
      apiPath: value.apiPath,
      kv: value.kv,
      leaseId: lease?.leaseId,
      ttlSeconds: value.ttlSeconds,
      ms: outcome.ms ?? 0,
      outcome: "ok",
    });
    for (const spec of read.specs) await select(spec, value, lease, out, platform, mask);
  };
  const representatives = plan.map((read) => read.specs[0] as SecretSpec);
  await session.read(representatives, { concurrency: options.concurrency, settled });
  for (const out of perRead) {
    result.secrets.push(...out.secrets);
    result.skipped.push(...out.skipped);
  }
  return result;
}

function recordLease(value: SecretData, path: string, result: FetchResult, options: FetchOptions): LeaseRecord | undefined {
  if (!value.leaseId) return undefined;
  const lease: LeaseRecord = {
    leaseId: value.leaseId,
    path,
    ttlSeconds: value.ttlSeconds ?? 0,
    renewable: value.renewable ?? false,
    obtainedAt: Date.now(),
  };
  result.leases.push(lease);
  options.onLease?.(lease);
  return lease;
}

async function select(
  spec: SecretSpec,
  read: SecretData,
  lease: LeaseRecord | undefined,
  result: { secrets: FetchedSecret[]; skipped: SkippedSecret[] },
  platform: Platform,
  maskValue: (value: string, name: string) => void,
): Promise<void> {
  const data = read.data;
  const mask = decodingMask(spec.encoding, maskValue);
  const base = {
    path: spec.path,
    apiPath: read.apiPath,
    origin: spec.origin,
    leaseId: lease?.leaseId,
  };
  if (spec.selector.kind === "all") {
    const upper = spec.selector.uppercase;
    for (const [key, raw] of Object.entries(data)) {
      const envName = normalizeKey(spec.envName + key, upper);
      const value = mask(stringifyValue(raw), `${envName} (${spec.origin})`);
      result.secrets.push({
        ...base,
        envName,
        outputName: normalizeKey(spec.outputName + key, false),
        value,
        vaultKey: key,
      });
    }
    return;
  }
  const selected = await selectValue(data, spec.selector);
  if (selected === undefined) {
    const keyName = spec.selector.kind === "key" ? spec.selector.key : spec.selector.text;
    const error = new SecretNotFoundError(`Key "${keyName}" not found in secret ${spec.path} (${spec.origin}).`, {
      hint: `The secret has ${Object.keys(data).length ? `the keys: ${Object.keys(data).join(", ")}` : "no keys"}. Fix the key, or mark the secret required: false.`,
    });
    if (spec.required) throw error;
    skip(result, spec, error, platform);
    return;
  }
  const value = mask(selected, `${spec.envName} (${spec.origin})`);
  result.secrets.push({ ...base, envName: spec.envName, outputName: spec.outputName, value });
}

/**
 * decodingMask returns a function that masks a value as stored and, with an encoding
 * (vault-action's secretEncodingType), decodes it and masks the decoded form too; it
 * returns the value to export.
 */
function decodingMask(
  encoding: SecretEncoding | undefined,
  mask: (value: string, name: string) => void,
): (value: string, name: string) => string {
  return (value, name) => {
    mask(value, name);
    if (!encoding) return value;
    const decoded = Buffer.from(value, encoding).toString("utf8");
    mask(decoded, name);
    return decoded;
  };
}

function skip(
  result: { skipped: SkippedSecret[] },
  spec: SecretSpec,
  error: VaultgateError | undefined,
  platform: Platform,
): void {
  const reason = error?.message ?? "not available";
  result.skipped.push({ origin: spec.origin, path: spec.path, reason });
  platform.log.warn(`Optional secret skipped: ${reason}`);
}
