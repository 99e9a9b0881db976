/**
 * policy/lint/role-rules — the rules over jwt/oidc roles and their mounts: audience,
 * wildcards, glob type, ref/environment binding of production roles, pull-request
 * claims, names instead of ids, issuer, user_claim, TTLs, reusable workflows, Jenkins.
 */
import type { Issue, LintRule } from "./model.js";
import {
  boundClaims,
  grantedPolicies,
  isGlob,
  issuerOf,
  platformOf,
  roleLabel,
  rolesOf,
  seconds,
  strings,
  text,
} from "./facts.js";

const REF = {
  githubOidc: {
    title: "GitHub: security hardening with OpenID Connect",
    url: "https://docs.github.com/en/actions/security-for-github-actions/security-hardening-your-deployments/about-security-hardening-with-openid-connect",
  },
  jwtApi: { title: "OpenBao: JWT/OIDC auth method API (roles)", url: "https://openbao.org/api-docs/auth/jwt/" },
  jwtDocs: { title: "OpenBao: JWT/OIDC auth method, bound claims", url: "https://openbao.org/docs/auth/jwt/" },
  unit42: {
    title: "Palo Alto Unit 42: OIDC misconfigurations in CI/CD",
    url: "https://unit42.paloaltonetworks.com/oidc-misconfigurations-in-ci-cd/",
  },
  gga: {
    title: "google-github-actions/auth: security considerations",
    url: "https://github.com/google-github-actions/auth/blob/main/docs/SECURITY_CONSIDERATIONS.md",
  },
  datadog: {
    title: "Datadog Security Labs: GitHub-to-AWS keyless authentication flaws",
    url: "https://securitylabs.datadoghq.com/articles/exploring-github-to-aws-keyless-authentication-flaws/",
  },
  reusable: {
    title: "GitHub: using OpenID Connect with reusable workflows",
    url: "https://docs.github.com/en/actions/security-for-github-actions/security-hardening-your-deployments/using-openid-connect-with-reusable-workflows",
  },
  jenkins: { title: "Jenkins: OpenID Connect Provider plugin", url: "https://plugins.jenkins.io/oidc-provider/" },
  tokens: { title: "OpenBao: tokens, TTLs and max TTLs", url: "https://openbao.org/docs/concepts/tokens/" },
} as const;

const at = (view: { role: { location: Issue["location"] } }, message: string): Issue => ({
  message,
  location: view.role.location,
});

/** TENANT_CLAIMS pin a multi-tenant issuer's token to one owner or project. */
const TENANT_CLAIMS = [
  "repository_id",
  "repository_owner_id",
  "repository",
  "repository_owner",
  "job_workflow_ref",
  "project_id",
  "namespace_id",
  "project_path",
  "namespace_path",
];
const SCOPE_CLAIMS = ["ref", "ref_path", "environment", "ref_protected", "environment_protected", "job_workflow_ref"];
const HIGH_CARDINALITY = [
  "run_id",
  "run_number",
  "run_attempt",
  "actor",
  "actor_id",
  "jti",
  "sha",
  "job_id",
  "pipeline_id",
  "user_login",
  "user_email",
  "user_id",
  "build_number",
  "iat",
];

/** orgWide tells whether a glob value admits every repository of an owner (or everything). */
function orgWide(claim: string, value: string): boolean {
  if (value.replace(/\*/g, "") === "") return true;
  const repoPart = (() => {
    if (claim === "sub") return /^(?:repo|project_path):([^:]*)/.exec(value)?.[1] ?? value;
    if (claim === "job_workflow_ref" || claim === "workflow_ref") return value.split("/.github/")[0] ?? value;
    return ["repository", "project_path", "namespace_path", "repository_owner"].includes(claim) ? value : undefined;
  })();
  return repoPart !== undefined && repoPart.includes("*");
}

