/**
 * check/run — the pre-deploy gate. Proves, before anything is changed, that the job's
 * identity is usable, the vault answers, the login works, the token lives long enough
 * and every secret is readable — without printing, exporting or writing one value.
 * Values read to prove existence stay in this process's memory and are discarded.
 * The token is revoked at the end (a batch token cannot be: it expires).
 * Every reason comes from a reason table (check/reasons.ts, identity/validate.ts,
 * providers/vault/reasons.ts); one cause fails one check, the checks it prevents are skipped.
 */
import { transportWarnings, type VaultgateConfig } from "../config/schema.js";
import { toVaultgateError } from "../errors.js";
import { summarizeClaims, type Claims } from "../identity/claims.js";
import { obtainIdToken, type IdToken } from "../identity/sources.js";
import { IDENTITY_REASONS, findingSentence, validateIdToken } from "../identity/validate.js";
import { USER_AGENT } from "../lifecycle/session.js";
import { REVOKE_BUDGET_SECONDS } from "../lifecycle/revoke.js";
import type { Platform } from "../platform.js";
import { login, revokeToken, type LoginResult } from "../providers/vault/auth.js";
import { VaultClient } from "../providers/vault/client.js";
import { formatDuration } from "../util/duration.js";
import { VERSION } from "../version.js";
import { BudgetWatch } from "./budget.js";
import { errorOutcome, push, secretCheck, skippedCheck, timed, type CheckOptions, type Ctx, type Outcome } from "./context.js";
import { checkHealth } from "./health.js";
import { CHECK_REPORT_SCHEMA, gatePasses, summarize, type CheckReport, type CheckResult } from "./model.js";
import { say } from "./reasons.js";
import { checkSecrets } from "./secrets.js";

export type { CheckOptions } from "./context.js";

