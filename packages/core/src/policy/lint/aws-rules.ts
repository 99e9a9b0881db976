/**
 * policy/lint/aws-rules — the rules over IAM role trust policies (JSON files) that let
 * CI OIDC tokens assume a role with sts:AssumeRoleWithWebIdentity: a missing sub
 * condition, StringLike wildcards over the owner or the whole subject, a missing aud.
 */
import type { AwsTrustPolicy, Issue, LintRule } from "./model.js";

const REF = {
  aws: {
    title: "AWS IAM: creating a role for OpenID Connect federation (GitHub, GitLab)",
    url: "https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_create_for-idp_oidc.html",
  },
  datadog: {
    title: "Datadog Security Labs: GitHub-to-AWS keyless authentication flaws",
    url: "https://securitylabs.datadoghq.com/articles/exploring-github-to-aws-keyless-authentication-flaws/",
  },
} as const;

/** WebIdentityStatement is one Allow statement for AssumeRoleWithWebIdentity, with its conditions flattened. */
interface WebIdentityStatement {
  index: number;
  provider: string;
  /** operator → condition key → values */
  conditions: Record<string, Record<string, string[]>>;
  policy: AwsTrustPolicy;
}

function list(value: unknown): unknown[] {
  return Array.isArray(value) ? value : value === undefined ? [] : [value];
}

function webIdentityStatements(policies: readonly AwsTrustPolicy[]): WebIdentityStatement[] {
  const out: WebIdentityStatement[] = [];
  for (const policy of policies) {
    list(policy.document.Statement).forEach((raw, index) => {
      const st = (raw ?? {}) as Record<string, unknown>;
      const actions = list(st.Action).map(String);
      if (st.Effect !== "Allow" || !actions.some((a) => a === "sts:AssumeRoleWithWebIdentity" || a === "sts:*" || a === "*"))
        return;
      const principal = (st.Principal ?? {}) as Record<string, unknown>;
      const provider = list(principal.Federated).map(String)[0] ?? "";
      const conditions: Record<string, Record<string, string[]>> = {};
      for (const [op, keys] of Object.entries((st.Condition ?? {}) as Record<string, unknown>)) {
        conditions[op] = {};
        for (const [key, values] of Object.entries((keys ?? {}) as Record<string, unknown>))
          conditions[op][key] = list(values).map(String);
      }
      out.push({ index, provider, conditions, policy });
    });
  }
  return out;
}

/** claimValues returns the condition values on `<provider>:claim` (any operator), by operator. */
function claimValues(st: WebIdentityStatement, claim: string): { op: string; values: string[] }[] {
  const out: { op: string; values: string[] }[] = [];
  for (const [op, keys] of Object.entries(st.conditions))
    for (const [key, values] of Object.entries(keys)) if (key.endsWith(`:${claim}`)) out.push({ op, values });
  return out;
}

function at(st: WebIdentityStatement, message: string): Issue {
  const line = lineOfStatement(st.policy.text, st.index);
  return { message, location: { ...st.policy.location, line, logical: `${st.policy.location.logical}, Statement[${st.index}]` } };
}

/** lineOfStatement finds the line of the n-th `"Effect"` in the text (the statement's start, near enough). */
function lineOfStatement(text: string, index: number): number | undefined {
  let seen = -1;
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) if (/"Effect"\s*:/.test(lines[i] ?? "") && ++seen === index) return i + 1;
  return undefined;
}

const ownerWide = (v: string) =>
  /^(\*|repo:\*|repo:[^/:]*\*|repo:[^/:]+\/\*|project_path:[^:]*\*)/.test(v) || v.replace(/\*/g, "") === "";

export const AWS_RULES: readonly LintRule[] = [
  {
    id: "AWS101",
    name: "aws-sub-missing",
    severity: "error",
    title: "Trust policy has no condition on sub",
    why: "Without a condition on the token's sub, sts:AssumeRoleWithWebIdentity accepts a token for any repository or project the identity provider signs for — on token.actions.githubusercontent.com or gitlab.com, anyone's pipeline can assume the role.",
    fix: 'Add "StringEquals": { "<provider>:sub": "repo:owner/repo:environment:production" } (or the ref form).',
    reference: REF.aws,
    check: (s) =>
      webIdentityStatements(s.aws)
        .filter((st) => claimValues(st, "sub").length === 0)
        .map((st) => at(st, `Statement[${st.index}] (${st.provider || "no provider"}) has no sub condition.`)),
  },
  {
    id: "AWS102",
    name: "aws-sub-wildcard",
    severity: "error",
    title: "StringLike wildcard over the owner or the whole sub",
    why: "StringLike with repo:org/*, repo:* or * admits every repository of the organisation (or of everyone), including forks and repositories any member can create.",
    fix: "Use StringEquals with the exact repository's sub forms; a wildcard, if any, only after the repository name and never admitting pull_request.",
    reference: REF.datadog,
    check: (s) =>
      webIdentityStatements(s.aws).flatMap((st) =>
        claimValues(st, "sub")
          .filter((c) => /StringLike/.test(c.op))
          .flatMap((c) => c.values.filter(ownerWide).map((v) => at(st, `Statement[${st.index}] allows sub ${v} (${c.op}).`))),
      ),
  },
  {
    id: "AWS103",
    name: "aws-aud-missing",
    severity: "error",
    title: "Trust policy has no condition on aud",
    why: "Without an aud condition a token minted for any other service that trusts the same identity provider can be exchanged for this role's credentials.",
    fix: 'Add "StringEquals": { "<provider>:aud": "sts.amazonaws.com" } (or your own audience).',
    reference: REF.aws,
    check: (s) =>
      webIdentityStatements(s.aws)
        .filter((st) => claimValues(st, "aud").length === 0)
        .map((st) => at(st, `Statement[${st.index}] (${st.provider || "no provider"}) has no aud condition.`)),
  },
  {
    id: "AWS104",
    name: "aws-sub-repo-wildcard",
    severity: "warning",
    title: "StringLike wildcard after the repository admits every ref and pull requests",
    why: "repo:owner/repo:* matches every branch, tag, environment and the pull_request sub: code from any pull request of the repository (and any branch a contributor pushes) gets the role.",
    fix: "List the exact sub forms (ref:refs/heads/main, environment:production) with StringEquals.",
    reference: REF.datadog,
    check: (s) =>
      webIdentityStatements(s.aws).flatMap((st) =>
        claimValues(st, "sub")
          .filter((c) => /StringLike/.test(c.op))
          .flatMap((c) =>
            c.values
              .filter((v) => v.includes("*") && !ownerWide(v))
              .map((v) => at(st, `Statement[${st.index}] allows sub ${v} (${c.op}).`)),
          ),
      ),
  },
];
