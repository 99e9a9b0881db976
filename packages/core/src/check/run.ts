/**
 * check/run — the pre-deploy gate. Proves, before anything is changed, that the job's
 * identity is usable, the vault answers, the login works, the token lives long enough
 * and every secret is readable — without printing, exporting or writing one value.
 * Values read to prove existence stay in this function's memory and are discarded.
 * The token is revoked at the end.
 */
import type { SecretSpec, VaultgateConfig } from "../config/schema.js";
import { selectValue } from "../config/selector.js";
import { toVaultgateError } from "../errors.js";
import { audiences, summarizeClaims, type Claims } from "../identity/claims.js";
import { obtainIdToken, type IdToken } from "../identity/sources.js";
import { USER_AGENT } from "../lifecycle/session.js";
import { REVOKE_BUDGET_SECONDS } from "../lifecycle/revoke.js";
import type { Platform } from "../platform.js";
import { login, revokeToken, type LoginResult } from "../providers/vault/auth.js";
import { VaultClient, type VaultResponse } from "../providers/vault/client.js";
import { mapReadError } from "../providers/vault/errors.js";
import { MountResolver, secretData, type ResolvedPath } from "../providers/vault/paths.js";
import { mapLimit } from "../fetch/limit.js";
import { formatDuration } from "../util/duration.js";
import { VERSION } from "../version.js";
import { checkHealth } from "./health.js";
import {
  CHECK_REPORT_SCHEMA,
  gatePasses,
  summarize,
  type CheckKind,
  type CheckReport,
  type CheckResult,
  type CheckStatus,
} from "./model.js";

/** CheckOptions: the deploy's planned duration, whether to issue dynamic secrets, the time budget. */
export interface CheckOptions {
  /** The token and every lease must live at least this long (the planned deploy duration). */
  minTtlSeconds: number;
  /** Issue one credential from each dynamic engine (then revoke its lease at once). */
  issueDynamic: boolean;
  /** Overall time budget of the whole gate. */
  budgetSeconds: number;
}

interface Ctx {
  config: VaultgateConfig;
  platform: Platform;
  options: CheckOptions;
  client: VaultClient;
  checks: CheckResult[];
  deadline: number;
}

/** runCheck runs every check and returns the report; it throws only on a bug. */
export async function runCheck(config: VaultgateConfig, platform: Platform, options: CheckOptions): Promise<CheckReport> {
  const started = Date.now();
  const deadline = started + options.budgetSeconds * 1000;
  const client = new VaultClient({
    vault: config.vault,
    fetch: { ...config.fetch, maxAttempts: Math.min(config.fetch.maxAttempts ?? 3, 3) },
    userAgent: USER_AGENT,
    deadline,
  });
  const ctx: Ctx = { config, platform, options, client, checks: [], deadline };
  let claims: Claims | undefined;
  let session: LoginResult | undefined;
  try {
    const id = config.auth.method === "jwt" ? await checkIdentity(ctx) : undefined;
    claims = id?.claims ?? {};
    const healthy = await timed(ctx, "vault.health", "vault", "Vault reachable, initialized and unsealed", true, () =>
      checkHealth(client),
    );
    const canLogin = healthy.status !== "fail" && (config.auth.method !== "jwt" || id !== undefined);
    session = canLogin
      ? await checkLogin(ctx, id)
      : skipLogin(ctx, healthy.status === "fail" ? "the vault is not available" : "no usable ID token");
    if (session) {
      await checkTokenTtl(ctx, session);
      await checkSecrets(ctx, session);
    } else {
      for (const spec of config.secrets) push(ctx, secretCheck(spec, "skip", "Not checked: login did not succeed.", {}));
    }
    checkBudget(ctx, started);
  } finally {
    if (session && config.auth.method !== "token") {
      await revokeToken(client, Date.now() + REVOKE_BUDGET_SECONDS * 1000).catch((error: unknown) =>
        platform.log.warn(`could not revoke the check's token: ${toVaultgateError(error).message}`),
      );
    }
    client.close();
  }
  return {
    $schema: CHECK_REPORT_SCHEMA,
    version: 1,
    tool: { name: "vaultgate", version: VERSION },
    ok: gatePasses(ctx.checks),
    startedAt: new Date(started).toISOString(),
    durationMs: Date.now() - started,
    vault: { address: config.vault.url, namespace: config.vault.namespace ?? null },
    identity: {
      method: config.auth.method,
      mount: "mount" in config.auth ? config.auth.mount : null,
      role: session?.role ?? ("role" in config.auth ? (config.auth.role ?? null) : null),
      claims: summarizeClaims(claims ?? {}),
    },
    settings: { minTtlSeconds: options.minTtlSeconds, issueDynamic: options.issueDynamic, budgetSeconds: options.budgetSeconds },
    summary: summarize(ctx.checks),
    checks: ctx.checks,
  };
}

