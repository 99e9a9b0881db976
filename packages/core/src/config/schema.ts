/**
 * config/schema — the one normalized configuration every entry point produces, whether
 * it came from a manifest file (vaultgate.yml), a wrapper's inline inputs or CLI flags.
 */

/** AuthMethod names the ways vaultgate logs in to the vault (payload: any other method, with a login body). */
export type AuthMethod = "jwt" | "token" | "approle" | "kubernetes" | "userpass" | "ldap" | "github" | "payload";
export const AUTH_METHODS: readonly AuthMethod[] = ["jwt", "token", "approle", "kubernetes", "userpass", "ldap", "github"];

/** IdTokenFrom names where the CI job's OIDC ID token is obtained. */
export type IdTokenFrom = "auto" | "github" | "gitlab" | "jenkins" | "file" | "env";
export const ID_TOKEN_SOURCES: readonly IdTokenFrom[] = ["auto", "github", "gitlab", "jenkins", "file", "env"];

/** IdTokenSource says where to obtain the OIDC ID token for jwt login. */
export interface IdTokenSource {
  from: IdTokenFrom;
  /** Environment variable holding the token (GitLab id_tokens name, Jenkins credential variable, env). */
  variable?: string | undefined;
  /** File holding the token (Jenkins "as file" credential, Kubernetes-style projected token, file). */
  file?: string | undefined;
}

/** JwtAuth logs in with the CI job's OIDC token: POST auth/<mount>/login {role, jwt}. */
export interface JwtAuth {
  method: "jwt";
  mount: string;
  /** Role to log in as; when absent the mount's default_role is used. */
  role: string | undefined;
  /** Audience to request from GitHub; GitLab and Jenkins fix it when the token is issued. */
  audience: string | undefined;
  idToken: IdTokenSource;
  /** Sign the JWT here with this key instead of obtaining the job's ID token (vault-action's jwtPrivateKey). */
  signed?: SignedJwt | undefined;
}

/** SignedJwt is a private key (PEM) a JWT is signed with, its passphrase, and the JWT's lifetime. */
export interface SignedJwt {
  privateKey: string;
  passphrase: string | undefined;
  ttlSeconds: number;
}

/** TokenAuth uses an existing vault token (local work, or a token handed over by CI). */
export interface TokenAuth {
  method: "token";
  /** Variable the token is read from when no value is given (default VAULT_TOKEN, then BAO_TOKEN). */
  variable: string | undefined;
  /** A token value passed by a wrapper input; never accepted from a manifest file. */
  value: string | undefined;
}

/** AppRoleAuth logs in with a role_id and secret_id (the secret_id read from a variable). */
export interface AppRoleAuth {
  method: "approle";
  mount: string;
  roleId: string;
  secretIdVariable: string | undefined;
  secretId: string | undefined;
}

/** KubernetesAuth logs in with the pod's service account token. */
export interface KubernetesAuth {
  method: "kubernetes";
  mount: string;
  role: string;
  tokenPath: string;
}

/** PasswordAuth logs in as a user: POST auth/<mount>/login/<username> {password} (userpass, ldap). */
export interface PasswordAuth {
  method: "userpass" | "ldap";
  mount: string;
  username: string;
  password: string;
}

/** GitHubTokenAuth logs in with a GitHub token: POST auth/<mount>/login {token}. */
export interface GitHubTokenAuth {
  method: "github";
  mount: string;
  token: string;
}

/** PayloadAuth logs in with any other method: POST auth/<mount>/login with the given body. */
export interface PayloadAuth {
  method: "payload";
  /** The method as the user named it (cert, oci, ...); the mount defaults to it. */
  name: string;
  mount: string;
  payload: Readonly<Record<string, unknown>>;
}

export type AuthConfig = JwtAuth | TokenAuth | AppRoleAuth | KubernetesAuth | PasswordAuth | GitHubTokenAuth | PayloadAuth;

/** TlsConfig holds PEM material for a private CA and mutual TLS. */
export interface TlsConfig {
  caCert: string | undefined;
  clientCert: string | undefined;
  clientKey: string | undefined;
  skipVerify: boolean;
  /** Plain http to a host other than this machine, allowed with allow-insecure-http (warned on every run). */
  insecureHttp?: boolean | undefined;
}

/** VaultConfig says which vault to talk to and how. */
export interface VaultConfig {
  url: string;
  namespace: string | undefined;
  tls: TlsConfig;
  headers: Readonly<Record<string, string>>;
}

/**
 * FetchSettings bounds the reads: parallelism (the AIMD limit's ceiling), per-request
 * timeout, the overall deadline that ends the retries, and an optional attempt cap.
 */
export interface FetchSettings {
  concurrency: number;
  requestTimeoutSeconds: number;
  deadlineSeconds: number;
  /** Undefined: retry transient errors until the deadline. */
  maxAttempts: number | undefined;
}

