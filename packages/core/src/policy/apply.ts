/**
 * policy/apply — writes a TrustPlan to a live vault with an admin token, idempotently:
 * it reads what is there, shows a diff of every field the plan sets, and writes only
 * the requests whose fields differ (none on a second run). A dry run reads and diffs,
 * and writes nothing.
 */
import { ConfigError } from "../errors.js";
import { VaultHttpError, type VaultClient } from "../providers/vault/client.js";
import type { TrustPlan } from "./model.js";
import { planRequests, type ApiRequest } from "./render.js";

/** Change is one field of one request that differs from the vault. */
export interface Change {
  path: string;
  field: string;
  before: unknown;
  after: unknown;
}

/** ApplyResult says what differed and what was written. */
export interface ApplyResult {
  changes: Change[];
  /** API paths written (empty on a dry run or when nothing differed). */
  written: string[];
  /** The diff as text lines: `+ path` (new), `~ path field: before -> after`. */
  diff: string[];
}

/** applyPlan diffs `plan` against the vault behind `client` and writes what differs unless `dryRun`. */
export async function applyPlan(client: VaultClient, plan: TrustPlan, options: { dryRun: boolean }): Promise<ApplyResult> {
  const requests = planRequests(plan);
  const changes: Change[] = [];
  const pending: ApiRequest[] = [];
  const diff: string[] = [];
  for (const request of requests) {
    const current = await currentState(client, request);
    if (current === undefined) {
      diff.push(`+ ${request.path} (new)`);
      for (const [field, after] of Object.entries(request.body)) {
        changes.push({ path: request.path, field, before: undefined, after });
        diff.push(`    ${field} = ${show(after)}`);
      }
      pending.push(request);
      continue;
    }
    const differing = Object.entries(request.body).filter(([field, after]) => !same(current[field], after));
    if (differing.length === 0) continue;
    for (const [field, after] of differing) {
      changes.push({ path: request.path, field, before: current[field], after });
      diff.push(`~ ${request.path} ${field}: ${show(current[field])} -> ${show(after)}`);
    }
    pending.push(request);
  }
  const written: string[] = [];
  if (!options.dryRun) {
    for (const request of pending) {
      await client.write(request.path, request.body, true);
      written.push(request.path);
    }
  }
  return { changes, written, diff };
}

/** currentState reads what the vault holds for a request, or undefined when it does not exist. */
async function currentState(client: VaultClient, request: ApiRequest): Promise<Record<string, unknown> | undefined> {
  if (request.path.startsWith("sys/auth/")) {
    const mount = request.path.slice("sys/auth/".length);
    const list = (await client.read("sys/auth")).data ?? {};
    const entry = list[`${mount}/`] as { type?: string } | undefined;
    if (!entry) return undefined;
    if (entry.type !== "jwt" && entry.type !== "oidc")
      throw new ConfigError(`auth/${mount}/ is a ${entry.type ?? "unknown"} mount, not jwt.`, {
        hint: "Choose another --mount for the jwt auth method.",
      });
    return { type: "jwt" };
  }
  try {
    const data = (await client.read(request.path)).data ?? undefined;
    if (!data) return undefined;
    // An unconfigured jwt mount answers its config with empty fields: treat it as new.
    if (request.path.endsWith("/config") && !data.bound_issuer && !data.oidc_discovery_url && !data.jwks_url) {
      const keys = data.jwt_validation_pubkeys;
      if (!Array.isArray(keys) || keys.length === 0) return undefined;
    }
    return data;
  } catch (error) {
    if (error instanceof VaultHttpError && (error.status === 404 || error.status === 400)) return undefined;
    throw error;
  }
}

/** normalize makes a vault answer and a plan value comparable (lists as sorted sets, text trimmed). */
function normalize(value: unknown): unknown {
  if (typeof value === "string") return value.trim();
  if (Array.isArray(value)) return value.map(normalize).map(String).sort();
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>).map(([k, v]): [string, unknown] => [
      k,
      Array.isArray(v) ? normalize(v) : normalize([v]),
    ]);
    return Object.fromEntries(entries.sort(([a], [b]) => a.localeCompare(b)));
  }
  return value;
}

function same(current: unknown, desired: unknown): boolean {
  if (current === undefined || current === null) return desired === undefined || desired === null;
  if (typeof desired === "number" && typeof current === "string") return Number(current) === desired;
  return JSON.stringify(normalize(current)) === JSON.stringify(normalize(desired));
}

function show(value: unknown): string {
  const text = typeof value === "string" ? value : JSON.stringify(value);
  if (text === undefined) return "(unset)";
  const flat = text.replace(/\s*\n\s*/g, " ");
  return flat.length > 160 ? `${flat.slice(0, 157)}...` : flat;
}
