/**
 * identity/login-env — the environment variables that carry a job's login material: the
 * OIDC ID token (or GitHub's means to request one), an AppRole secret_id, a vault token
 * given for method token. A command vaultgate runs gets the secrets, not the identity:
 * with these it could log in itself and read anything the role allows, for as long as
 * the token lives. `vaultgate exec` removes them from the command's environment.
 */
import type { AuthConfig, IdTokenSource } from "../config/schema.js";
import type { Env } from "../platform.js";
import { AWS_ID_TOKEN_VARIABLE, DEFAULT_ID_TOKEN_VARIABLES } from "./sources.js";

/** GITHUB_TOKEN_REQUEST are the variables with which a GitHub job requests ID tokens for any audience. */
const GITHUB_TOKEN_REQUEST = ["ACTIONS_ID_TOKEN_REQUEST_URL", "ACTIONS_ID_TOKEN_REQUEST_TOKEN"] as const;

/**
 * loginVariables names the variables of `env` that hold login material for `auth` and
 * every other source (`aws`: sources.aws) — or, without a configuration, for every source
 * vaultgate reads by default: GitHub's token request pair, the ID-token variables (the
 * configured ones, the defaults of every platform and AWS_ID_TOKEN, the AWS source's
 * default), VAULTGATE_ID_TOKEN_VARIABLE's target, the AppRole secret_id variable and,
 * for method token, the token variable. Only names that are set are returned.
 */
export function loginVariables(auth: AuthConfig | undefined, env: Env, aws?: { idToken: IdTokenSource }): string[] {
  const names = new Set<string>([
    ...GITHUB_TOKEN_REQUEST,
    ...DEFAULT_ID_TOKEN_VARIABLES.gitlab,
    ...DEFAULT_ID_TOKEN_VARIABLES.jenkins,
    ...DEFAULT_ID_TOKEN_VARIABLES.local,
    AWS_ID_TOKEN_VARIABLE,
    "VAULT_SECRET_ID",
  ]);
  if (env.VAULTGATE_ID_TOKEN_VARIABLE) names.add(env.VAULTGATE_ID_TOKEN_VARIABLE);
  if (aws?.idToken.variable) names.add(aws.idToken.variable);
  switch (auth?.method) {
    case "jwt":
      if (auth.idToken.variable) names.add(auth.idToken.variable);
      break;
    case "approle":
      if (auth.secretIdVariable) names.add(auth.secretIdVariable);
      break;
    case "token":
      for (const name of auth.variable ? [auth.variable] : ["VAULT_TOKEN", "BAO_TOKEN"]) names.add(name);
      break;
    default:
      break;
  }
  return [...names].filter((name) => env[name] !== undefined);
}
