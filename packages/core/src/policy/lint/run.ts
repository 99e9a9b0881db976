/**
 * policy/lint/run — the rule table (every rule, in id order) and the one function that
 * runs it over a snapshot: findings sorted by severity, then place.
 */
import { AWS_RULES } from "./aws-rules.js";
import type { Finding, LintOptions, LintRule, Severity, TrustSnapshot } from "./model.js";
import { POLICY_RULES } from "./policy-rules.js";
import { ROLE_RULES } from "./role-rules.js";

/** LINT_RULES is the rule table: what docs/lint.md and the SARIF rule list are written from. */
export const LINT_RULES: readonly LintRule[] = [...ROLE_RULES, ...POLICY_RULES, ...AWS_RULES].sort((a, b) =>
  a.id.localeCompare(b.id, "en", { numeric: true }),
);

export const DEFAULT_LINT_OPTIONS: LintOptions = { maxTtlSeconds: 3600 };

const ORDER: Readonly<Record<Severity, number>> = { error: 0, warning: 1, note: 2 };

/** LintReport is the result of one lint run. */
export interface LintReport {
  source: string;
  findings: Finding[];
  counts: Record<Severity, number>;
}

/** lint runs every rule over the snapshot. */
export function lint(snapshot: TrustSnapshot, options: LintOptions = DEFAULT_LINT_OPTIONS): LintReport {
  const findings: Finding[] = [];
  for (const rule of LINT_RULES) {
    for (const issue of rule.check(snapshot, options))
      findings.push({ ruleId: rule.id, severity: rule.severity, message: issue.message, location: issue.location });
  }
  findings.sort(
    (a, b) =>
      ORDER[a.severity] - ORDER[b.severity] ||
      a.location.uri.localeCompare(b.location.uri) ||
      (a.location.line ?? 0) - (b.location.line ?? 0) ||
      a.ruleId.localeCompare(b.ruleId),
  );
  const counts: Record<Severity, number> = { error: 0, warning: 0, note: 0 };
  for (const f of findings) counts[f.severity]++;
  return { source: snapshot.source, findings, counts };
}

/** ruleById finds a rule of the table. */
export function ruleById(id: string): LintRule | undefined {
  return LINT_RULES.find((r) => r.id === id);
}
