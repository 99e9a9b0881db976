/**
 * providers/vault/auth-methods — the logins hashicorp/vault-action offers besides the
 * job's OIDC token: userpass and ldap (auth/<mount>/login/<username>), github (a GitHub
 * token), any other method with a given body, and a JWT signed here with a private key
 * (jose, loaded only then). Every credential is masked before it is sent.
 */
import { createPrivateKey, type KeyObject } from "node:crypto";
import type { GitHubTokenAuth, PasswordAuth, PayloadAuth, SignedJwt } from "../../config/schema.js";
import { ConfigError } from "../../errors.js";
import type { IdToken } from "../../identity/sources.js";
import type { Env, Platform } from "../../platform.js";
import type { VaultClient } from "./client.js";
import { loginWith, type LoginResult } from "./auth.js";

/** SIGNED_JWT_ISSUER is the iss of a signed JWT: vault-action's, so roles bound to it keep working. */
export const SIGNED_JWT_ISSUER = "vault-action";

/** loginOther logs in with userpass, ldap, github or a login body. */
export async function loginOther(
  client: VaultClient,
  auth: PasswordAuth | GitHubTokenAuth | PayloadAuth,
  platform: Platform,
): Promise<LoginResult> {
  switch (auth.method) {
    case "userpass":
    case "ldap":
      platform.mask(auth.password, "token");
      return loginWith(client, auth.mount, { password: auth.password }, platform, {
        method: auth.method,
        role: undefined,
        origin: `${auth.method} user ${auth.username}`,
        extraPath: `/${encodeURIComponent(auth.username)}`,
      });
    case "github":
      platform.mask(auth.token, "token");
      return loginWith(client, auth.mount, { token: auth.token }, platform, {
        method: "github",
        role: undefined,
        origin: "GitHub token",
      });
    case "payload":
      for (const value of stringLeaves(auth.payload)) platform.mask(value, "token");
      return loginWith(client, auth.mount, { ...auth.payload }, platform, {
        method: "payload",
        role: typeof auth.payload.role === "string" ? auth.payload.role : undefined,
        origin: `${auth.name} login body`,
      });
  }
}

/** stringLeaves lists every string in a JSON value (a login body's credentials among them). */
function stringLeaves(value: unknown): string[] {
  if (typeof value === "string") return [value];
  if (Array.isArray(value)) return value.flatMap(stringLeaves);
  if (value !== null && typeof value === "object") return Object.values(value).flatMap(stringLeaves);
  return [];
}

/**
 * signedIdToken signs a JWT with the configured private key: iss vault-action, iat/nbf
 * now, exp after the ttl, the audience when one is configured, and the job's event,
 * workflow, sha, actor, repository and ref (GitHub's variables, as vault-action sends).
 */
export async function signedIdToken(
  signed: SignedJwt,
  audience: string | undefined,
  platform: Platform,
  now = Math.floor(Date.now() / 1000),
): Promise<IdToken> {
  const key = privateKey(signed);
  const claims: Record<string, unknown> = {
    ...jobClaims(platform.env),
    iss: SIGNED_JWT_ISSUER,
    iat: now,
    nbf: now,
    exp: now + signed.ttlSeconds,
  };
  if (audience) claims.aud = audience;
  // jose is loaded only by a run that signs its own JWT (a chunk of its own in the actions' bundle).
  const { SignJWT } = await import("jose");
  const token = await new SignJWT(claims).setProtectedHeader({ alg: algorithm(key), typ: "JWT" }).sign(key);
  platform.mask(token, "token");
  return { token, claims, origin: "a JWT signed with jwtPrivateKey" };
}

function jobClaims(env: Env): Record<string, string> {
  const claims: Record<string, string> = {};
  const names = { event: "GITHUB_EVENT_NAME", workflow: "GITHUB_WORKFLOW", sha: "GITHUB_SHA", actor: "GITHUB_ACTOR" } as const;
  for (const [claim, variable] of Object.entries({ ...names, repository: "GITHUB_REPOSITORY", ref: "GITHUB_REF" })) {
    const value = env[variable];
    if (value) claims[claim] = value;
  }
  return claims;
}

function privateKey(signed: SignedJwt): KeyObject {
  try {
    return createPrivateKey({
      key: signed.privateKey,
      format: "pem",
      ...(signed.passphrase === undefined ? {} : { passphrase: signed.passphrase }),
    });
  } catch (error) {
    // The message names the failure, never the key.
    const encrypted = /ENCRYPTED/.test(signed.privateKey);
    throw new ConfigError(
      encrypted
        ? "jwtPrivateKey is encrypted and could not be unlocked with jwtKeyPassword."
        : "jwtPrivateKey is not a private key in PEM form (PKCS#8, PKCS#1 or SEC1).",
      {
        hint: encrypted
          ? "Check jwtKeyPassword (set it from the same secret store as the key)."
          : "Give the key as PEM or base64 of PEM, e.g. `base64 -w0 key.pem`.",
        cause: error instanceof Error ? new Error(error.name) : undefined,
      },
    );
  }
}

/** algorithm picks the JWS algorithm for the key: RS256 for RSA (vault-action's), ES* by curve, EdDSA. */
function algorithm(key: KeyObject): string {
  const type = key.asymmetricKeyType;
  if (type === "rsa") return "RS256";
  if (type === "ed25519") return "EdDSA";
  if (type === "ec") {
    const curve = key.asymmetricKeyDetails?.namedCurve;
    if (curve === "prime256v1") return "ES256";
    if (curve === "secp384r1") return "ES384";
    if (curve === "secp521r1") return "ES512";
  }
  throw new ConfigError(`jwtPrivateKey is a ${type ?? "unknown"} key, which cannot sign a JWT here.`, {
    hint: "Use an RSA key (RS256), an EC key on P-256/P-384/P-521, or Ed25519.",
  });
}