/** runCheck runs every check and returns the report; it throws only on a bug. */
export async function runCheck(config: VaultgateConfig, platform: Platform, options: CheckOptions): Promise<CheckReport> {
  const budget = new BudgetWatch(options.budgetSeconds);
  for (const warning of transportWarnings(config.vault)) platform.log.warn(warning);
  const client = new VaultClient({
    vault: config.vault,
    fetch: { ...config.fetch, maxAttempts: Math.min(config.fetch.maxAttempts ?? 3, 3) },
    userAgent: USER_AGENT,
    deadline: budget.deadline,
    observe: budget.observe,
  });
  const ctx: Ctx = { config, platform, options, client, budget, checks: [] };
  let claims: Claims | undefined;
  let session: LoginResult | undefined;
  let batch = false;
  try {
    const id = config.auth.method === "jwt" ? await checkIdentity(ctx) : undefined;
    claims = id?.token.claims ?? {};
    const healthy = await timed(
      ctx,
      { id: "vault.health", kind: "vault", title: "Vault reachable, initialized and unsealed" },
      () => checkHealth(client),
    );
    const why =
      healthy.status === "skip"
        ? healthy.reason.replace(/^Not checked: /, "").replace(/\.$/, "")
        : healthy.status === "fail"
          ? "the vault is not available (vault.health)"
          : config.auth.method === "jwt" && !id?.usable
            ? "no usable ID token (identity.token)"
            : undefined;
    session = why === undefined ? await checkLogin(ctx, id?.token) : skipLogin(ctx, why);
    if (session) {
      batch = await checkTokenTtl(ctx, session);
      await checkSecrets(ctx, session);
    } else {
      const reason =
        ctx.checks.find((c) => c.id === "login")?.status === "skip" ? "login was not attempted" : "login did not succeed";
      for (const spec of config.secrets) push(ctx, secretCheck(spec, say("secret.not-checked", { why: reason })));
    }
    push(ctx, budget.result(ctx.checks));
  } finally {
    // A batch token is not revocable: it expires (the token.ttl check says so, once).
    if (session && config.auth.method !== "token" && !batch) {
      await revokeToken(client, Date.now() + REVOKE_BUDGET_SECONDS * 1000).catch((error: unknown) => {
        if (isBatchRefusal(error)) return;
        platform.log.warn(`could not revoke the check's token: ${toVaultgateError(error).message}`, "vaultgate check");
      });
    }
    client.close();
  }
  return {
    $schema: CHECK_REPORT_SCHEMA,
    version: 1,
    tool: { name: "vaultgate", version: VERSION },
    ok: gatePasses(ctx.checks),
    startedAt: new Date(budget.started).toISOString(),
    durationMs: Date.now() - budget.started,
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

/** checkIdentity obtains the ID token and applies the identity rule (expiry, nbf, audience). */
async function checkIdentity(ctx: Ctx): Promise<{ token: IdToken; usable: boolean } | undefined> {
  const auth = ctx.config.auth;
  if (auth.method !== "jwt") return undefined;
  let token: IdToken | undefined;
  const result = await timed(
    ctx,
    { id: "identity.token", kind: "identity", title: "OIDC ID token present, unexpired, with the audience" },
    async (): Promise<Outcome> => {
      try {
        token = await obtainIdToken({ source: auth.idToken, audience: auth.audience, userAgent: USER_AGENT }, ctx.platform);
      } catch (error) {
        const outcome = errorOutcome(ctx, error, "obtaining the ID token");
        return outcome.status === "skip" ? outcome : { ...outcome, details: { reason: "identity.unavailable" } };
      }
      const details = { source: token.origin, ...stringClaims(summarizeClaims(token.claims, ["nbf"])) };
      const finding = validateIdToken(token.claims, auth.audience);
      if (finding) {
        const status = IDENTITY_REASONS[finding.id].status;
        return { status, reason: findingSentence(finding), details: { ...details, reason: finding.id } };
      }
      const subject = typeof token.claims.sub === "string" ? token.claims.sub : "its subject";
      return say("identity.ok", { origin: token.origin, subject }, details);
    },
  );
  // A token the rule refuses is never sent to the vault.
  return token ? { token, usable: result.status === "pass" || result.status === "warn" } : undefined;
}

async function checkLogin(ctx: Ctx, id: IdToken | undefined): Promise<LoginResult | undefined> {
  const auth = ctx.config.auth;
  const role = "role" in auth ? auth.role : auth.method === "approle" ? auth.roleId : undefined;
  let result: LoginResult | undefined;
  const title = `Login (${auth.method}${role ? `, role ${role}` : ""})`;
  await timed(ctx, { id: "login", kind: "login", title, fallbackId: "login.credentials" }, async () => {
    result = await login(ctx.client, auth, ctx.platform, USER_AGENT, id);
    return say(
      "login.ok",
      { policies: result.policies.join(", ") || "(none)" },
      { policies: [...result.policies], ttlSeconds: result.ttlSeconds, renewable: result.renewable },
    );
  });
  return result;
}

function skipLogin(ctx: Ctx, why: string): undefined {
  push(ctx, skippedCheck({ id: "login", kind: "login", title: "Login" }, say("login.not-attempted", { why })));
  push(ctx, skippedCheck({ id: "token.ttl", kind: "token", title: "Token TTL" }, say("token.no-token")));
  return undefined;
}

/** checkTokenTtl checks the token outlives the deploy; returns whether it is a batch token. */
async function checkTokenTtl(ctx: Ctx, session: LoginResult): Promise<boolean> {
  const min = ctx.options.minTtlSeconds;
  let batch = false;
  await timed(
    ctx,
    { id: "token.ttl", kind: "token", title: `Token TTL covers the deploy (${formatDuration(min)})` },
    async () => {
      const data = await ctx.client.lookupSelf();
      batch = data.type === "batch";
      const ttl = typeof data.ttl === "number" ? data.ttl : session.ttlSeconds;
      const renewable = data.renewable === true;
      const details = { ttlSeconds: ttl, renewable, minTtlSeconds: min, ...(batch ? { batch } : {}) };
      const note = batch ? "; a batch token: it expires after its TTL and is neither renewed nor revoked" : "";
      const vars = { ttl: formatDuration(ttl), min: formatDuration(min), batch: note };
      if (ttl === 0) return say("token.no-expiry", {}, details);
      if (ttl >= min) return say("token.ok", vars, details);
      if (!renewable) return say("token.too-short", vars, details);
      const renewed = await ctx.client.renewSelf(min);
      const reach = renewed?.lease_duration ?? ttl;
      const more = { ...details, renewedTtlSeconds: reach };
      return say(reach >= min ? "token.renewal-covers" : "token.renewal-short", { ...vars, reach: formatDuration(reach) }, more);
    },
  );
  return batch;
}

/** isBatchRefusal tells the vault's answer to revoking a batch token (found when token.ttl could not run). */
function isBatchRefusal(error: unknown): boolean {
  for (let e: unknown = error; e instanceof Error; e = e.cause)
    if (/batch tokens cannot be revoked/i.test(e.message)) return true;
  return false;
}

function stringClaims(claims: Record<string, unknown>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(claims).map(([k, v]) => [`claim.${k}`, typeof v === "string" ? v : JSON.stringify(v)]),
  );
}

export type { CheckResult };
