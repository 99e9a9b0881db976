/**
 * auth/jwt-role — the jwt auth mount's configuration and roles, parsed from the same
 * fields Vault's API takes (so a seed reads like `vault write auth/jwt/role/x ...`),
 * with Vault's validation messages.
 */
import { badRequest } from "../server/reply.js";
import { durationField, scalarText } from "../util/fields.js";
import type { BoundClaimsType } from "./bound-claims.js";

/** JwtConfig is auth/<mount>/config. */
export interface JwtConfig {
  jwtValidationPubkeys: string[];
  jwksUrl: string;
  boundIssuer: string;
  defaultRole: string;
}

/** JwtRole is auth/<mount>/role/<name>. TTLs in seconds (0 = the mount's default). */
export interface JwtRole {
  roleType: "jwt" | "oidc";
  boundAudiences: string[];
  boundClaims: Record<string, unknown>;
  boundClaimsType: BoundClaimsType;
  boundSubject: string;
  userClaim: string;
  tokenTtl: number;
  tokenMaxTtl: number;
  tokenPolicies: string[];
  tokenNoDefaultPolicy: boolean;
  clockSkewLeeway: number;
}

/** DEFAULT_LEEWAY is the clock skew OpenBao tolerates on exp and nbf by default. */
export const DEFAULT_LEEWAY = 60;

/** parseConfig validates a config body. */
export function parseConfig(body: Record<string, unknown>): JwtConfig {
  const config: JwtConfig = {
    jwtValidationPubkeys: stringList(body.jwt_validation_pubkeys, "jwt_validation_pubkeys"),
    jwksUrl: str(body.jwks_url),
    boundIssuer: str(body.bound_issuer),
    defaultRole: str(body.default_role),
  };
  if (body.oidc_discovery_url)
    throw badRequest("devvault does not support oidc_discovery_url; use jwks_url or jwt_validation_pubkeys");
  const sources = [config.jwtValidationPubkeys.length > 0, config.jwksUrl !== ""].filter(Boolean).length;
  if (sources !== 1) {
    throw badRequest("exactly one of 'jwt_validation_pubkeys', 'jwks_url' or 'oidc_discovery_url' must be set");
  }
  for (const pem of config.jwtValidationPubkeys) {
    if (!pem.includes("-----BEGIN")) throw badRequest("error parsing public key: not a PEM-encoded public key");
  }
  return config;
}

/** configData renders a config for GET auth/<mount>/config. */
export function configData(config: JwtConfig): Record<string, unknown> {
  return {
    bound_issuer: config.boundIssuer,
    default_role: config.defaultRole,
    jwks_url: config.jwksUrl,
    jwt_supported_algs: [],
    jwt_validation_pubkeys: config.jwtValidationPubkeys,
    oidc_discovery_url: "",
  };
}

/** parseRole validates a role body. */
export function parseRole(body: Record<string, unknown>): JwtRole {
  const roleType = str(body.role_type) || "oidc";
  if (roleType !== "jwt" && roleType !== "oidc") throw badRequest(`invalid 'role_type': ${roleType}`);
  const boundClaimsType = str(body.bound_claims_type) || "string";
  if (boundClaimsType !== "string" && boundClaimsType !== "glob") {
    throw badRequest(`invalid 'bound_claims_type': ${boundClaimsType}`);
  }
  const boundClaims = body.bound_claims ?? {};
  if (typeof boundClaims !== "object" || boundClaims === null || Array.isArray(boundClaims)) {
    throw badRequest("'bound_claims' must be a map");
  }
  const role: JwtRole = {
    roleType,
    boundAudiences: stringList(body.bound_audiences, "bound_audiences"),
    boundClaims: boundClaims as Record<string, unknown>,
    boundClaimsType,
    boundSubject: str(body.bound_subject),
    userClaim: str(body.user_claim),
    tokenTtl: seconds(body.token_ttl ?? body.ttl, "token_ttl"),
    tokenMaxTtl: seconds(body.token_max_ttl ?? body.max_ttl, "token_max_ttl"),
    tokenPolicies: stringList(body.token_policies ?? body.policies, "token_policies"),
    tokenNoDefaultPolicy: body.token_no_default_policy === true || body.token_no_default_policy === "true",
    clockSkewLeeway: seconds(body.clock_skew_leeway, "clock_skew_leeway") || DEFAULT_LEEWAY,
  };
  if (role.userClaim === "") throw badRequest("a user claim must be defined on the role");
  if (role.boundAudiences.length === 0 && role.boundSubject === "" && Object.keys(role.boundClaims).length === 0) {
    throw badRequest("must have at least one bound constraint when creating/updating a role");
  }
  if (role.tokenMaxTtl > 0 && role.tokenTtl > role.tokenMaxTtl) throw badRequest("ttl should not be greater than max ttl");
  if (boundClaimsType === "glob") {
    for (const [claim, value] of Object.entries(role.boundClaims)) {
      const values = Array.isArray(value) ? (value as unknown[]) : [value];
      if (values.some((v) => typeof v !== "string")) {
        throw badRequest(`claim is not a string or list of strings: ${claim}`);
      }
    }
  }
  return role;
}

/** roleData renders a role for GET auth/<mount>/role/<name>. */
export function roleData(role: JwtRole): Record<string, unknown> {
  return {
    bound_audiences: role.boundAudiences,
    bound_claims: Object.keys(role.boundClaims).length ? role.boundClaims : null,
    bound_claims_type: role.boundClaimsType,
    bound_subject: role.boundSubject,
    clock_skew_leeway: role.clockSkewLeeway,
    role_type: role.roleType,
    token_max_ttl: role.tokenMaxTtl,
    token_no_default_policy: role.tokenNoDefaultPolicy,
    token_policies: role.tokenPolicies,
    token_ttl: role.tokenTtl,
    token_type: "default",
    user_claim: role.userClaim,
  };
}

function str(value: unknown): string {
  return scalarText(value) ?? "";
}

function stringList(value: unknown, field: string): string[] {
  if (value === undefined || value === null || value === "") return [];
  if (typeof value === "string")
    return value
      .split(",")
      .map((s) => s.trim())
      .filter(Boolean);
  if (Array.isArray(value) && value.every((v) => typeof v === "string")) return value;
  throw badRequest(`'${field}' must be a list of strings`);
}

function seconds(value: unknown, field: string): number {
  return durationField(value, field) ?? 0;
}