/** Selector picks what to take from a secret's data. */
export type Selector =
  | { kind: "all"; uppercase: boolean }
  | { kind: "key"; key: string }
  /** A JSONata expression; `origin` names its line, `unnamed` that no `| NAME` was given (config/selector). */
  | { kind: "expr"; text: string; origin?: string; unnamed?: boolean };

/** SecretEncoding is how stored values are decoded before export (vault-action's secretEncodingType). */
export type SecretEncoding = "base64" | "hex" | "utf8";
export const SECRET_ENCODINGS: readonly SecretEncoding[] = ["base64", "hex", "utf8"];

/** SecretSpec is one requested secret, already validated. */
export interface SecretSpec {
  /** The path exactly as written (KV v2 paths with or without `data/`). */
  path: string;
  selector: Selector;
  /** Environment variable name; for `*` a prefix (possibly empty, `prefix:` in the manifest). */
  envName: string;
  /** Step output name; for `*` a prefix (possibly empty). */
  outputName: string;
  /** When false a missing secret is reported and skipped instead of failing the run. */
  required: boolean;
  /** HTTP method for dynamic engines that issue on write (pki/issue, ...). */
  method: "GET" | "POST";
  params: Readonly<Record<string, unknown>> | undefined;
  /** Where the spec came from, for error messages: `secrets line 2`, `vaultgate.yml secrets[1]`. */
  origin: string;
  /** Decode each selected value from this encoding before it is masked and exported. */
  encoding?: SecretEncoding | undefined;
  /** The source it is read from; absent means the vault (every spec before sources existed). */
  source?: "vault" | "aws" | undefined;
}

/**
 * AwsSourceConfig: AWS Secrets Manager and SSM Parameter Store, reached with temporary
 * credentials from STS AssumeRoleWithWebIdentity and the job's OIDC token.
 */
export interface AwsSourceConfig {
  roleArn: string;
  region: string;
  /** Audience requested from GitHub and expected in the token (default sts.amazonaws.com). */
  audience: string;
  idToken: IdTokenSource;
  /** DurationSeconds asked of STS (default 900, the minimum). */
  sessionDurationSeconds: number;
  /** RoleSessionName; by default derived from the CI run (repository/project and run id). */
  sessionName: string | undefined;
  /** Also export the temporary credentials (AWS_ACCESS_KEY_ID, ..., masked) to the job. */
  exportCredentials: boolean;
  /** Endpoint for STS, Secrets Manager and SSM (VPC endpoints, a local emulator); default AWS's own. */
  endpoint: string | undefined;
}

/** DEFAULT_AWS_AUDIENCE is the audience AWS's documentation gives its OIDC providers. */
export const DEFAULT_AWS_AUDIENCE = "sts.amazonaws.com";
/** MIN_AWS_SESSION_SECONDS is STS's shortest session. */
export const MIN_AWS_SESSION_SECONDS = 900;

/** transportWarnings lists what each run must warn about its connection (tls-skip-verify, plain http). */
export function transportWarnings(vault: VaultConfig | undefined): string[] {
  const warnings: string[] = [];
  if (!vault) return warnings;
  if (vault.tls.skipVerify && vault.url.startsWith("https:"))
    warnings.push(
      `tls-skip-verify is set: the certificate of ${vault.url} is not checked, so anyone on the path can read the tokens and secrets. Configure ca-cert instead.`,
    );
  if (vault.tls.insecureHttp)
    warnings.push(`allow-insecure-http is set: the tokens and secrets cross the network to ${vault.url} in clear. Use https://.`);
  return warnings;
}

/** MaskSettings tune masking: the short-value rule's N (docs/masking.md). */
export interface MaskSettings {
  /** Values, lines, JSON fields and encoded forms shorter than this are not registered; 0 registers all. */
  minLength: number;
}

/** VaultgateConfig is the validated configuration of one run. */
export interface VaultgateConfig {
  /** The vault; absent in an AWS-only configuration (sources.aws and no vault named). */
  vault?: VaultConfig | undefined;
  /** The vault's login (unused when there is no vault). */
  auth: AuthConfig;
  secrets: readonly SecretSpec[];
  fetch: FetchSettings;
  /** Protected environment names (export/env-names) a secret may set because the user named them. */
  allowEnvNames: readonly string[];
  /** The AWS source, when the manifest names one (sources.aws). */
  aws?: AwsSourceConfig | undefined;
  /** Absent in configurations built by hand: the defaults apply. */
  mask?: MaskSettings | undefined;
}

export const DEFAULT_FETCH: FetchSettings = {
  concurrency: 32,
  requestTimeoutSeconds: 10,
  deadlineSeconds: 60,
  maxAttempts: undefined,
};
