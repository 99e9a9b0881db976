/**
 * check/run — the pre-deploy gate. Proves, before anything is changed, that the job's
 * identity is usable, the vault answers, the login works, the token lives long enough
 * and every secret is readable — without printing, exporting or writing one value.
 * Values read to prove existence stay in this process's memory and are discarded.
 * The source's credentials are revoked at the end (a batch token cannot be: it expires).
 * The gate speaks to the source through the provider interface: probe, authenticate,
 * validateSession, validate, revoke. Every reason comes from a reason table
 * (check/reasons.ts, identity/validate.ts, providers/vault/reasons.ts); one cause fails
 * one check, the checks it prevents are skipped.
 */
import type { VaultgateConfig } from "../config/schema.js";
import { summarizeClaims, type Claims } from "../identity/claims.js";
import { obtainIdToken, type IdToken } from "../identity/sources.js";
import { IDENTITY_REASONS, findingSentence, validateIdToken } from "../identity/validate.js";
import { USER_AGENT } from "../lifecycle/session.js";
import { REVOKE_BUDGET_SECONDS } from "../lifecycle/revoke.js";
import type { Platform } from "../platform.js";
import { authenticate, probe, sourceWarnings } from "../providers/registry.js";
import type { AuthenticateOptions, ProviderSession } from "../providers/types.js";
import { formatDuration } from "../util/duration.js";
import { VERSION } from "../version.js";
import { BudgetWatch } from "./budget.js";
import { errorOutcome, push, secretCheck, skippedCheck, timed, type CheckOptions, type Ctx, type Outcome } from "./context.js";
import { CHECK_REPORT_SCHEMA, gatePasses, summarize, type CheckReport, type CheckResult } from "./model.js";
import { say } from "./reasons.js";
import { checkSecrets } from "./secrets.js";
import { checkOtherSources } from "./sources.js";

export type { CheckOptions } from "./context.js";

/** runCheck runs every check and returns the report; it throws only on a bug. */
export async function runCheck(config: VaultgateConfig, platform: Platform, options: CheckOptions): Promise<CheckReport> {
  const budget = new BudgetWatch(options.budgetSeconds);
  for (const warning of sourceWarnings(config)) platform.log.warn(warning);
  const connect: AuthenticateOptions = {
    platform,
    userAgent: USER_AGENT,
    maxAttempts: Math.min(config.fetch.maxAttempts ?? 3, 3),
    deadline: budget.deadline,
    observe: budget.observe,
  };
  const ctx: Ctx = { config, platform, options, budget, checks: [] };
  let claims: Claims | undefined;
  let session: ProviderSession | undefined;
  let others: ProviderSession[] = [];
  try {
    if (!config.vault) {
      // AWS-only: the job's token for STS, then the AWS login, session and secrets; no vault is asked.
      const id = await checkIdentity(ctx);
      claims = id?.token.claims ?? {};
      others = await checkOtherSources(ctx, connect, checkSessionTtl, id);
      push(ctx, budget.result(ctx.checks));
      return report(ctx, claims, others[0]);
    }
    const id = config.auth.method === "jwt" ? await checkIdentity(ctx) : undefined;
    claims = id?.token.claims ?? {};
    const asking = probe(config, connect);
    const healthy = asking
      ? await timed(ctx, { id: "vault.health", kind: "vault", title: "Vault reachable, initialized and unsealed" }, asking)
      : undefined;
    const why =
      healthy?.status === "skip"
        ? healthy.reason.replace(/^Not checked: /, "").replace(/\.$/, "")
        : healthy?.status === "fail"
          ? "the vault is not available (vault.health)"
          : config.auth.method === "jwt" && !id?.usable
            ? "no usable ID token (identity.token)"
            : undefined;
    session = why === undefined ? await checkLogin(ctx, connect, id?.token) : skipLogin(ctx, why);
    const ofVault = config.secrets.filter((s) => s.source !== "aws");
    if (session) {
      await checkSessionTtl(ctx, session);
      await checkSecrets(ctx, session, ofVault);
    } else {
      const reason =
        ctx.checks.find((c) => c.id === "login")?.status === "skip" ? "login was not attempted" : "login did not succeed";
      for (const spec of ofVault) push(ctx, secretCheck(spec, say("secret.not-checked", { why: reason })));
    }
    others = await checkOtherSources(ctx, connect, checkSessionTtl);
    push(ctx, budget.result(ctx.checks));
  } finally {
    for (const other of others) other.close();
    if (session) await endSession(session, platform);
  }
  return report(ctx, claims, session);
}

