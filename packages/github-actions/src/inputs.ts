/**
 * inputs — the inputs both actions declare, and how they become one core configuration.
 * Names are vaultgate's (kebab-case) and hashicorp/vault-action's where they mean the
 * same thing, so a vault-action step migrates by changing its `uses:` line; the core's
 * config/inputs maps both onto the one schema and refuses two names that disagree.
 * vault-action inputs vaultgate does not implement are declared too, so that a migrated
 * step fails with the reason instead of the runner's "Unexpected input" warning.
 */
import { ConfigError, loadConfig, type Inputs, type VaultgateConfig } from "@vaultgate/core";
import type { Runner } from "./runner/runner.js";

/** CONNECTION_INPUTS: where the vault is, how to log in, and what to read (both actions). */
export const CONNECTION_INPUTS = [
  "url",
  "namespace",
  "method",
  "role",
  "path",
  "mount",
  "audience",
  "jwtGithubAudience",
  "secrets",
  "ca-cert",
  "caCertificate",
  "client-cert",
  "clientCertificate",
  "client-key",
  "clientKey",
  "tls-skip-verify",
  "tlsSkipVerify",
  "allow-insecure-http",
  "extraHeaders",
  "token",
  "roleId",
  "secretId",
  "kubernetesTokenPath",
  "timeout",
  "min-mask-length",
] as const;

/**
 * UNSUPPORTED_INPUTS: vault-action inputs vaultgate refuses, each with the reason and
 * what to do instead (README "Migrating from hashicorp/vault-action" says the same).
 */
export const UNSUPPORTED_INPUTS: Readonly<Record<string, string>> = {
  pki: "vaultgate issues certificates through a manifest entry (path: pki/issue/<role>, method: POST, params: {common_name: …}) instead of the pki input",
  githubToken:
    "the github auth method logs in with a long-lived personal access token; log in with the job's OIDC identity (method: jwt) instead",
  username:
    "userpass and ldap logins put a person's long-lived password into CI; log in with the job's OIDC identity (method: jwt) instead",
  password:
    "userpass and ldap logins put a person's long-lived password into CI; log in with the job's OIDC identity (method: jwt) instead",
  authPayload: "custom login payloads are not supported; use method jwt, approle, kubernetes or token",
  jwtPrivateKey: "vaultgate logs in with the job's own OIDC token and never signs a JWT with a stored private key",
  jwtKeyPassword: "vaultgate logs in with the job's own OIDC token and never signs a JWT with a stored private key",
  jwtTtl: "it only applies to JWTs signed with jwtPrivateKey; the job's OIDC token has GitHub's lifetime",
  secretEncodingType: "values are exported exactly as stored; decode them in the step that uses them",
};

/** METHODS_NOT_SUPPORTED: vault-action login methods vaultgate refuses, and why. */
const METHODS_NOT_SUPPORTED: Readonly<Record<string, string>> = {
  github: UNSUPPORTED_INPUTS.githubToken ?? "",
  userpass: UNSUPPORTED_INPUTS.username ?? "",
  ldap: UNSUPPORTED_INPUTS.username ?? "",
};

/** ConnectionInputs is the validated configuration and the raw inputs it came from. */
export interface ConnectionInputs {
  config: VaultgateConfig;
  /** The manifest path, when one was given. */
  manifest: string | undefined;
}

/**
 * readConnection reads the connection inputs (and an action's own `extra` inputs the core
 * schema knows) and the manifest into one validated config.
 */
export function readConnection(runner: Runner, cwd: string, extra: readonly string[] = []): ConnectionInputs {
  for (const [name, reason] of Object.entries(UNSUPPORTED_INPUTS)) {
    if (runner.input(name) !== "") {
      throw new ConfigError(`The input ${name} is not supported: ${reason}.`, {
        hint: `Remove ${name} from the step's \`with:\` (see the migration table in the action's README).`,
      });
    }
  }
  const inputs: Record<string, string> = {};
  for (const name of [...CONNECTION_INPUTS, ...extra]) inputs[name] = runner.input(name);
  inputs.method = loginMethod(inputs);
  const manifest = runner.input("manifest") || undefined;
  const config = loadConfig({ inputs: inputs satisfies Inputs, manifest, env: runner.env, cwd, allowTokenValue: true });
  return { config, manifest };
}

/**
 * loginMethod returns the method to use: the input, or `token` when only a token is
 * given (vault-action's default method is token, so such a step keeps working); the
 * core's default (jwt) otherwise.
 */
export function loginMethod(inputs: Readonly<Record<string, string>>): string {
  const method = (inputs.method ?? "").toLowerCase();
  const unsupported = METHODS_NOT_SUPPORTED[method];
  if (unsupported) {
    throw new ConfigError(`The login method ${method} is not supported: ${unsupported}.`, {
      hint: "Use method jwt (the default), approle, kubernetes or token.",
    });
  }
  if (method === "" && inputs.token) return "token";
  return method;
}

/** aliasedBoolean reads a boolean given under two names; both set and disagreeing is an error. */
export function aliasedBoolean(runner: Runner, names: readonly [string, string], fallback: boolean): boolean {
  const [a, b] = names.map((n) => runner.booleanInput(n));
  if (a !== undefined && b !== undefined && a !== b) {
    throw new ConfigError(`The inputs ${names[0]} and ${names[1]} disagree (${String(a)} and ${String(b)}).`, {
      hint: "Keep one of the two input names.",
    });
  }
  return a ?? b ?? fallback;
}