type Outcome = { status: CheckStatus; reason: string; details?: CheckResult["details"] };

async function timed(
  ctx: Ctx,
  id: string,
  kind: CheckKind,
  title: string,
  required: boolean,
  run: () => Promise<Outcome>,
): Promise<CheckResult> {
  const started = Date.now();
  let outcome: Outcome;
  try {
    outcome = await run();
  } catch (error) {
    const e = toVaultgateError(error);
    outcome = { status: "fail", reason: `${e.message}${e.hint ? ` ${e.hint}` : ""}` };
  }
  const result: CheckResult = {
    id,
    kind,
    title,
    status: outcome.status,
    required,
    reason: outcome.reason,
    details: outcome.details ?? {},
    durationMs: Date.now() - started,
  };
  push(ctx, result);
  return result;
}

function push(ctx: Ctx, result: CheckResult): void {
  if (!result.required && result.status === "fail") result.status = "warn";
  ctx.checks.push(result);
}

async function checkIdentity(ctx: Ctx): Promise<IdToken | undefined> {
  const auth = ctx.config.auth;
  if (auth.method !== "jwt") return undefined;
  let id: IdToken | undefined;
  await timed(ctx, "identity.token", "identity", "OIDC ID token present, unexpired, with the audience", true, async () => {
    id = await obtainIdToken({ source: auth.idToken, audience: auth.audience, userAgent: USER_AGENT }, ctx.platform);
    const details = { source: id.origin, ...stringClaims(summarizeClaims(id.claims)) };
    const exp = typeof id.claims.exp === "number" ? id.claims.exp * 1000 : undefined;
    if (exp !== undefined && exp <= Date.now()) {
      return {
        status: "fail",
        reason: `The ID token expired at ${new Date(exp).toISOString()}: obtain it right before the job logs in.`,
        details,
      };
    }
    const aud = audiences(id.claims);
    if (auth.audience && !aud.includes(auth.audience)) {
      return {
        status: "fail",
        reason: `The ID token's audience is ${aud.join(", ") || "empty"}, not "${auth.audience}": set the token's aud (GitLab id_tokens aud, the Jenkins credential's audience) to the vault role's bound audience.`,
        details,
      };
    }
    if (!auth.audience && aud.some((a) => /^https:\/\/github\.com\/[^/]+$/.test(a))) {
      return {
        status: "warn",
        reason: `The token carries GitHub's default audience ${aud.join(", ")}, shared by every repository of the owner: request a vault-specific audience.`,
        details,
      };
    }
    return {
      status: "pass",
      reason: `Token from ${id.origin} for ${typeof id.claims.sub === "string" ? id.claims.sub : "its subject"}.`,
      details,
    };
  });
  return id;
}

async function checkLogin(ctx: Ctx, id: IdToken | undefined): Promise<LoginResult | undefined> {
  const auth = ctx.config.auth;
  const role = "role" in auth ? auth.role : auth.method === "approle" ? auth.roleId : undefined;
  let result: LoginResult | undefined;
  await timed(ctx, "login", "login", `Login (${auth.method}${role ? `, role ${role}` : ""})`, true, async () => {
    result = await login(ctx.client, auth, ctx.platform, USER_AGENT, id);
    return {
      status: "pass",
      reason: `Logged in with policies ${result.policies.join(", ") || "(none)"}.`,
      details: { policies: [...result.policies], ttlSeconds: result.ttlSeconds, renewable: result.renewable },
    };
  });
  return result;
}

function skipLogin(ctx: Ctx, why: string): undefined {
  push(ctx, {
    id: "login",
    kind: "login",
    title: "Login",
    status: "skip",
    required: true,
    reason: `Not attempted: ${why}.`,
    details: {},
    durationMs: 0,
  });
  push(ctx, {
    id: "token.ttl",
    kind: "token",
    title: "Token TTL",
    status: "skip",
    required: true,
    reason: "Not checked: no token.",
    details: {},
    durationMs: 0,
  });
  return undefined;
}

