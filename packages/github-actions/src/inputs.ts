/**
 * inputs — the inputs both actions declare, and how they become one core configuration.
 * Names are vaultgate's (kebab-case) and hashicorp/vault-action's where they mean the
 * same thing, so a vault-action step migrates by changing its `uses:` line; the core's
 * config/inputs maps both onto the one schema and refuses two names that disagree.
 * Every hashicorp/vault-action v3.4 input is accepted with its meaning.
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
  "username",
  "password",
  "githubToken",
  "authPayload",
  "jwtPrivateKey",
  "jwtKeyPassword",
  "jwtTtl",
  "timeout",
  "concurrency",
  "min-mask-length",
] as const;

/** AWS_SOURCE_INPUTS: the AWS source (sources.aws) from inputs: the role to assume, where, for how long (both actions). */
export const AWS_SOURCE_INPUTS = ["aws-role-arn", "aws-region", "aws-audience", "aws-session-duration"] as const;

/** AWS_INPUTS: the secrets action's AWS inputs: the source, and whether to export its credentials. */
export const AWS_INPUTS = [...AWS_SOURCE_INPUTS, "aws-export-credentials"] as const;

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
