/**
 * issuer/issuer — devvault's local OIDC issuer: one RS256 key (generated, or handed in
 * so tests can share a key with another server), signing with jose, and the discovery
 * document and JWKS a verifier fetches. Tokens carry iat, nbf, exp and jti like the CI
 * platforms' tokens do.
 */
import { randomUUID } from "node:crypto";
import { exportJWK, exportSPKI, generateKeyPair, importJWK, SignJWT, type JWK } from "jose";
import { randomBase62 } from "../server/ids.js";
import {
  githubClaims,
  gitlabClaims,
  jenkinsClaims,
  type GitHubContext,
  type GitLabContext,
  type JenkinsContext,
} from "./claims.js";

/** IssuerKeyMaterial is a serializable RS256 signing key (the harness's IssuerKey fits). */
export interface IssuerKeyMaterial {
  kid: string;
  privateJwk: JWK;
  publicJwk: JWK;
  publicPem: string;
}

/** SignOptions shape one token. */
export interface SignOptions {
  /** Seconds from now until exp (default 300, as GitHub). Negative yields an expired token. */
  ttl?: number;
  /** Claims to leave out entirely (e.g. "exp"). */
  omit?: readonly string[];
}

/** IdentityContexts are the job identities the platform-shaped tokens describe. */
export interface IdentityContexts {
  github?: GitHubContext;
  gitlab?: GitLabContext;
  jenkins?: JenkinsContext;
}

/** PLATFORMS are the token shapes the issuer can mint. */
export const PLATFORMS = ["github", "gitlab", "jenkins"] as const;
export type PlatformShape = (typeof PLATFORMS)[number];

/** generateIssuerKey creates a fresh RS256 key. */
export async function generateIssuerKey(): Promise<IssuerKeyMaterial> {
  const { privateKey, publicKey } = await generateKeyPair("RS256", { extractable: true });
  const kid = randomUUID();
  return {
    kid,
    privateJwk: { ...(await exportJWK(privateKey)), kid, alg: "RS256", use: "sig" },
    publicJwk: { ...(await exportJWK(publicKey)), kid, alg: "RS256", use: "sig" },
    publicPem: await exportSPKI(publicKey),
  };
}

/** DevIssuer signs ID tokens as `url` (the `iss` claim). */
export class DevIssuer {
  readonly url: string;
  readonly key: IssuerKeyMaterial;
  /** The bearer token its HTTP endpoints require (ACTIONS_ID_TOKEN_REQUEST_TOKEN). */
  readonly requestToken = randomBase62(40);
  readonly identities: IdentityContexts;
  readonly #now: () => number;

  constructor(url: string, key: IssuerKeyMaterial, identities: IdentityContexts = {}, now: () => number = Date.now) {
    this.url = url.replace(/\/+$/, "");
    this.key = key;
    this.identities = identities;
    this.#now = now;
  }

  /** create builds an issuer with `key`, or a freshly generated one; `now` is its clock in ms. */
  static async create(
    url: string,
    key?: IssuerKeyMaterial,
    identities: IdentityContexts = {},
    now: () => number = Date.now,
  ): Promise<DevIssuer> {
    return new DevIssuer(url, key ?? (await generateIssuerKey()), identities, now);
  }

  /** sign returns a compact RS256 JWT with `claims` plus iss, iat, nbf, exp and jti (claims win). */
  async sign(claims: Record<string, unknown>, options: SignOptions = {}): Promise<string> {
    const now = Math.floor(this.#now() / 1000);
    const payload: Record<string, unknown> = {
      jti: randomUUID(),
      iss: this.url,
      iat: now,
      nbf: now - 5,
      exp: now + (options.ttl ?? 300),
      ...claims,
    };
    for (const name of options.omit ?? []) delete payload[name];
    const key = await importJWK(this.key.privateJwk, "RS256");
    return new SignJWT(payload).setProtectedHeader({ alg: "RS256", kid: this.key.kid, typ: "JWT" }).sign(key);
  }

  /** platformToken mints a token shaped like `platform`'s for `audience` and the configured identity. */
  async platformToken(platform: PlatformShape, audience: string, options: SignOptions = {}): Promise<string> {
    switch (platform) {
      case "github":
        return this.sign(githubClaims(audience, this.identities.github), options);
      case "gitlab":
        return this.sign(gitlabClaims(audience, this.identities.gitlab), options);
      case "jenkins":
        return this.sign(jenkinsClaims(audience, this.identities.jenkins), { ttl: 3600, ...options });
    }
  }

  /** discovery is the OpenID Provider metadata served at <url>/.well-known/openid-configuration. */
  discovery(jwksUri: string): Record<string, unknown> {
    return {
      issuer: this.url,
      jwks_uri: jwksUri,
      subject_types_supported: ["public"],
      response_types_supported: ["id_token"],
      id_token_signing_alg_values_supported: ["RS256"],
      scopes_supported: ["openid"],
      claims_supported: ["sub", "aud", "exp", "iat", "iss", "jti", "nbf", "ref", "repository", "project_path", "build_number"],
    };
  }

  /** jwks is the public key set. */
  jwks(): { keys: JWK[] } {
    return { keys: [this.key.publicJwk] };
  }
}