async function checkTokenTtl(ctx: Ctx, session: LoginResult): Promise<void> {
  const min = ctx.options.minTtlSeconds;
  await timed(ctx, "token.ttl", "token", `Token TTL covers the deploy (${formatDuration(min)})`, true, async () => {
    const data = await ctx.client.lookupSelf();
    const ttl = typeof data.ttl === "number" ? data.ttl : session.ttlSeconds;
    const renewable = data.renewable === true;
    const details = { ttlSeconds: ttl, renewable, minTtlSeconds: min };
    if (ttl === 0) return { status: "pass", reason: "The token does not expire.", details };
    if (ttl >= min) return { status: "pass", reason: `TTL ${formatDuration(ttl)} ≥ ${formatDuration(min)}.`, details };
    if (!renewable) {
      return {
        status: "fail",
        reason: `TTL ${formatDuration(ttl)} is shorter than the deploy (${formatDuration(min)}) and the token is not renewable: raise the role's token_ttl.`,
        details,
      };
    }
    const renewed = await ctx.client.renewSelf(min);
    const reach = renewed?.lease_duration ?? ttl;
    if (reach >= min) {
      return {
        status: "warn",
        reason: `TTL ${formatDuration(ttl)} is shorter than the deploy, but renewal reaches ${formatDuration(reach)}: keep the job under vaultgate (exec or a wrapper) so it renews the token.`,
        details: { ...details, renewedTtlSeconds: reach },
      };
    }
    return {
      status: "fail",
      reason: `TTL ${formatDuration(ttl)} and at most ${formatDuration(reach)} after renewal, shorter than the deploy (${formatDuration(min)}): raise the role's token_ttl/token_max_ttl.`,
      details: { ...details, renewedTtlSeconds: reach },
    };
  });
}

function secretCheck(spec: SecretSpec, status: CheckStatus, reason: string, details: CheckResult["details"]): CheckResult {
  const key = spec.selector.kind === "all" ? "*" : spec.selector.kind === "key" ? spec.selector.key : spec.selector.text;
  const name = spec.selector.kind === "all" ? `${spec.path} *` : spec.envName;
  return {
    id: `secret.${name}`,
    kind: "secret",
    title: `Secret ${spec.selector.kind === "all" ? spec.path : spec.envName} (${spec.path} ${key})`,
    status,
    required: spec.required,
    reason,
    details: { path: spec.path, key, ...details },
    durationMs: 0,
  };
}

async function checkSecrets(ctx: Ctx, session: LoginResult): Promise<void> {
  const specs = ctx.config.secrets;
  if (specs.length === 0) {
    push(ctx, {
      id: "secrets",
      kind: "secret",
      title: "Secrets",
      status: "warn",
      required: false,
      reason: "No secrets are configured.",
      details: {},
      durationMs: 0,
    });
    return;
  }
  const resolver = new MountResolver(ctx.client);
  const distinct = [...new Set(specs.map((s) => s.path))];
  const resolved = new Map<string, ResolvedPath | Error>();
  await Promise.all(
    distinct.map(async (p) => resolved.set(p, await resolver.resolve(p).catch((e: unknown) => toVaultgateError(e)))),
  );
  const apiPaths = [...resolved.values()].filter((r): r is ResolvedPath => !(r instanceof Error)).map((r) => r.apiPath);
  const caps = await ctx.client.capabilities(apiPaths).catch(() => undefined);
  const reads = new Map<string, Promise<VaultResponse | Error>>();
  // Evaluated in parallel with the fetch's bound (each distinct path read once); reported in order.
  const results = await mapLimit(specs, ctx.config.fetch.concurrency, async (spec) => {
    const started = Date.now();
    const result = await evaluate(ctx, session, spec, resolved.get(spec.path), caps, reads);
    result.durationMs = Date.now() - started;
    return result;
  });
  for (const result of results) push(ctx, result);
}

