/**
 * auth/jwt — Vault's jwt auth method: verifies a token's signature against the
 * mount's public keys (or JWKS URL), then, in OpenBao's order, its issuer, subject,
 * audience and validity window, the user claim and the role's bound claims, and
 * describes the vault token to issue. Error texts are OpenBao's, so clients and
 * vaultgate's diagnostics see the same cause on both servers.
 */
import { createHash } from "node:crypto";
import { compactVerify, createRemoteJWKSet, decodeProtectedHeader, importSPKI, type CryptoKey } from "jose";
import { ApiError, badRequest, noContent, notFound, ok, unsupported, type Reply } from "../server/reply.js";
import type { EngineRequest } from "../state/namespace.js";
import type { Clock } from "../state/leases.js";
import { SYSTEM_MAX_TTL } from "../state/tokens.js";
import { checkBoundClaims, userClaimValue } from "./bound-claims.js";
import { configData, parseConfig, parseRole, roleData, type JwtConfig, type JwtRole } from "./jwt-role.js";

/** LoginGrant describes the token a successful login earns. */
export interface LoginGrant {
  policies: string[];
  ttlSeconds: number;
  maxTtlSeconds: number;
  displayName: string;
  meta: Record<string, string>;
  entityId: string;
}

/** JwtAuth is one mounted jwt auth method. */
export class JwtAuth {
  readonly #now: Clock;
  readonly #roles = new Map<string, JwtRole>();
  #config: JwtConfig | undefined;
  #keys = new Map<string, Promise<CryptoKey | undefined>>();
  #jwks: ReturnType<typeof createRemoteJWKSet> | undefined;

  constructor(now: Clock) {
    this.#now = now;
  }

  /** configure sets auth/<mount>/config from Vault's fields. */
  configure(body: Record<string, unknown>): void {
    this.#config = parseConfig(body);
    this.#keys = new Map();
    this.#jwks = this.#config.jwksUrl ? createRemoteJWKSet(new URL(this.#config.jwksUrl)) : undefined;
  }

  /** setRole creates or replaces a role from Vault's fields. */
  setRole(name: string, body: Record<string, unknown>): void {
    this.#roles.set(name, parseRole(body));
  }

