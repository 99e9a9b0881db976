/**
 * issuer — a local OIDC issuer standing in for GitHub Actions, GitLab CI and Jenkins'
 * OIDC Provider plugin. It signs RS256 tokens carrying each platform's real claim names
 * (see ../shared/design/OIDC-CLAIMS.md) with a key generated per test run.
 */
import { randomUUID } from "node:crypto";
import { exportJWK, exportSPKI, generateKeyPair, importJWK, SignJWT, type JWK } from "jose";

/** IssuerKey is the serializable form of an issuer, handed from global setup to tests. */
export interface IssuerKey {
  issuer: string;
  kid: string;
  privateJwk: JWK;
  publicJwk: JWK;
  publicPem: string;
}

/** createIssuerKey generates a fresh RS256 key for `issuer`. */
export async function createIssuerKey(issuer: string): Promise<IssuerKey> {
  const { privateKey, publicKey } = await generateKeyPair("RS256", { extractable: true });
  const kid = randomUUID();
  return {
    issuer,
    kid,
    privateJwk: { ...(await exportJWK(privateKey)), kid, alg: "RS256", use: "sig" },
    publicJwk: { ...(await exportJWK(publicKey)), kid, alg: "RS256", use: "sig" },
    publicPem: await exportSPKI(publicKey),
  };
}

/** TokenOptions shape one token: claims to add or override, lifetime, clock skew. */
export interface TokenOptions {
  /** Seconds from now until exp (default 300, as GitHub). Negative yields an expired token. */
  ttl?: number;
  claims?: Record<string, unknown>;
  /** Claims to leave out entirely. */
  omit?: string[];
}

/** TestIssuer signs tokens with an IssuerKey. */
export class TestIssuer {
  readonly key: IssuerKey;
  constructor(key: IssuerKey) {
    this.key = key;
  }

  /** sign returns a compact JWT with `claims` (iat, nbf, exp, jti and iss added). */
  async sign(claims: Record<string, unknown>, options: TokenOptions = {}): Promise<string> {
    const now = Math.floor(Date.now() / 1000);
    const payload: Record<string, unknown> = {
      jti: randomUUID(),
      iss: this.key.issuer,
      iat: now,
      nbf: now - 5,
      exp: now + (options.ttl ?? 300),
      ...claims,
      ...options.claims,
    };
    for (const name of options.omit ?? []) delete payload[name];
    const key = await importJWK(this.key.privateJwk, "RS256");
    return new SignJWT(payload).setProtectedHeader({ alg: "RS256", kid: this.key.kid, typ: "JWT" }).sign(key);
  }
}

/** GitHubContext selects a GitHub job identity. */
export interface GitHubContext {
  repository?: string;
  ref?: string;
  environment?: string;
  eventName?: string;
}

/** githubClaims returns the claims of a GitHub Actions ID token. */
export function githubClaims(aud: string, ctx: GitHubContext = {}): Record<string, unknown> {
  const repository = ctx.repository ?? "acme/app";
  const ref = ctx.ref ?? "refs/heads/main";
  const [owner] = repository.split("/");
  const refType = ref.startsWith("refs/tags/") ? "tag" : "branch";
  const sub = ctx.environment ? `repo:${repository}:environment:${ctx.environment}` : `repo:${repository}:ref:${ref}`;
  return {
    aud,
    sub,
    ref,
    ref_type: refType,
    ref_protected: "true",
    sha: "4f1c6a1b2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a",
    repository,
    repository_id: "123456789",
    repository_owner: owner,
    repository_owner_id: "987654",
    repository_visibility: "private",
    run_id: "7000000001",
    run_number: "42",
    run_attempt: "1",
    actor: "octocat",
    actor_id: "583231",
    workflow: "deploy",
    workflow_ref: `${repository}/.github/workflows/deploy.yml@${ref}`,
    workflow_sha: "4f1c6a1b2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a",
    job_workflow_ref: `${repository}/.github/workflows/deploy.yml@${ref}`,
    job_workflow_sha: "4f1c6a1b2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a",
    event_name: ctx.eventName ?? "push",
    head_ref: "",
    base_ref: "",
    ...(ctx.environment ? { environment: ctx.environment } : {}),
    runner_environment: "github-hosted",
  };
}

/** GitLabContext selects a GitLab job identity. */
export interface GitLabContext {
  projectPath?: string;
  ref?: string;
  refType?: "branch" | "tag";
  environment?: string;
}

/** gitlabClaims returns the claims of a GitLab CI `id_tokens` token. */
export function gitlabClaims(aud: string, ctx: GitLabContext = {}): Record<string, unknown> {
  const projectPath = ctx.projectPath ?? "acme/app";
  const ref = ctx.ref ?? "main";
  const refType = ctx.refType ?? "branch";
  const [namespace] = projectPath.split("/");
  return {
    aud,
    sub: `project_path:${projectPath}:ref_type:${refType}:ref:${ref}`,
    namespace_id: "1001",
    namespace_path: namespace,
    project_id: "2002",
    project_path: projectPath,
    user_id: "3003",
    user_login: "deployer",
    user_email: "deployer@example.com",
    user_access_level: "maintainer",
    pipeline_id: "4004",
    pipeline_source: "push",
    job_id: "5005",
    ref,
    ref_type: refType,
    ref_path: refType === "tag" ? `refs/tags/${ref}` : `refs/heads/${ref}`,
    ref_protected: "true",
    ...(ctx.environment
      ? {
          environment: ctx.environment,
          environment_protected: "true",
          deployment_tier: "production",
          environment_action: "start",
        }
      : {}),
    runner_id: 6006,
    runner_environment: "self-hosted",
    sha: "9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d3e2f1a0b",
    ci_config_ref_uri: `gitlab.example.com/${projectPath}//.gitlab-ci.yml@refs/heads/${ref}`,
    ci_config_sha: "9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d3e2f1a0b",
    project_visibility: "private",
  };
}

/** JenkinsContext selects a Jenkins build identity. */
export interface JenkinsContext {
  jenkinsUrl?: string;
  job?: string;
  buildNumber?: number;
}

/** jenkinsClaims returns the claims of an OIDC Provider plugin token (sub = job URL). */
export function jenkinsClaims(aud: string, ctx: JenkinsContext = {}): Record<string, unknown> {
  const base = (ctx.jenkinsUrl ?? "https://jenkins.example.com/").replace(/\/?$/, "/");
  const job = ctx.job ?? "app/deploy";
  const jobPath = job
    .split("/")
    .map((j) => `job/${j}/`)
    .join("");
  return { aud, sub: `${base}${jobPath}`, build_number: ctx.buildNumber ?? 17 };
}
