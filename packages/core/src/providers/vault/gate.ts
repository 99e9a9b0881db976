/**
 * providers/vault/gate — what the pre-deploy gate asks a vault, per secret: the mount
 * and API path, the policy's capabilities (one batched call), then, for KV and when asked
 * for dynamic engines, the read itself: the version has data, the key is there, a lease
 * outlives the deploy. Evaluated in parallel with the fetch's bound, each distinct path
 * read once, answered in order. A denied path gets the nearest paths the token's
 * policies allow. And the token's own TTL, renewed to cover the deploy when it can be.
 */
import { say, type Said } from "../../check/reasons.js";
import { nearestAllowed, type PolicyPath } from "../../check/suggest.js";
import type { AuthConfig, SecretSpec } from "../../config/schema.js";
import { optionalAdvice } from "../../config/secrets-syntax.js";
import { selectValue } from "../../config/selector.js";
import { toVaultgateError, VaultgateError } from "../../errors.js";
import { mapLimit } from "../../fetch/limit.js";
import type { Logger } from "../../platform.js";
import { formatDuration } from "../../util/duration.js";
import type { ValidateOptions, Verdict } from "../types.js";
import type { LoginResult } from "./auth.js";
import { VaultHttpError, type VaultClient, type VaultResponse } from "./client.js";
import { mapReadError, unavailable } from "./errors.js";
import { MountResolver, secretData, type ResolvedPath } from "./paths.js";

/** REVOKE_NOW_SECONDS bounds revoking a lease the gate obtained. */
const REVOKE_NOW_SECONDS = 10;

/** GateContext is what the gate's vault questions share. */
export interface GateContext {
  client: VaultClient;
  login: LoginResult;
  method: AuthConfig["method"];
  log: Logger;
  options: ValidateOptions;
}

interface Shared {
  caps: Record<string, string[]> | undefined;
  reads: Map<string, Promise<VaultResponse | Error>>;
  /** The token's resultant ACL, asked for once, on the first denial. */
  acl: Promise<PolicyPath[] | undefined> | undefined;
}

/** validateSpecs gives each spec the gate's verdict, in order. */
export async function validateSpecs(g: GateContext, specs: readonly SecretSpec[]): Promise<Verdict[]> {
  const resolver = new MountResolver(g.client);
  const distinct = [...new Set(specs.map((s) => s.path))];
  const resolved = new Map<string, ResolvedPath | Error>();
  await Promise.all(
    distinct.map(async (p) =>
      resolved.set(p, await resolver.resolve(p).catch((e: unknown) => (e instanceof Error ? e : new Error(String(e))))),
    ),
  );
  const apiPaths = [...resolved.values()].filter((r): r is ResolvedPath => !(r instanceof Error)).map((r) => r.apiPath);
  const caps = await g.client.capabilities(apiPaths).catch(() => undefined);
  const shared: Shared = { caps, reads: new Map(), acl: undefined };
  return mapLimit(specs, g.options.concurrency, async (spec) => {
    const started = Date.now();
    const verdict: Verdict = await evaluate(g, shared, spec, resolved.get(spec.path));
    return { ...verdict, ms: Date.now() - started };
  });
}

async function evaluate(g: GateContext, shared: Shared, spec: SecretSpec, path: ResolvedPath | Error | undefined): Promise<Said> {
  const op = spec.method === "POST" ? "request" : "read";
  const role = g.login.role;
  const readContext = {
    path: spec.path,
    origin: spec.origin,
    role,
    address: g.client.address,
    op,
    optional: optionalAdvice(spec.origin),
  } as const;
  const budget = g.options.budget;
  if (path instanceof Error) return errorFrom(g, mapReadError(path, readContext), spec);
  if (!path) return errorFrom(g, new Error("the mount was not looked up"), spec);
  if (budget?.spent) return budget.skipped();
  const dynamic = path.kv === undefined && (spec.method === "POST" || !path.mount || path.mount.type !== "kv");
  const needed = spec.method === "POST" ? ["update", "create"] : ["read"];
  const have = shared.caps?.[path.apiPath];
  const details = { apiPath: path.apiPath, ...(have ? { capabilities: have } : {}) };
  if (have && (have.includes("deny") || !needed.some((n) => have.includes(n) || have.includes("root")))) {
    shared.acl ??= g.client.resultantAcl().catch(() => undefined);
    const acl = await shared.acl;
    const near = acl ? nearestAllowed({ apiPath: path.apiPath, written: spec.path }, acl, needed) : [];
    return say(
      "secret.denied",
      {
        op,
        apiPath: path.apiPath,
        forRole: role ? ` (role ${role})` : "",
        suggestion: near.length ? `. Did you mean ${near.join(" or ")}?` : "",
      },
      { ...details, ...(near.length ? { suggestions: near } : {}) },
    );
  }
  if (dynamic && !g.options.issueDynamic) {
    return say("secret.allowed-not-issued", { capability: needed[0] ?? "read", apiPath: path.apiPath }, details);
  }
  let pending = shared.reads.get(path.apiPath);
  if (!pending) {
    const call = spec.method === "POST" ? g.client.write(path.apiPath, spec.params ?? {}) : g.client.read(path.apiPath);
    pending = call.catch((e: unknown) => (e instanceof Error ? e : new Error(String(e))));
    shared.reads.set(path.apiPath, pending);
  }
  const response = await pending;
  if (response instanceof Error) return errorFrom(g, mapReadError(response, readContext), spec, details);
  const { note: leaseNote, leftAlive } = await disposeLease(g, response);
  const data = secretData(response, path);
  if (path.kv === 2 && data === undefined) return say("secret.no-data", { path: spec.path }, details);
  const keys = Object.keys(data ?? {});
  if (spec.selector.kind === "all" ? keys.length === 0 : (await selectValue(data ?? {}, spec.selector)) === undefined) {
    return spec.selector.kind === "all"
      ? say("secret.no-keys", { path: spec.path }, details)
      : say(
          "secret.key-missing",
          {
            key: spec.selector.kind === "key" ? spec.selector.key : spec.selector.text,
            path: spec.path,
            keys: keys.join(", ") || "no keys",
          },
          { ...details, keysPresent: keys },
        );
  }
  const ttl = response.lease_duration ?? 0;
  const min = g.options.minTtlSeconds;
  if (response.lease_id && ttl < min) {
    return say(
      "secret.lease-short",
      { ttl: formatDuration(ttl), min: formatDuration(min) },
      { ...details, leaseTtlSeconds: ttl },
    );
  }
  const version = path.kv === 2 ? (response.data?.metadata as { version?: number } | undefined)?.version : undefined;
  const lease = response.lease_id ? `, lease ${formatDuration(ttl)}${leaseNote}` : "";
  const more = {
    ...details,
    ...(version !== undefined ? { version } : {}),
    ...(response.lease_id ? { leaseTtlSeconds: ttl } : {}),
  };
  if (leftAlive) return say("secret.lease-left", { lease: leftAlive.id, why: leftAlive.why, ttl: formatDuration(ttl) }, more);
  return spec.method === "POST"
    ? say("secret.issued", { lease }, more)
    : say("secret.readable", { version: version !== undefined ? ` (version ${version})` : "", lease }, more);
}

