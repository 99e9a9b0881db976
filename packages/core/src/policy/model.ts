/**
 * policy/model — what `vaultgate policy` is asked for (a TrustRequest: the platform, who
 * may use the secrets, where the vault's jwt mount lives) and what it produces (a
 * TrustPlan: the mount config, one role per environment or ref set, one ACL policy),
 * every part carrying one comment line per binding saying what it allows and why.
 */

/** Platform names the CI systems whose OIDC tokens the generator knows. */
export type TrustPlatform = "github" | "gitlab" | "jenkins";
export const TRUST_PLATFORMS: readonly TrustPlatform[] = ["github", "gitlab", "jenkins"];

/** GitHubSubject says which GitHub workflows may log in. */
export interface GitHubSubject {
  platform: "github";
  /** owner/repo. */
  repository: string;
  /** Immutable numeric ids; when absent only names are bound (and a warning says so). */
  repositoryId: string | undefined;
  ownerId: string | undefined;
  /** Full refs: refs/heads/main, refs/tags/v1.2.3 (a `*` makes the role a glob role). */
  refs: readonly string[];
  environments: readonly string[];
  /** A workflow file (.github/workflows/deploy.yml) or a full job_workflow_ref (owner/repo/path@ref). */
  workflow: string | undefined;
}

/** GitLabSubject says which GitLab pipelines may log in. */
export interface GitLabSubject {
  platform: "gitlab";
  /** group/project. */
  project: string;
  projectId: string | undefined;
  namespaceId: string | undefined;
  /** Full refs: refs/heads/main, refs/tags/v1 (GitLab's ref_path claim). */
  refs: readonly string[];
  environments: readonly string[];
  /** Require ref_protected / environment_protected = "true" (default true). */
  protectedOnly: boolean;
}

/** JenkinsSubject says which Jenkins jobs may log in. */
export interface JenkinsSubject {
  platform: "jenkins";
  /** The controller's URL, e.g. https://jenkins.example.com/. */
  jenkinsUrl: string;
  /** Job paths (folder/job, multibranch/branch); the token's sub is the job's URL. */
  jobs: readonly string[];
}

export type TrustSubject = GitHubSubject | GitLabSubject | JenkinsSubject;

/** KeySource says how the vault verifies token signatures. */
export type KeySource =
  { kind: "discovery"; url: string } | { kind: "jwks"; url: string } | { kind: "pubkeys"; pems: readonly string[] };

/** SecretAccess is one path the job uses and how (from the manifest). */
export interface SecretAccess {
  /** The path as written in the manifest. */
  path: string;
  method: "GET" | "POST";
  origin: string;
}

/** TrustRequest is everything the generator needs. */
export interface TrustRequest {
  subject: TrustSubject;
  /** jwt auth mount path, without auth/ (e.g. jwt). */
  mount: string;
  /** Base name of the roles; one role per environment gets `<role>-<environment>`. */
  role: string;
  policyName: string;
  /** The audience the roles require: the vault's own URL unless told otherwise. */
  audience: string;
  issuer: string;
  keys: KeySource;
  ttlSeconds: number;
  maxTtlSeconds: number;
  secrets: readonly SecretAccess[];
  /** KV version 2 mounts: their paths get `data/` inserted. */
  kv2Mounts: readonly string[];
}

/** MountPlan is the jwt auth mount and its config. */
export interface MountPlan {
  path: string;
  config: Readonly<Record<string, unknown>>;
  comments: readonly string[];
}

/** RolePlan is one jwt role: its API body and one comment per binding. */
export interface RolePlan {
  name: string;
  body: Readonly<Record<string, unknown>>;
  comments: readonly string[];
}

/** PolicyRule is one `path` block of an ACL policy. */
export interface PolicyRule {
  path: string;
  capabilities: readonly string[];
  comment: string;
}

/** PolicyPlan is the ACL policy the roles grant, as rules and as HCL text. */
export interface PolicyPlan {
  name: string;
  rules: readonly PolicyRule[];
  text: string;
}

/** TrustPlan is the generated trust: mount, roles, policy, and warnings for the user. */
export interface TrustPlan {
  platform: TrustPlatform;
  /** Who is trusted, in words (header of every artefact). */
  summary: string;
  mount: MountPlan;
  roles: readonly RolePlan[];
  policy: PolicyPlan;
  warnings: readonly string[];
}
