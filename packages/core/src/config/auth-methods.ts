/**
 * config/auth-methods — the login methods a person's or a long-lived credential needs:
 * userpass and ldap (username + password), github (a GitHub token), any other method
 * with a login body (payload), and a jwt signed with a private key instead of the job's
 * OIDC token. They exist so that every hashicorp/vault-action step migrates unchanged;
 * the job's own OIDC identity (method jwt) stays the recommended way. Credentials are
 * taken only from a wrapper's inputs or flags, never from a manifest file.
 */
import { ConfigError } from "../errors.js";
import { isObject, optionalDuration, optionalString, type RawObject } from "./fields.js";
import { pem } from "./pem.js";
import type { AuthConfig, SignedJwt } from "./schema.js";

/** AUTH_EXTRA_KEYS are the auth keys of these methods (inputs username, password, githubToken, authPayload, jwt*). */
export const AUTH_EXTRA_KEYS = [
  "username",
  "password",
  "github-token",
  "payload",
  "jwt-private-key",
  "jwt-key-password",
  "jwt-ttl",
] as const;

/** DEFAULT_JWT_TTL_SECONDS is a signed JWT's lifetime unless jwt-ttl says otherwise (vault-action's 3600). */
export const DEFAULT_JWT_TTL_SECONDS = 3600;

/** AuthContext is what normalizeAuth already worked out for these methods. */
export interface AuthContext {
  method: AuthConfig["method"];
  /** The method as written (a payload method's name). */
  name: string;
  mount: string;
  where: string;
  /** only refuses every key of the auth section but `allowed`. */
  only: (allowed: readonly string[]) => void;
}

/** normalizeOtherAuth validates userpass, ldap, github and payload logins. */
export function normalizeOtherAuth(
  obj: RawObject,
  auth: AuthContext,
  ctx: { source: string; allowTokenValue?: boolean },
): AuthConfig {
  const { where, mount } = auth;
  // vault-action ignores role and jwtGithubAudience for these methods, so a migrated step may still carry them.
  const only = (allowed: readonly string[]) => auth.only([...allowed, "role", "audience"]);
  const credential = (key: string, what: string): string => {
    const value = optionalString(obj, key, where);
    if (value === undefined) {
      throw new ConfigError(`${where}: ${auth.name} login needs ${what}.`, { hint: `Set the ${key} input.` });
    }
    if (!ctx.allowTokenValue) {
      throw new ConfigError(`${where}.${key}: a login credential must never be written into ${ctx.source}.`, {
        hint: "Pass it as an action input or flag from the CI system's secrets, or log in with the job's OIDC identity (method jwt).",
      });
    }
    return value;
  };
  switch (auth.method) {
    case "userpass":
    case "ldap": {
      only(["mount", "username", "password"]);
      const username = optionalString(obj, "username", where);
      if (!username)
        throw new ConfigError(`${where}: ${auth.method} login needs a username.`, { hint: "Set the username input." });
      return { method: auth.method, mount, username, password: credential("password", "a password") };
    }
    case "github":
      only(["mount", "github-token"]);
      return { method: "github", mount, token: credential("github-token", "a GitHub token (githubToken)") };
    case "payload": {
      only(["mount", "payload"]);
      return { method: "payload", name: auth.name, mount, payload: parsePayload(credential("payload", "a login body"), where) };
    }
    default:
      throw new ConfigError(`${where}: the ${auth.name} method is not known.`);
  }
}

/** parsePayload reads a login body: a JSON object (vault-action's authPayload). */
function parsePayload(text: string, where: string): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text.trim());
  } catch {
    // The message never repeats the text: it may hold a credential.
    throw new ConfigError(`${where}.payload is not valid JSON.`, {
      hint: 'Write the login body as a JSON object, e.g. {"role": "ci", "jwt": "..."}.',
    });
  }
  if (!isObject(parsed)) throw new ConfigError(`${where}.payload must be a JSON object.`);
  return parsed;
}

/** normalizeSignedJwt reads jwt-private-key (PEM or base64 of PEM), its passphrase and the JWT's ttl. */
export function normalizeSignedJwt(
  obj: RawObject,
  ctx: { source: string; baseDir: string; allowTokenValue?: boolean },
  where: string,
): SignedJwt | undefined {
  const key = optionalString(obj, "jwt-private-key", where);
  const passphrase = optionalString(obj, "jwt-key-password", where);
  const ttlSeconds = optionalDuration(obj, "jwt-ttl", where) ?? DEFAULT_JWT_TTL_SECONDS;
  if (key === undefined) {
    if (passphrase !== undefined) {
      throw new ConfigError(`${where}.jwt-key-password applies only with jwt-private-key.`, {
        hint: "Remove it, or give the key it unlocks.",
      });
    }
    return undefined;
  }
  if (!ctx.allowTokenValue) {
    throw new ConfigError(`${where}.jwt-private-key: a private key must never be written into ${ctx.source}.`, {
      hint: "Pass it as an action input from the CI system's secrets, or log in with the job's OIDC token.",
    });
  }
  const privateKey = pem(key, "jwtPrivateKey", ctx, true);
  if (privateKey === undefined) throw new ConfigError(`${where}.jwt-private-key is empty.`);
  return { privateKey, passphrase, ttlSeconds };
}
