/**
 * issuer/claims — the claims of the three CI platforms' OIDC ID tokens, with their
 * real claim names (GitHub Actions, GitLab CI `id_tokens`, Jenkins' OIDC Provider
 * plugin), for a job identity described by a small context object.
 */

/** GitHubContext selects a GitHub Actions job identity. */
export interface GitHubContext {
  repository?: string;
  ref?: string;
  environment?: string;
  eventName?: string;
}

/** GitLabContext selects a GitLab CI job identity. */
export interface GitLabContext {
  projectPath?: string;
  ref?: string;
  refType?: "branch" | "tag";
  environment?: string;
}

/** JenkinsContext selects a Jenkins build identity. */
export interface JenkinsContext {
  jenkinsUrl?: string;
  job?: string;
  buildNumber?: number;
}

const SHA = "3b1f9c0de4a5b6c7d8e9f0a1b2c3d4e5f6a7b8c9";

/** githubClaims returns the claims of a GitHub Actions ID token for audience `aud`. */
export function githubClaims(aud: string, ctx: GitHubContext = {}): Record<string, unknown> {
  const repository = ctx.repository ?? "acme/app";
  const ref = ctx.ref ?? "refs/heads/main";
  const owner = repository.split("/")[0] ?? repository;
  const workflowRef = `${repository}/.github/workflows/deploy.yml@${ref}`;
  return {
    aud,
    sub: ctx.environment ? `repo:${repository}:environment:${ctx.environment}` : `repo:${repository}:ref:${ref}`,
    ref,
    ref_type: ref.startsWith("refs/tags/") ? "tag" : "branch",
    ref_protected: "true",
    sha: SHA,
    repository,
    repository_id: "100200300",
    repository_owner: owner,
    repository_owner_id: "4005006",
    repository_visibility: "private",
    run_id: "9100000001",
    run_number: "7",
    run_attempt: "1",
    actor: "octocat",
    actor_id: "583231",
    workflow: "deploy",
    workflow_ref: workflowRef,
    workflow_sha: SHA,
    job_workflow_ref: workflowRef,
    job_workflow_sha: SHA,
    event_name: ctx.eventName ?? "push",
    head_ref: "",
    base_ref: "",
    ...(ctx.environment ? { environment: ctx.environment } : {}),
    runner_environment: "github-hosted",
  };
}

/** gitlabClaims returns the claims of a GitLab CI `id_tokens` token for audience `aud`. */
export function gitlabClaims(aud: string, ctx: GitLabContext = {}): Record<string, unknown> {
  const projectPath = ctx.projectPath ?? "acme/app";
  const ref = ctx.ref ?? "main";
  const refType = ctx.refType ?? "branch";
  const refPath = `refs/${refType === "tag" ? "tags" : "heads"}/${ref}`;
  const environment = ctx.environment
    ? {
        environment: ctx.environment,
        environment_protected: "true",
        deployment_tier: /prod/.test(ctx.environment) ? "production" : "other",
        environment_action: "start",
      }
    : {};
  return {
    aud,
    sub: `project_path:${projectPath}:ref_type:${refType}:ref:${ref}`,
    namespace_id: "71",
    namespace_path: projectPath.split("/").slice(0, -1).join("/") || projectPath,
    project_id: "4242",
    project_path: projectPath,
    user_id: "1337",
    user_login: "deployer",
    user_email: "deployer@example.com",
    user_access_level: "maintainer",
    pipeline_id: "880001",
    pipeline_source: "push",
    job_id: "990001",
    ref,
    ref_type: refType,
    ref_path: refPath,
    ref_protected: "true",
    ...environment,
    runner_id: 12,
    runner_environment: "self-hosted",
    sha: SHA,
    ci_config_ref_uri: `gitlab.example.com/${projectPath}//.gitlab-ci.yml@${refPath}`,
    ci_config_sha: SHA,
    project_visibility: "private",
  };
}

/** jenkinsClaims returns the claims of a Jenkins OIDC Provider token (sub is the job URL). */
export function jenkinsClaims(aud: string, ctx: JenkinsContext = {}): Record<string, unknown> {
  const base = (ctx.jenkinsUrl ?? "https://jenkins.example.com/").replace(/\/*$/, "/");
  const jobPath = (ctx.job ?? "app/deploy")
    .split("/")
    .filter(Boolean)
    .map((name) => `job/${name}/`)
    .join("");
  return { aud, sub: `${base}${jobPath}`, build_number: ctx.buildNumber ?? 17 };
}
