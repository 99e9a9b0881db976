/**
 * check/model — the pre-deploy gate's report: one entry per check with a status and a
 * reason that names the fix. Its JSON form is a stable, documented schema
 * (docs/check.md, docs/schemas/check-report.v1.json); it never holds a secret value.
 */

/** CheckStatus: pass, warn (passes the gate), fail, or skip (could not run). */
export type CheckStatus = "pass" | "warn" | "fail" | "skip";

/** CheckKind groups checks: identity, vault, login, token, secret, budget, config. */
export type CheckKind = "config" | "identity" | "vault" | "login" | "token" | "secret" | "budget";

/** CheckResult is one check. */
export interface CheckResult {
  /** Stable identifier, e.g. "vault.health" or "secret.DB_PASSWORD". */
  id: string;
  kind: CheckKind;
  title: string;
  status: CheckStatus;
  /** A failing or skipped required check fails the gate; optional ones only warn. */
  required: boolean;
  /** One sentence: what was found and, when not passing, what to do. */
  reason: string;
  /** Non-secret facts (paths, TTLs, capabilities, claim values). */
  details: Record<string, string | number | boolean | string[]>;
  durationMs: number;
}

/** CheckReport is the whole gate's result. */
export interface CheckReport {
  $schema: string;
  version: 1;
  tool: { name: "vaultgate"; version: string };
  ok: boolean;
  startedAt: string;
  durationMs: number;
  /** The vault checked; null when the run names none (AWS-only). */
  vault: { address: string; namespace: string | null } | null;
  identity: {
    method: string;
    mount: string | null;
    role: string | null;
    /** Non-secret claims of the OIDC token (never the token). */
    claims: Record<string, unknown>;
  };
  settings: { minTtlSeconds: number; issueDynamic: boolean; budgetSeconds: number };
  summary: { total: number; pass: number; warn: number; fail: number; skip: number };
  checks: CheckResult[];
}

export const CHECK_REPORT_SCHEMA = "https://vaultgate.dev/schemas/check-report.v1.json";

/** gatePasses tells whether a set of checks lets the deploy go ahead. */
export function gatePasses(checks: readonly CheckResult[]): boolean {
  return checks.every((c) => !c.required || c.status === "pass" || c.status === "warn");
}

/** summarize counts the statuses. */
export function summarize(checks: readonly CheckResult[]): CheckReport["summary"] {
  const summary = { total: checks.length, pass: 0, warn: 0, fail: 0, skip: 0 };
  for (const c of checks) summary[c.status]++;
  return summary;
}

/** configErrorReport is the report of a gate that could not start: its configuration is wrong. */
export function configErrorReport(
  message: string,
  settings: CheckReport["settings"],
  version: string,
  address: string | null = null,
): CheckReport {
  const check: CheckResult = {
    id: "config",
    kind: "config",
    title: "Configuration",
    status: "fail",
    required: true,
    reason: message,
    details: { reason: "config.invalid" },
    durationMs: 0,
  };
  return {
    $schema: CHECK_REPORT_SCHEMA,
    version: 1,
    tool: { name: "vaultgate", version },
    ok: false,
    startedAt: new Date().toISOString(),
    durationMs: 0,
    vault: { address: address ?? "", namespace: null },
    identity: { method: "", mount: null, role: null, claims: {} },
    settings,
    summary: summarize([check]),
    checks: [check],
  };
}