async function evaluate(
  ctx: Ctx,
  session: LoginResult,
  spec: SecretSpec,
  path: ResolvedPath | Error | undefined,
  caps: Record<string, string[]> | undefined,
  reads: Map<string, Promise<VaultResponse | Error>>,
): Promise<CheckResult> {
  if (!path || path instanceof Error)
    return secretCheck(spec, "fail", `Could not look up the mount of ${spec.path}: ${path?.message ?? "unknown"}.`, {});
  if (Date.now() > ctx.deadline)
    return secretCheck(spec, "fail", `Not checked: the time budget of ${ctx.options.budgetSeconds} s ran out.`, {});
  const dynamic = path.kv === undefined && (spec.method === "POST" || !path.mount || path.mount.type !== "kv");
  const needed = spec.method === "POST" ? ["update", "create"] : ["read"];
  const have = caps?.[path.apiPath];
  const details: CheckResult["details"] = { apiPath: path.apiPath, ...(have ? { capabilities: have } : {}) };
  if (have && (have.includes("deny") || !needed.some((n) => have.includes(n) || have.includes("root")))) {
    return secretCheck(
      spec,
      "fail",
      `The token's policies do not allow ${needed[0]} on ${path.apiPath}${session.role ? ` (role ${session.role})` : ""}: add it to a policy of the role.`,
      details,
    );
  }
  if (dynamic && !ctx.options.issueDynamic) {
    return secretCheck(
      spec,
      "pass",
      `The policy allows ${needed[0]} on ${path.apiPath}; no credential issued (pass --issue-dynamic to issue and revoke one).`,
      details,
    );
  }
  let pending = reads.get(path.apiPath);
  if (!pending) {
    pending = (spec.method === "POST" ? ctx.client.write(path.apiPath, spec.params ?? {}) : ctx.client.read(path.apiPath)).catch(
      (e: unknown) => (e instanceof Error ? e : new Error(String(e))),
    );
    reads.set(path.apiPath, pending);
  }
  const response = await pending;
  if (response instanceof Error) {
    const e = mapReadError(response, { path: spec.path, origin: spec.origin, role: session.role, address: ctx.client.address });
    return secretCheck(spec, "fail", `${e.message}${e.hint ? ` ${e.hint}` : ""}`, details);
  }
  const leaseNote = await disposeLease(ctx, response);
  const data = secretData(response, path);
  if (path.kv === 2 && data === undefined)
    return secretCheck(
      spec,
      "fail",
      `The current version of ${spec.path} is deleted or destroyed: undelete it or write a new version.`,
      details,
    );
  const keys = Object.keys(data ?? {});
  const present = spec.selector.kind === "all" ? keys.length > 0 : selectValue(data ?? {}, spec.selector) !== undefined;
  if (!present) {
    return secretCheck(
      spec,
      "fail",
      spec.selector.kind === "all"
        ? `${spec.path} has no keys.`
        : `The key is missing from ${spec.path}; it has: ${keys.join(", ") || "no keys"}.`,
      details,
    );
  }
  const ttl = response.lease_duration ?? 0;
  if (response.lease_id && ttl < ctx.options.minTtlSeconds) {
    return secretCheck(
      spec,
      "fail",
      `Its lease lasts ${formatDuration(ttl)}, shorter than the deploy (${formatDuration(ctx.options.minTtlSeconds)}): raise the engine role's ttl.`,
      { ...details, leaseTtlSeconds: ttl },
    );
  }
  const version = path.kv === 2 ? (response.data?.metadata as { version?: number } | undefined)?.version : undefined;
  return secretCheck(
    spec,
    "pass",
    `Readable${version !== undefined ? ` (version ${version})` : ""}${response.lease_id ? `, lease ${formatDuration(ttl)}${leaseNote}` : ""}.`,
    { ...details, ...(version !== undefined ? { version } : {}), ...(response.lease_id ? { leaseTtlSeconds: ttl } : {}) },
  );
}

/** disposeLease revokes a lease the check obtained, at once. */
async function disposeLease(ctx: Ctx, response: VaultResponse): Promise<string> {
  if (!response.lease_id) return "";
  try {
    await ctx.client.revokeLease(response.lease_id, Date.now() + REVOKE_BUDGET_SECONDS * 1000);
    return ", revoked at once";
  } catch {
    return ", revoked with the check's token";
  }
}

function checkBudget(ctx: Ctx, started: number): void {
  const elapsed = (Date.now() - started) / 1000;
  const over = Date.now() > ctx.deadline;
  push(ctx, {
    id: "budget",
    kind: "budget",
    title: `Time budget (${ctx.options.budgetSeconds} s)`,
    status: over ? "fail" : "pass",
    required: true,
    reason: over
      ? `The checks took ${elapsed.toFixed(1)} s, over the budget of ${ctx.options.budgetSeconds} s: the vault is slow or unreachable.`
      : `Done in ${elapsed.toFixed(1)} s.`,
    details: { elapsedSeconds: Math.round(elapsed * 10) / 10 },
    durationMs: 0,
  });
}

function stringClaims(claims: Record<string, unknown>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(claims).map(([k, v]) => [`claim.${k}`, typeof v === "string" ? v : JSON.stringify(v)]),
  );
}
