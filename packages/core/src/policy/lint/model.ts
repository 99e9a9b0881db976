/**
 * policy/lint/model — what `vaultgate lint` reads (a TrustSnapshot: jwt/oidc mounts with
 * their roles, the ACL policies they grant, IAM trust policies) and what it reports
 * (findings, each with its rule, a message and a location), plus the shape of a rule:
 * data (id, severity, why, fix, reference) and one check.
 */
import type { ParsedRule } from "../acl.js";

/** Location says where a finding is: a file and line, or a vault API path. */
export interface Location {
  /** A file path relative to the working directory, or a vault API path (auth/jwt/role/x). */
  uri: string;
  /** True when `uri` is a vault API path rather than a file. */
  vault: boolean;
  line: number | undefined;
  /** What it is, in words: "role deploy on auth/jwt", "policy app-read, path secret/*". */
  logical: string;
}

/** RoleSnapshot is one jwt/oidc role as the vault (or a file) holds it, in API field names. */
export interface RoleSnapshot {
  mount: string;
  name: string;
  data: Readonly<Record<string, unknown>>;
  location: Location;
}

/** MountSnapshot is one jwt/oidc auth mount, its config and roles. */
export interface MountSnapshot {
  path: string;
  type: string;
  config: Readonly<Record<string, unknown>>;
  location: Location;
  roles: RoleSnapshot[];
}

/** PolicyRuleAt is one path block of a policy with its line. */
export interface PolicyRuleAt extends ParsedRule {
  line: number | undefined;
}

/** PolicySnapshot is one ACL policy. */
export interface PolicySnapshot {
  name: string;
  rules: PolicyRuleAt[];
  location: Location;
}

/** AwsTrustPolicy is an IAM role trust policy document read from a JSON file. */
export interface AwsTrustPolicy {
  document: Readonly<Record<string, unknown>>;
  text: string;
  location: Location;
}

/** TrustSnapshot is everything lint looks at. */
export interface TrustSnapshot {
  /** Where it came from, for the report (a vault address, or "files"). */
  source: string;
  mounts: MountSnapshot[];
  policies: Map<string, PolicySnapshot>;
  /** KV mount paths (without trailing slash) when known (a live vault); undefined from files. */
  kvMounts: string[] | undefined;
  aws: AwsTrustPolicy[];
}

export type Severity = "error" | "warning" | "note";

/** Finding is one problem at one place. */
export interface Finding {
  ruleId: string;
  severity: Severity;
  message: string;
  location: Location;
}

/** LintOptions tune thresholds. */
export interface LintOptions {
  /** token_ttl above this many seconds is reported (default 3600). */
  maxTtlSeconds: number;
}

/** Issue is what a check returns: a message at a location (the rule adds id and severity). */
export interface Issue {
  message: string;
  location: Location;
}

/** LintRule is one rule: its data, and a check over the snapshot. */
export interface LintRule {
  id: string;
  name: string;
  severity: Severity;
  title: string;
  /** One paragraph: why this is dangerous. */
  why: string;
  /** How to fix it. */
  fix: string;
  reference: { title: string; url: string };
  check(snapshot: TrustSnapshot, options: LintOptions): Issue[];
}
