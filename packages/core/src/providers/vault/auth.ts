/**
 * providers/vault/auth — logs in: jwt with the CI job's OIDC token (the default),
 * an existing token, AppRole, or Kubernetes. Returns the vault token's facts; the
 * token itself is masked before it is returned.
 */
import { readFileSync } from "node:fs";
import type { AuthConfig } from "../../config/schema.js";
import { AuthError, ConfigError, IdentityError } from "../../errors.js";
import type { Claims } from "../../identity/claims.js";
import { obtainIdToken, type IdToken } from "../../identity/sources.js";
import { assertAudience } from "../../identity/validate.js";
import type { Platform } from "../../platform.js";
import { loginOther, signedIdToken } from "./auth-methods.js";
import type { VaultClient } from "./client.js";
import { mapLoginError, unavailable } from "./errors.js";

/** LoginResult describes the vault token vaultgate holds for this run. */
export interface LoginResult {
  token: string;
  accessor: string | undefined;
  policies: readonly string[];
  /** Token TTL in seconds at login (0 = no expiry, e.g. root). */
  ttlSeconds: number;
  renewable: boolean;
  method: AuthConfig["method"];
  role: string | undefined;
  /** The OIDC token's claims, for the audit record and diagnostics (jwt only). */
  claims: Claims | undefined;
  /** Where the identity came from ("$VAULT_ID_TOKEN", "GitHub OIDC (...)", "$VAULT_TOKEN"). */
  identityOrigin: string;
}

/**
 * login authenticates `client` according to `auth` and sets its token. A jwt login
 * obtains the ID token itself unless `idToken` was obtained already (the check does).
 */
export async function login(
  client: VaultClient,
  auth: AuthConfig,
  platform: Platform,
  userAgent: string,
  idToken?: IdToken,
): Promise<LoginResult> {
  switch (auth.method) {
    case "jwt": {
      const id = auth.signed
        ? await signedIdToken(auth.signed, auth.audience, platform)
        : (idToken ??
          (await obtainIdToken({ source: auth.idToken, audience: auth.audience, userAgent, limits: client.limits }, platform)));
      // One audience rule everywhere: a token without the configured audience is never sent.
      assertAudience(id.claims, auth.audience, id.origin);
      const body: Record<string, unknown> = { jwt: id.token };
      if (auth.role) body.role = auth.role;
      return loginWith(client, auth.mount, body, platform, {
        method: "jwt",
        role: auth.role,
        origin: id.origin,
        claims: id.claims,
        audience: auth.audience,
      });
    }
    case "token": {
      const names = auth.variable ? [auth.variable] : ["VAULT_TOKEN", "BAO_TOKEN"];
      const name = names.find((n) => platform.env[n]);
      const token = auth.value ?? (name ? platform.env[name] : undefined);
      if (!token) {
        throw new IdentityError(
          `No vault token: ${names.map((n) => `$${n}`).join(" and ")} ${names.length > 1 ? "are" : "is"} not set.`,
          {
            hint: "Set the variable, or use method jwt with the job's OIDC token.",
          },
        );
      }
      platform.mask(token, "token");
      client.setToken(token);
      let data: Record<string, unknown>;
      try {
        data = await client.lookupSelf();
      } catch (error) {
        const mapped = mapLoginError(error, { method: "token", mount: "token", role: undefined, address: client.address });
        if (mapped instanceof AuthError) {
          throw new AuthError(
            `The vault token from ${auth.value ? "the token input" : `$${name ?? "VAULT_TOKEN"}`} was refused: it is invalid, expired or revoked.`,
            {
              hint: mapped.hint,
              cause: error,
            },
          );
        }
        throw mapped;
      }
      return {
        token,
        accessor: typeof data.accessor === "string" ? data.accessor : undefined,
        policies: Array.isArray(data.policies) ? (data.policies as string[]) : [],
        ttlSeconds: typeof data.ttl === "number" ? data.ttl : 0,
        renewable: data.renewable === true,
        method: "token",
        role: undefined,
        claims: undefined,
        identityOrigin: auth.value ? "token input" : `$${name ?? "VAULT_TOKEN"}`,
      };
    }
    case "approle": {
      const secretId =
        auth.secretId ?? (auth.secretIdVariable ? platform.env[auth.secretIdVariable] : platform.env.VAULT_SECRET_ID);
      if (secretId) platform.mask(secretId, "token");
      const body: Record<string, unknown> = { role_id: auth.roleId };
      if (secretId) body.secret_id = secretId;
      return loginWith(client, auth.mount, body, platform, {
        method: "approle",
        role: auth.roleId,
        origin: `approle ${auth.roleId}`,
      });
    }
    case "kubernetes": {
      let jwt: string;
      try {
        jwt = readFileSync(auth.tokenPath, "utf8").trim();
      } catch (error) {
        throw new ConfigError(`Cannot read the Kubernetes service account token at ${auth.tokenPath}.`, {
          hint: "Run in a pod with a mounted service account token, or set kubernetes-token-path.",
          cause: error,
        });
      }
      platform.mask(jwt, "token");
      return loginWith(client, auth.mount, { role: auth.role, jwt }, platform, {
        method: "kubernetes",
        role: auth.role,
        origin: auth.tokenPath,
      });
    }
    default:
      return loginOther(client, auth, platform);
  }
}

/** loginWith POSTs a login body and turns the answer (or the refusal) into vaultgate's terms. */
export async function loginWith(
  client: VaultClient,
  mount: string,
  body: Record<string, unknown>,
  platform: Platform,
  info: {
    method: AuthConfig["method"];
    role: string | undefined;
    origin: string;
    claims?: Claims;
    audience?: string | undefined;
    /** After auth/<mount>/login, e.g. `/<username>`. */
    extraPath?: string;
  },
): Promise<LoginResult> {
  try {
    const result = await client.login(mount, body, info.extraPath);
    platform.mask(result.client_token, "token");
    return {
      token: result.client_token,
      accessor: result.accessor,
      policies: result.policies,
      ttlSeconds: result.lease_duration,
      renewable: result.renewable,
      method: info.method,
      role: info.role,
      claims: info.claims,
      identityOrigin: info.origin,
    };
  } catch (error) {
    throw mapLoginError(error, {
      method: info.method,
      mount,
      role: info.role,
      address: client.address,
      claims: info.claims,
      tokenOrigin: info.origin,
      audience: info.audience,
    });
  }
}

/** revokeToken revokes the client's token (and its leases); reports, never throws for an expired token. */
export async function revokeToken(
  client: VaultClient,
  deadline: number,
  throttledDeadline?: number,
): Promise<"revoked" | "already-invalid"> {
  try {
    await client.revokeSelf(deadline, throttledDeadline);
    return "revoked";
  } catch (error) {
    const status = (error as { status?: number }).status;
    if (status === 403 || status === 401) return "already-invalid";
    throw unavailable(error, "revoking the token", client.address);
  }
}
