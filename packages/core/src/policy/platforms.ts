/**
 * policy/platforms — each CI platform's trust: its default issuer, the stable claim a
 * role names its tokens by, and the bindings (claim → allowed values, with why) that pin
 * a role to one repository or project by immutable numeric id, plus its refs,
 * environments or jobs. Facts from each platform's documented token claims.
 */
import { ConfigError } from "../errors.js";
import type { GitHubSubject, GitLabSubject, JenkinsSubject, TrustPlatform, TrustSubject } from "./model.js";

/** Binding is one bound claim of a role: the values allowed and why. */
export interface Binding {
  claim: string;
  values: readonly string[];
  why: string;
}

/** RoleSpec is one role to generate: a name suffix and its bindings. */
export interface RoleSpec {
  suffix: string | undefined;
  bindings: readonly Binding[];
}

/** PlatformTrust is what a platform contributes to the plan. */
export interface PlatformTrust {
  userClaim: string;
  userClaimWhy: string;
  roles: readonly RoleSpec[];
  warnings: readonly string[];
  summary: string;
}

/** DEFAULT_ISSUERS are the public issuers (GitHub Enterprise and self-managed GitLab pass --issuer). */
export const DEFAULT_ISSUERS: Readonly<Record<TrustPlatform, string | undefined>> = {
  github: "https://token.actions.githubusercontent.com",
  gitlab: "https://gitlab.com",
  jenkins: undefined,
};

/** jenkinsIssuer is the OIDC Provider plugin's global issuer for a controller URL. */
export function jenkinsIssuer(jenkinsUrl: string): string {
  return `${jenkinsUrl.replace(/\/+$/, "")}/oidc`;
}

/** platformTrust computes the roles and bindings of a subject. */
export function platformTrust(subject: TrustSubject): PlatformTrust {
  switch (subject.platform) {
    case "github":
      return githubTrust(subject);
    case "gitlab":
      return gitlabTrust(subject);
    case "jenkins":
      return jenkinsTrust(subject);
  }
}

/** byEnvironment makes one role per environment (each also bound by `common`), or one role. */
function byEnvironment(environments: readonly string[], common: Binding[], envBinding: (env: string) => Binding[]): RoleSpec[] {
  if (environments.length === 0) return [{ suffix: undefined, bindings: common }];
  return environments.map((env) => ({ suffix: env, bindings: [...common, ...envBinding(env)] }));
}

function requireScope(refs: readonly string[], environments: readonly string[], what: string): void {
  if (refs.length === 0 && environments.length === 0)
    throw new ConfigError(`A role for ${what} needs at least one ref or environment.`, {
      hint: "Add --branch main, --tag 'v*', --ref refs/heads/main or --environment production.",
    });
}

function githubTrust(s: GitHubSubject): PlatformTrust {
  const [owner = "", repo = ""] = s.repository.split("/");
  if (!owner || !repo || s.repository.split("/").length !== 2)
    throw new ConfigError(`--repository must be owner/name, got "${s.repository}".`);
  requireScope(s.refs, s.environments, s.repository);
  const warnings: string[] = [];
  const common: Binding[] = [];
  if (s.repositoryId) {
    common.push({
      claim: "repository_id",
      values: [s.repositoryId],
      why: `only ${s.repository} (id ${s.repositoryId}); a repository created later under the same name gets another id`,
    });
  } else {
    common.push({ claim: "repository", values: [s.repository], why: `only a repository named ${s.repository} (name only)` });
    warnings.push(
      `Only the name ${s.repository} is bound: if it is deleted or renamed, whoever creates a repository with that name can log in. Pass --repository-id, or set GITHUB_TOKEN to look it up.`,
    );
  }
  if (s.ownerId) {
    common.push({ claim: "repository_owner_id", values: [s.ownerId], why: `only repositories of ${owner} (id ${s.ownerId})` });
  } else {
    common.push({ claim: "repository_owner", values: [owner], why: `only repositories of an owner named ${owner} (name only)` });
    warnings.push(`Only the owner name ${owner} is bound. Pass --owner-id, or set GITHUB_TOKEN to look it up.`);
  }
  if (s.refs.length > 0)
    common.push({
      claim: "ref",
      values: s.refs,
      why: `only runs on ${s.refs.join(", ")}: no other branch, and no pull-request merge ref (refs/pull/…)`,
    });
  if (s.workflow) {
    const refs = s.refs.length > 0 ? s.refs : ["*"];
    const full = s.workflow.includes("@");
    const values = full ? [s.workflow] : refs.map((r) => `${s.repository}/${s.workflow?.replace(/^\.?\//, "")}@${r}`);
    common.push({
      claim: "job_workflow_ref",
      values,
      why: `only jobs defined in ${values.join(", ")}: another workflow of the repository, or one calling this one from elsewhere, is refused`,
    });
  }
  if (s.refs.length === 0)
    warnings.push(
      "No ref is bound: any branch whose workflow names the environment can log in unless the environment's deployment branches are restricted. Add --branch main.",
    );
  const roles = byEnvironment(s.environments, common, (env) => [
    {
      claim: "environment",
      values: [env],
      why: `only jobs that run in the ${env} environment (protect it with required reviewers or deployment branches)`,
    },
  ]);
  return {
    userClaim: s.repositoryId ? "repository_id" : "repository",
    userClaimWhy: "names the vault entity after the repository: stable across runs, one entity per repository",
    roles,
    warnings,
    summary: `GitHub Actions workflows of ${s.repository}`,
  };
}