  /** handle serves config and role paths (the login path is handled by `login`). */
  handle(request: EngineRequest): Reply {
    const write = request.operation === "create" || request.operation === "update";
    if (request.path === "config") {
      if (request.operation === "read") {
        if (!this.#config) throw notFound();
        return ok({ data: configData(this.#config) });
      }
      if (!write) throw unsupported();
      this.configure(request.body);
      return noContent();
    }
    if (request.path === "role" && request.operation === "list") {
      const keys = [...this.#roles.keys()].sort();
      if (keys.length === 0) throw notFound();
      return ok({ data: { keys } });
    }
    const match = /^role\/([^/]+)$/.exec(request.path);
    if (!match?.[1]) throw notFound();
    const name = match[1];
    if (request.operation === "read") {
      const role = this.#roles.get(name);
      if (!role) throw notFound();
      return ok({ data: roleData(role) });
    }
    if (request.operation === "delete") {
      this.#roles.delete(name);
      return noContent();
    }
    if (!write) throw unsupported();
    this.setRole(name, request.body);
    return noContent();
  }

  /** login validates `body` ({role, jwt}) and returns what to issue; `mountPath` ends with "/". */
  async login(body: Record<string, unknown>, mountPath: string): Promise<LoginGrant> {
    const config = this.#config;
    if (!config) throw badRequest("could not load configuration");
    const roleName = (typeof body.role === "string" && body.role) || config.defaultRole;
    if (!roleName) throw badRequest("missing role");
    const role = this.#roles.get(roleName);
    if (!role) throw badRequest(`role "${roleName}" could not be found`);
    if (role.roleType === "oidc") throw badRequest("role with oidc role_type is not allowed");
    const jwt = typeof body.jwt === "string" ? body.jwt : "";
    if (!jwt) throw badRequest("missing token");

    const claims = await this.#verify(jwt);
    const invalid = (detail: string) => badRequest(`error validating token: ${detail}`);
    if (config.boundIssuer && claims.iss !== config.boundIssuer) throw invalid("invalid issuer (iss) claim");
    if (role.boundSubject && claims.sub !== role.boundSubject) throw invalid("invalid subject (sub) claim");
    const aud = typeof claims.aud === "string" ? [claims.aud] : Array.isArray(claims.aud) ? (claims.aud as unknown[]) : [];
    if (role.boundAudiences.length > 0 && !aud.some((a) => typeof a === "string" && role.boundAudiences.includes(a))) {
      throw invalid("invalid audience (aud) claim: audience claim does not match any expected audience");
    }
    this.#checkTimes(claims, role.clockSkewLeeway);
    if (role.boundAudiences.length === 0 && aud.length > 0) {
      throw badRequest("audience claim found in JWT but no audiences bound to the role");
    }
    const user = userClaimValue(claims, role.userClaim);
    if ("error" in user) throw badRequest(user.error);
    const mismatch = checkBoundClaims(role.boundClaims, role.boundClaimsType, claims);
    if (mismatch) throw badRequest(`error validating claims: ${mismatch}`);

    const policies = role.tokenNoDefaultPolicy ? role.tokenPolicies : [...role.tokenPolicies, "default"];
    const maxTtl = role.tokenMaxTtl || SYSTEM_MAX_TTL;
    return {
      policies,
      ttlSeconds: Math.min(role.tokenTtl || SYSTEM_MAX_TTL, maxTtl),
      maxTtlSeconds: maxTtl,
      displayName: `${mountPath.replace(/\//g, "-")}${user.value}`,
      meta: { role: roleName },
      entityId: entityIdOf(mountPath, user.value),
    };
  }

  async #verify(jwt: string): Promise<Record<string, unknown>> {
    const config = this.#config;
    const sigError = (detail: string) => badRequest(`error validating token: error verifying token signature: ${detail}`);
    if (jwt.split(".").length !== 3) throw sigError("compact JWS format must have three parts");
    let alg: string;
    try {
      alg = decodeProtectedHeader(jwt).alg ?? "";
    } catch {
      throw sigError("malformed JWS header");
    }
    let payload: Uint8Array | undefined;
    if (this.#jwks) {
      payload = await compactVerify(jwt, this.#jwks).then(
        (r) => r.payload,
        () => undefined,
      );
    }
    for (const pem of config?.jwtValidationPubkeys ?? []) {
      if (payload) break;
      const key = await this.#key(pem, alg);
      if (!key) continue;
      payload = await compactVerify(jwt, key).then(
        (r) => r.payload,
        () => undefined,
      );
    }
    if (!payload) throw sigError("no known key successfully validated the token signature");
    try {
      const claims: unknown = JSON.parse(new TextDecoder().decode(payload));
      if (typeof claims === "object" && claims !== null && !Array.isArray(claims)) return claims as Record<string, unknown>;
    } catch {
      // reported below
    }
    throw new ApiError(400, ["error validating token: the token's payload is not a JSON object"]);
  }

  #key(pem: string, alg: string): Promise<CryptoKey | undefined> {
    const cacheKey = `${alg} ${pem}`;
    let key = this.#keys.get(cacheKey);
    if (!key) {
      key = importSPKI(pem, alg).catch(() => undefined);
      this.#keys.set(cacheKey, key);
    }
    return key;
  }

  #checkTimes(claims: Record<string, unknown>, leeway: number): void {
    const now = this.#now() / 1000;
    const exp = typeof claims.exp === "number" ? claims.exp : undefined;
    const nbf = typeof claims.nbf === "number" ? claims.nbf : typeof claims.iat === "number" ? claims.iat : undefined;
    if (exp !== undefined && now > exp + leeway) {
      throw badRequest("error validating token: invalid expiration time (exp) claim: token is expired");
    }
    if (nbf !== undefined && now < nbf - leeway) {
      throw badRequest("error validating token: invalid not before (nbf) claim: token not yet valid");
    }
  }
}

/** entityIdOf derives a stable entity id per (mount, user), shaped like a UUID. */
function entityIdOf(mountPath: string, user: string): string {
  const hex = createHash("sha256").update(`${mountPath}\0${user}`).digest("hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}