export const ROLE_RULES: readonly LintRule[] = [
  {
    id: "VG101",
    name: "audience-missing",
    severity: "error",
    title: "Role accepts any audience",
    why: "Without bound_audiences the role does not check whom a token was minted for, so a token the job requested for another service (a cloud provider, a package registry) is as good as one minted for this vault. Whoever receives such a token can replay it here.",
    fix: "Set bound_audiences to this vault's own URL and request exactly that audience in the job.",
    reference: REF.jwtApi,
    check: (s) =>
      rolesOf(s)
        .filter((v) => strings(v.role.data.bound_audiences).length === 0)
        .map((v) => at(v, `${roleLabel(v)} has no bound_audiences.`)),
  },
  {
    id: "VG102",
    name: "audience-shared",
    severity: "error",
    title: "Role accepts a default or shared audience",
    why: "GitHub's default audience https://github.com/<owner> is the same for every repository of the owner and every service that accepts GitHub tokens; sts.amazonaws.com and an issuer's own URL are likewise shared. A token minted for any of those services logs in here.",
    fix: "Use an audience only this vault accepts (its URL), in bound_audiences and in the job's token request.",
    reference: REF.gga,
    check: (s) =>
      rolesOf(s).flatMap((v) =>
        strings(v.role.data.bound_audiences)
          .filter(
            (aud) =>
              /^https:\/\/github\.com\/[^/]+\/?$/.test(aud) ||
              aud === "sts.amazonaws.com" ||
              aud.replace(/\/+$/, "") === issuerOf(v.mount).replace(/\/+$/, ""),
          )
          .map((aud) => at(v, `${roleLabel(v)} accepts the shared audience ${aud}.`)),
      ),
  },
  {
    id: "VG103",
    name: "wildcard-subject",
    severity: "error",
    title: "Bound claim admits a whole organisation, or anything",
    why: "A glob such as repo:org/*, org/* or a bare * admits every repository of the organisation — including ones any member can create or fork into it — and with bound_claims_type=glob a * also spans ':' and '/', so repo:org/app* matches repo:org/app-evil too.",
    fix: "Bind the exact repository or project by numeric id (repository_id, project_id) and list the refs or environments; keep bound_claims_type=string.",
    reference: REF.unit42,
    check: (s) =>
      rolesOf(s)
        .filter((v) => isGlob(v.role))
        .flatMap((v) =>
          Object.entries(boundClaims(v.role)).flatMap(([claim, values]) =>
            values
              .filter((value) => orgWide(claim, value))
              .map((value) => at(v, `${roleLabel(v)} binds ${claim} to the glob ${value}.`)),
          ),
        ),
  },
  {
    id: "VG104",
    name: "literal-star",
    severity: "warning",
    title: "`*` in bound_claims without bound_claims_type=glob",
    why: "With bound_claims_type=string (the default) a * matches only a literal star, so the binding either admits nobody (and someone will 'fix' it by loosening the role) or it was meant as a glob and the role is not doing what its author believes.",
    fix: "List the exact values. If a pattern is really meant, set bound_claims_type=glob and check that the * cannot span ':' or '/' into another repository.",
    reference: REF.jwtDocs,
    check: (s) =>
      rolesOf(s)
        .filter((v) => !isGlob(v.role))
        .flatMap((v) =>
          Object.entries(boundClaims(v.role)).flatMap(([claim, values]) =>
            values
              .filter((value) => value.includes("*"))
              .map((value) => at(v, `${roleLabel(v)} binds ${claim} to ${value}, which matches only a literal '*'.`)),
          ),
        ),
  },
  {
    id: "VG105",
    name: "glob-without-wildcard",
    severity: "note",
    title: "bound_claims_type=glob where no value holds `*`",
    why: "Glob matching is only needed for patterns; left on, the next value someone adds with a * becomes a pattern that also spans ':' and '/', silently widening the role.",
    fix: "Set bound_claims_type=string.",
    reference: REF.jwtDocs,
    check: (s) =>
      rolesOf(s)
        .filter((v) => isGlob(v.role) && !Object.values(boundClaims(v.role)).some((vals) => vals.some((x) => x.includes("*"))))
        .map((v) => at(v, `${roleLabel(v)} sets bound_claims_type=glob but no value holds '*'.`)),
  },
  {
    id: "VG106",
    name: "production-unbound",
    severity: "error",
    title: "Role granting production paths has no ref or environment binding",
    why: "A role whose policy reaches production secrets but binds no ref or environment can be used from any branch, tag or environment of the repository — a feature branch pushed by any contributor deploys to production with the production credentials.",
    fix: "Bind environment (with protection rules on the platform) or the protected ref (ref, ref_path + ref_protected) for the production role.",
    reference: REF.githubOidc,
    check: (s) =>
      rolesOf(s).flatMap((v) => {
        if (platformOf(v) === "jenkins") return [];
        const claims = boundClaims(v.role);
        const scoped = SCOPE_CLAIMS.some((c) => c in claims) || (claims.sub ?? []).some((x) => /:(ref|environment):/.test(x));
        if (scoped) return [];
        const prod = grantedPolicies(v, s).flatMap((p) =>
          p.rules.filter((r) => /(^|[/_-])(prod|production|live)([/_-]|$)/.test(r.path)).map((r) => `${p.name}: ${r.path}`),
        );
        return prod.length === 0 ? [] : [at(v, `${roleLabel(v)} grants ${prod.join(", ")} but binds no ref or environment.`)];
      }),
  },
  {
    id: "VG107",
    name: "pull-request-claims",
    severity: "error",
    title: "Bound claims a pull request can satisfy",
    why: "event_name pull_request/pull_request_target, a refs/pull/ or merge-request ref, a ':pull_request' sub, and head_ref/base_ref are all produced by pull requests — head_ref is chosen by the author, and any pull request aimed at main carries base_ref=main. Code from the pull request then logs in with the role's secrets.",
    fix: "Bind what a pull request cannot choose: the protected ref (ref=refs/heads/main), the environment, the workflow file (job_workflow_ref).",
    reference: REF.unit42,
    check: (s) =>
      rolesOf(s).flatMap((v) => {
        const out: Issue[] = [];
        for (const [claim, values] of Object.entries(boundClaims(v.role))) {
          if (claim === "head_ref" || claim === "base_ref")
            out.push(at(v, `${roleLabel(v)} binds ${claim}, which pull requests set.`));
          for (const value of values) {
            const pr =
              (claim === "event_name" && /pull_request|merge_request/.test(value)) ||
              (claim === "pipeline_source" && value === "merge_request_event") ||
              (["ref", "ref_path"].includes(claim) &&
                (/^refs\/(pull|merge-requests)\//.test(value) || (isGlob(v.role) && /^(refs\/\*|\*)$/.test(value)))) ||
              (claim === "sub" && /:pull_request$/.test(value));
            if (pr) out.push(at(v, `${roleLabel(v)} admits pull requests: ${claim}=${value}.`));
          }
        }
        return out;
      }),
  },
  {
    id: "VG108",
    name: "names-not-ids",
    severity: "warning",
    title: "Repository or project bound by name instead of numeric id",
    why: "Names can be recycled: when a repository, organisation or GitLab project is renamed or deleted, anyone can register the old name and their workflows mint tokens with the same repository/project_path claims. The numeric ids (repository_id, repository_owner_id, project_id, namespace_id) never come back.",
    fix: "Bind repository_id and repository_owner_id (GitHub) or project_id and namespace_id (GitLab); `vaultgate policy` looks them up.",
    reference: REF.datadog,
    check: (s) =>
      rolesOf(s).flatMap((v) => {
        const c = boundClaims(v.role);
        const names = ["repository", "repository_owner", "project_path", "namespace_path"].filter((k) => k in c);
        const subNamed = (c.sub ?? []).some((x) => /^(repo|project_path):/.test(x));
        const ids = ["repository_id", "repository_owner_id", "project_id", "namespace_id"].some((k) => k in c);
        return (names.length > 0 || subNamed) && !ids
          ? [at(v, `${roleLabel(v)} binds ${names.length ? names.join(", ") : "sub"} by name and no numeric id.`)]
          : [];
      }),
  },
  {
    id: "VG109",
    name: "issuer-unbound",
    severity: "warning",
    title: "jwt mount without bound_issuer",
    why: "bound_issuer is checked only when set. With jwks_url or static keys and no bound_issuer, any token those keys verify is accepted whatever its iss — keys shared by several issuers (one Jenkins instance's folders, a proxy) then mix their identities.",
    fix: "Set bound_issuer on the mount to the platform's issuer URL.",
    reference: REF.jwtApi,
    check: (s) =>
      s.mounts
        .filter((m) => !m.config.bound_issuer)
        .map((m) => ({ message: `auth/${m.path} has no bound_issuer.`, location: m.location })),
  },
  {
    id: "VG110",
    name: "shared-issuer-no-tenant",
    severity: "error",
    title: "Multi-tenant issuer with no owner or project pinned",
    why: "https://token.actions.githubusercontent.com and https://gitlab.com sign tokens for every repository and project on the service. A role on such an issuer that pins no repository, owner or project accepts a token from anyone's workflow.",
    fix: "Bind repository_id + repository_owner_id (GitHub) or project_id + namespace_id (GitLab).",
    reference: REF.gga,
    check: (s) =>
      rolesOf(s).flatMap((v) => {
        const issuer = issuerOf(v.mount).replace(/\/+$/, "");
        if (!/^https:\/\/(token\.actions\.githubusercontent\.com|gitlab\.com)$/.test(issuer)) return [];
        const c = boundClaims(v.role);
        const pinned =
          TENANT_CLAIMS.some((k) => k in c && !(c[k] ?? []).some((x) => orgWide(k, x))) ||
          (c.sub ?? []).some((x) => /^(repo|project_path):[^*:]+\/[^*:]+/.test(x));
        return pinned ? [] : [at(v, `${roleLabel(v)} trusts ${issuer} and pins no repository, owner or project.`)];
      }),
  },
  {
    id: "VG111",
    name: "user-claim-high-cardinality",
    severity: "warning",
    title: "user_claim changes with every run or person",
    why: "user_claim names the vault entity a login creates. run_id, actor, job_id and similar make a new entity per run or per person: the entity store grows without bound, client counts (and licences) inflate, and audit trails cannot tie runs of one pipeline together.",
    fix: "Use a stable, low-cardinality claim: repository_id (GitHub), project_id (GitLab), sub (Jenkins job URL).",
    reference: REF.jwtApi,
    check: (s) =>
      rolesOf(s)
        .filter((v) => HIGH_CARDINALITY.includes(text(v.role.data.user_claim)))
        .map((v) => at(v, `${roleLabel(v)} uses user_claim ${text(v.role.data.user_claim)}.`)),
  },
  {
    id: "VG112",
    name: "token-ttl",
    severity: "warning",
    title: "Long token_ttl, or no token_max_ttl",
    why: "A CI token should die with its job. A long token_ttl keeps a leaked token valid for hours; without token_max_ttl a renewing process can keep it alive up to the mount's or system's maximum (32 days by default).",
    fix: "Set token_ttl to the job's length (15m is typical) and token_max_ttl to the longest deploy (1h).",
    reference: REF.tokens,
    check: (s, o) =>
      rolesOf(s).flatMap((v) => {
        const ttl = seconds(v.role.data.token_ttl) ?? 0;
        const max = seconds(v.role.data.token_max_ttl) ?? 0;
        const out: Issue[] = [];
        if (ttl > o.maxTtlSeconds) out.push(at(v, `${roleLabel(v)} has token_ttl ${ttl}s (more than ${o.maxTtlSeconds}s).`));
        if (max === 0) out.push(at(v, `${roleLabel(v)} sets no token_max_ttl.`));
        return out;
      }),
  },
  {
    id: "VG117",
    name: "reusable-workflow-unpinned",
    severity: "warning",
    title: "Workflow-bound role without job_workflow_ref",
    why: "workflow is a display name anyone can write in any workflow file, and workflow_ref names the caller's workflow, not the reusable workflow that runs the job. Only job_workflow_ref says which workflow file (at which ref) defined the job that asks for the token.",
    fix: "Bind job_workflow_ref to owner/repo/.github/workflows/file.yml@refs/heads/main (`vaultgate policy --workflow`).",
    reference: REF.reusable,
    check: (s) =>
      rolesOf(s).flatMap((v) => {
        const c = boundClaims(v.role);
        const weak = ["workflow", "workflow_ref", "workflow_sha", "job_workflow_sha"].filter((k) => k in c);
        return weak.length > 0 && !("job_workflow_ref" in c)
          ? [at(v, `${roleLabel(v)} binds ${weak.join(", ")} but not job_workflow_ref.`)]
          : [];
      }),
  },
  {
    id: "VG118",
    name: "jenkins-settable",
    severity: "warning",
    title: "Jenkins trust that a job or folder admin can shape",
    why: "The OIDC Provider plugin's folder credentials have their own issuer (<JENKINS_URL>/oidc/job/<folder>) whose tokens any folder administrator can mint, and claims other than sub, iss and aud are templated from build variables that a Jenkinsfile or a folder can set. Only sub, the job URL, is Jenkins' own.",
    fix: "Trust the controller's global issuer (<JENKINS_URL>/oidc), bind sub to the job URLs, and bind no templated claims.",
    reference: REF.jenkins,
    check: (s) => {
      const out: Issue[] = [];
      for (const m of s.mounts) {
        if (/\/oidc\/job\//.test(issuerOf(m)))
          out.push({ message: `auth/${m.path} trusts the folder issuer ${issuerOf(m)}.`, location: m.location });
      }
      for (const v of rolesOf(s).filter((x) => platformOf(x) === "jenkins")) {
        const c = boundClaims(v.role);
        if (!("sub" in c)) out.push(at(v, `${roleLabel(v)} does not bind sub (the job URL).`));
        const templated = Object.keys(c).filter((k) => !["sub", "iss", "aud"].includes(k));
        if (templated.length > 0) out.push(at(v, `${roleLabel(v)} binds templated claims ${templated.join(", ")}.`));
      }
      return out;
    },
  },
];