function gitlabTrust(s: GitLabSubject): PlatformTrust {
  const parts = s.project.split("/");
  if (parts.length < 2 || parts.some((p) => !p)) throw new ConfigError(`--project must be group/project, got "${s.project}".`);
  requireScope(s.refs, s.environments, s.project);
  const group = parts.slice(0, -1).join("/");
  const warnings: string[] = [];
  const common: Binding[] = [];
  if (s.projectId) {
    common.push({
      claim: "project_id",
      values: [s.projectId],
      why: `only ${s.project} (id ${s.projectId}); a project created later under the same path gets another id`,
    });
  } else {
    common.push({ claim: "project_path", values: [s.project], why: `only a project at ${s.project} (path only)` });
    warnings.push(
      `Only the path ${s.project} is bound: a project moved or recreated at that path could log in. Pass --project-id, or set GITLAB_TOKEN to look it up.`,
    );
  }
  if (s.namespaceId) {
    common.push({ claim: "namespace_id", values: [s.namespaceId], why: `only projects of ${group} (id ${s.namespaceId})` });
  } else {
    common.push({ claim: "namespace_path", values: [group], why: `only projects under ${group} (path only)` });
    warnings.push(`Only the namespace path ${group} is bound. Pass --namespace-id, or set GITLAB_TOKEN to look it up.`);
  }
  if (s.refs.length > 0) {
    common.push({
      claim: "ref_path",
      values: s.refs,
      why: `only pipelines for ${s.refs.join(", ")}: no other branch, tag or merge-request ref`,
    });
    if (s.protectedOnly)
      common.push({ claim: "ref_protected", values: ["true"], why: "only protected refs, which only maintainers can push" });
  }
  const roles = byEnvironment(s.environments, common, (env) => [
    { claim: "environment", values: [env], why: `only jobs that deploy to the ${env} environment` },
    ...(s.protectedOnly
      ? [{ claim: "environment_protected", values: ["true"], why: "only while the environment is protected" }]
      : []),
  ]);
  return {
    userClaim: s.projectId ? "project_id" : "project_path",
    userClaimWhy: "names the vault entity after the project: stable across pipelines, one entity per project",
    roles,
    warnings,
    summary: `GitLab CI/CD pipelines of ${s.project}`,
  };
}

/** jenkinsJobUrl is the `sub` the OIDC Provider plugin puts in a job's token. */
export function jenkinsJobUrl(jenkinsUrl: string, job: string): string {
  const base = jenkinsUrl.replace(/\/+$/, "");
  const path = job
    .split("/")
    .filter(Boolean)
    .map((part) => `job/${part}/`)
    .join("");
  return `${base}/${path}`;
}

function jenkinsTrust(s: JenkinsSubject): PlatformTrust {
  if (s.jobs.length === 0)
    throw new ConfigError("A Jenkins role needs at least one job.", { hint: "Add --job folder/deploy (repeatable)." });
  const subs = s.jobs.map((job) => jenkinsJobUrl(s.jenkinsUrl, job));
  return {
    userClaim: "sub",
    userClaimWhy: "names the vault entity after the job URL: stable across builds, one entity per job",
    roles: [
      {
        suffix: undefined,
        bindings: [
          {
            claim: "sub",
            values: subs,
            why: `only builds of ${s.jobs.join(", ")} (sub is the job URL, set by Jenkins, not by the job or a folder)`,
          },
        ],
      },
    ],
    warnings: [],
    summary: `Jenkins jobs ${s.jobs.join(", ")} on ${s.jenkinsUrl}`,
  };
}