/** errorFrom reports a failed lookup or read; one cut off by the budget is a skip. */
function errorFrom(g: GateContext, error: Error, spec: SecretSpec, details: Said["details"] = {}): Said {
  const outcome = errorVerdict(g, error, `reading ${spec.path}`);
  return { ...outcome, details: { ...details, ...outcome.details } };
}

/**
 * errorVerdict turns a thrown value into a verdict: a budget cut-off is a skip, never a
 * bug; the reason id is the error's own, else `fallbackId`.
 */
export function errorVerdict(
  g: Pick<GateContext, "client" | "options">,
  error: unknown,
  doing: string,
  fallbackId = "internal",
): Said {
  const budget = g.options.budget;
  if (budget?.cutOff(error)) return budget.skipped();
  const e = gateError(error, doing, g.client.address);
  return { status: "fail", reason: `${e.message}${e.hint ? ` ${e.hint}` : ""}`, details: { reason: e.reasonId ?? fallbackId } };
}

/** gateError maps anything from below (HTTP, network, retries) to the vault's or the network's fault. */
export function gateError(error: unknown, doing: string, address: string): VaultgateError {
  if (error instanceof VaultgateError || !(error instanceof Error)) return toVaultgateError(error);
  return error.name === "VaultHttpError" || error.name === "NetworkError" || error.name === "RetriesExhaustedError"
    ? unavailable(error, doing, address)
    : toVaultgateError(error);
}

/**
 * disposeLease revokes a lease the check obtained, at once. When the policy does not
 * allow that, the lease ends with the check's own token, which the check revokes at its
 * end, but only a token vaultgate created: with a token the user gave (method token)
 * the lease stays alive, and the check names it and warns.
 */
async function disposeLease(
  g: GateContext,
  response: VaultResponse,
): Promise<{ note: string; leftAlive?: { id: string; why: string } }> {
  const id = response.lease_id;
  if (!id) return { note: "" };
  try {
    await g.client.revokeLease(id, Date.now() + REVOKE_NOW_SECONDS * 1000);
    return { note: ", revoked at once" };
  } catch (error) {
    if (g.method !== "token") return { note: ", revoked with the check's token" };
    const why =
      error instanceof VaultHttpError && error.status === 403
        ? "HTTP 403: the token may not update sys/leases/revoke"
        : (toVaultgateError(error).message.split("\n")[0] ?? "the vault refused");
    g.log.warn(`the lease ${id} that --issue-dynamic obtained was NOT revoked: ${why}`);
    return { note: "", leftAlive: { id, why } };
  }
}

/** tokenTtl checks the token outlives the deploy, renewing it when it can; `batch` tells a batch token. */
export async function tokenTtl(g: GateContext): Promise<{ verdict: Said; batch: boolean }> {
  const min = g.options.minTtlSeconds;
  const data = await g.client.lookupSelf();
  const batch = data.type === "batch";
  const ttl = typeof data.ttl === "number" ? data.ttl : g.login.ttlSeconds;
  const renewable = data.renewable === true;
  const details = { ttlSeconds: ttl, renewable, minTtlSeconds: min, ...(batch ? { batch } : {}) };
  const note = batch ? "; a batch token: it expires after its TTL and is neither renewed nor revoked" : "";
  const vars = { ttl: formatDuration(ttl), min: formatDuration(min), batch: note };
  if (ttl === 0) return { verdict: say("token.no-expiry", {}, details), batch };
  if (ttl >= min) return { verdict: say("token.ok", vars, details), batch };
  if (!renewable) return { verdict: say("token.too-short", vars, details), batch };
  const renewed = await g.client.renewSelf(min);
  const reach = renewed?.lease_duration ?? ttl;
  const more = { ...details, renewedTtlSeconds: reach };
  const id = reach >= min ? "token.renewal-covers" : "token.renewal-short";
  return { verdict: say(id, { ...vars, reach: formatDuration(reach) }, more), batch };
}
