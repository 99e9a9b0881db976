/**
 * check/secrets — the gate's per-secret checks: the mount and API path, the policy's
 * capabilities (one batched call), then, for KV and when asked for dynamic engines, the
 * read itself: the version has data, the key is there, a lease outlives the deploy.
 * Evaluated in parallel with the fetch's bound, each distinct path read once, reported
 * in order. A denied path gets the nearest paths the token's policies allow.
 */
import type { SecretSpec } from "../config/schema.js";
import { optionalAdvice } from "../config/secrets-syntax.js";
import { selectValue } from "../config/selector.js";
import { mapLimit } from "../fetch/limit.js";
import { REVOKE_BUDGET_SECONDS } from "../lifecycle/revoke.js";
import type { LoginResult } from "../providers/vault/auth.js";
import type { PolicyPath } from "./suggest.js";
import { VaultHttpError, type VaultResponse } from "../providers/vault/client.js";
import { mapReadError } from "../providers/vault/errors.js";
import { MountResolver, secretData, type ResolvedPath } from "../providers/vault/paths.js";
import { toVaultgateError } from "../errors.js";
import { formatDuration } from "../util/duration.js";
import { errorOutcome, push, secretCheck, type Ctx, type Outcome } from "./context.js";
import { say } from "./reasons.js";
import { nearestAllowed } from "./suggest.js";

/** checkSecrets checks every configured secret. */
export async function checkSecrets(ctx: Ctx, session: LoginResult): Promise<void> {
  const specs = ctx.config.secrets;
  if (specs.length === 0) {
    const said = say("secrets.none");
    push(ctx, { id: "secrets", kind: "secret", title: "Secrets", required: false, ...said, durationMs: 0 });
    return;
  }
  const resolver = new MountResolver(ctx.client);
  const distinct = [...new Set(specs.map((s) => s.path))];
  const resolved = new Map<string, ResolvedPath | Error>();
  await Promise.all(
    distinct.map(async (p) =>
      resolved.set(p, await resolver.resolve(p).catch((e: unknown) => (e instanceof Error ? e : new Error(String(e))))),
    ),
  );
  const apiPaths = [...resolved.values()].filter((r): r is ResolvedPath => !(r instanceof Error)).map((r) => r.apiPath);
  const caps = await ctx.client.capabilities(apiPaths).catch(() => undefined);
  const shared: Shared = { caps, reads: new Map(), acl: undefined, session };
  const results = await mapLimit(specs, ctx.config.fetch.concurrency, async (spec) => {
    const started = Date.now();
    const result = secretCheck(spec, await evaluate(ctx, shared, spec, resolved.get(spec.path)));
    result.durationMs = Date.now() - started;
    return result;
  });
  for (const result of results) push(ctx, result);
}

interface Shared {
  session: LoginResult;
  caps: Record<string, string[]> | undefined;
  reads: Map<string, Promise<VaultResponse | Error>>;
  /** The token's resultant ACL, asked for once, on the first denial. */
  acl: Promise<PolicyPath[] | undefined> | undefined;
}

async function evaluate(ctx: Ctx, shared: Shared, spec: SecretSpec, path: ResolvedPath | Error | undefined): Promise<Outcome> {
  const op = spec.method === "POST" ? "request" : "read";
  const readContext = {
    path: spec.path,
    origin: spec.origin,
    role: shared.session.role,
    address: ctx.client.address,
    op,
    optional: optionalAdvice(spec.origin),
  } as const;
  if (path instanceof Error) return errorFrom(ctx, mapReadError(path, readContext), spec);
  if (!path) return errorFrom(ctx, new Error("the mount was not looked up"), spec);
  if (ctx.budget.spent) return ctx.budget.skipped();
  const dynamic = path.kv === undefined && (spec.method === "POST" || !path.mount || path.mount.type !== "kv");
  const needed = spec.method === "POST" ? ["update", "create"] : ["read"];
  const have = shared.caps?.[path.apiPath];
  const details = { apiPath: path.apiPath, ...(have ? { capabilities: have } : {}) };
  if (have && (have.includes("deny") || !needed.some((n) => have.includes(n) || have.includes("root")))) {
    shared.acl ??= ctx.client.resultantAcl().catch(() => undefined);
    const acl = await shared.acl;
    const near = acl ? nearestAllowed({ apiPath: path.apiPath, written: spec.path }, acl, needed) : [];
    return say(
      "secret.denied",
      {
        op,
        apiPath: path.apiPath,
        forRole: shared.session.role ? ` (role ${shared.session.role})` : "",
        suggestion: near.length ? `. Did you mean ${near.join(" or ")}?` : "",
      },
      { ...details, ...(near.length ? { suggestions: near } : {}) },
    );
  }
  if (dynamic && !ctx.options.issueDynamic) {
    return say("secret.allowed-not-issued", { capability: needed[0] ?? "read", apiPath: path.apiPath }, details);
  }
  let pending = shared.reads.get(path.apiPath);
  if (!pending) {
    const call = spec.method === "POST" ? ctx.client.write(path.apiPath, spec.params ?? {}) : ctx.client.read(path.apiPath);
    pending = call.catch((e: unknown) => (e instanceof Error ? e : new Error(String(e))));
    shared.reads.set(path.apiPath, pending);
  }
  const response = await pending;
  if (response instanceof Error) return errorFrom(ctx, mapReadError(response, readContext), spec, details);
  const { note: leaseNote, leftAlive } = await disposeLease(ctx, response);
  const data = secretData(response, path);
  if (path.kv === 2 && data === undefined) return say("secret.no-data", { path: spec.path }, details);
  const keys = Object.keys(data ?? {});
  if (spec.selector.kind === "all" ? keys.length === 0 : selectValue(data ?? {}, spec.selector) === undefined) {
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
  if (response.lease_id && ttl < ctx.options.minTtlSeconds) {
    return say(
      "secret.lease-short",
      { ttl: formatDuration(ttl), min: formatDuration(ctx.options.minTtlSeconds) },
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
function errorFrom(ctx: Ctx, error: Error, spec: SecretSpec, details: Outcome["details"] = {}): Outcome {
  const outcome = errorOutcome(ctx, error, `reading ${spec.path}`);
  return { ...outcome, details: { ...details, ...outcome.details } };
}

/**
 * disposeLease revokes a lease the check obtained, at once. When the policy does not
 * allow that, the lease ends with the check's own token, which the check revokes at its
 * end, but only a token vaultgate created: with a token the user gave (method token)
 * the lease stays alive, and the check names it and warns.
 */
async function disposeLease(
  ctx: Ctx,
  response: VaultResponse,
): Promise<{ note: string; leftAlive?: { id: string; why: string } }> {
  const id = response.lease_id;
  if (!id) return { note: "" };
  try {
    await ctx.client.revokeLease(id, Date.now() + REVOKE_BUDGET_SECONDS * 1000);
    return { note: ", revoked at once" };
  } catch (error) {
    if (ctx.config.auth.method !== "token") return { note: ", revoked with the check's token" };
    const why =
      error instanceof VaultHttpError && error.status === 403
        ? "HTTP 403: the token may not update sys/leases/revoke"
        : (toVaultgateError(error).message.split("\n")[0] ?? "the vault refused");
    ctx.platform.log.warn(`the lease ${id} that --issue-dynamic obtained was NOT revoked: ${why}`);
    return { note: "", leftAlive: { id, why } };
  }
}