/** report is the gate's report; `session` is the run's first source's (the vault, else AWS). */
function report(ctx: Ctx, claims: Claims | undefined, session: ProviderSession | undefined): CheckReport {
  const { config, options, budget } = ctx;
  const vault = config.vault;
  const auth = config.auth;
  return {
    $schema: CHECK_REPORT_SCHEMA,
    version: 1,
    tool: { name: "vaultgate", version: VERSION },
    ok: gatePasses(ctx.checks),
    startedAt: new Date(budget.started).toISOString(),
    durationMs: Date.now() - budget.started,
    vault: vault ? { address: vault.url, namespace: vault.namespace ?? null } : null,
    identity: vault
      ? {
          method: auth.method,
          mount: "mount" in auth ? auth.mount : null,
          role: session?.identity.role ?? ("role" in auth ? (auth.role ?? null) : null),
          claims: summarizeClaims(claims ?? {}),
        }
      : { method: "aws-web-identity", mount: null, role: config.aws?.roleArn ?? null, claims: summarizeClaims(claims ?? {}) },
    settings: { minTtlSeconds: options.minTtlSeconds, issueDynamic: options.issueDynamic, budgetSeconds: options.budgetSeconds },
    summary: summarize(ctx.checks),
    checks: ctx.checks,
  };
}

/** IdentityCheck is the token the identity check obtained, and whether the rule lets it be sent. */
export interface IdentityCheck {
  token: IdToken;
  usable: boolean;
}

/**
 * checkIdentity obtains the ID token and applies the identity rule (expiry, nbf,
 * audience): the vault login's token, or in an AWS-only run the AWS source's.
 */
async function checkIdentity(ctx: Ctx): Promise<IdentityCheck | undefined> {
  const aws = ctx.config.vault ? undefined : ctx.config.aws;
  const auth = aws
    ? { method: "jwt" as const, idToken: aws.idToken, audience: aws.audience }
    : ctx.config.auth.method === "jwt"
      ? ctx.config.auth
      : undefined;
  if (!auth) return undefined;
  let token: IdToken | undefined;
  const result = await timed(
    ctx,
    { id: "identity.token", kind: "identity", title: "OIDC ID token present, unexpired, with the audience" },
    async (): Promise<Outcome> => {
      try {
        token = await obtainIdToken({ source: auth.idToken, audience: auth.audience, userAgent: USER_AGENT }, ctx.platform);
      } catch (error) {
        const outcome = errorOutcome(ctx, error);
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

async function checkLogin(ctx: Ctx, connect: AuthenticateOptions, id: IdToken | undefined): Promise<ProviderSession | undefined> {
  const auth = ctx.config.auth;
  const role = "role" in auth ? auth.role : auth.method === "approle" ? auth.roleId : undefined;
  let session: ProviderSession | undefined;
  const title = `Login (${auth.method}${role ? `, role ${role}` : ""})`;
  await timed(ctx, { id: "login", kind: "login", title, fallbackId: "login.credentials" }, async () => {
    session = await authenticate(ctx.config, { ...connect, idToken: id });
    const who = session.identity;
    const policies = Array.isArray(who.details.policies) ? who.details.policies : [];
    return say(
      "login.ok",
      { policies: policies.join(", ") || "(none)" },
      { policies: [...policies], ttlSeconds: who.ttlSeconds, renewable: who.renewable },
    );
  });
  return session;
}

function skipLogin(ctx: Ctx, why: string): undefined {
  push(ctx, skippedCheck({ id: "login", kind: "login", title: "Login" }, say("login.not-attempted", { why })));
  push(ctx, skippedCheck({ id: "token.ttl", kind: "token", title: "Token TTL" }, say("token.no-token")));
  return undefined;
}

/** checkSessionTtl checks the session's credentials outlive the deploy. */
async function checkSessionTtl(ctx: Ctx, session: ProviderSession, id = "token.ttl", what = "Token TTL"): Promise<void> {
  const min = ctx.options.minTtlSeconds;
  await timed(ctx, { id, kind: "token", title: `${what} covers the deploy (${formatDuration(min)})` }, () =>
    session.validateSession({
      minTtlSeconds: min,
      issueDynamic: ctx.options.issueDynamic,
      concurrency: ctx.config.fetch.concurrency,
      budget: ctx.budget,
    }),
  );
}

/** endSession revokes the check's credentials (not ones the user supplied; not ones that cannot be). */
async function endSession(session: ProviderSession, platform: Platform): Promise<void> {
  try {
    const keep = !(session.handOver()?.ownsToken ?? false);
    if (!keep) {
      const deadline = Date.now() + REVOKE_BUDGET_SECONDS * 1000;
      const report = await session.revoke({ leases: [], keepCredentials: keep, deadline });
      if (report.token === "failed" && !report.unrevocable) {
        const message = (report.errors[0] ?? "").replace(/^token: /, "");
        platform.log.warn(`could not revoke the check's token: ${message}`, "vaultgate check");
      }
    }
  } finally {
    session.close();
  }
}

function stringClaims(claims: Record<string, unknown>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(claims).map(([k, v]) => [`claim.${k}`, typeof v === "string" ? v : JSON.stringify(v)]),
  );
}

export type { CheckResult };
