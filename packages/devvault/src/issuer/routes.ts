/**
 * issuer/routes — the issuer's HTTP endpoints, below its base path (/oidc):
 *   GET  /.well-known/openid-configuration, /jwks    discovery and keys (public)
 *   GET  /github/idtoken?api-version=2.0&audience=A  like ACTIONS_ID_TOKEN_REQUEST_URL: {"count":1,"value":jwt}
 *   GET  /token/{github|gitlab|jenkins}?audience=A   a platform-shaped token: {"value":jwt}
 *   POST /sign {"claims":{...},"ttl":300}            any claims: {"value":jwt}
 * Minting endpoints require `Authorization: Bearer <requestToken>`, as the runner does.
 */
import { PLATFORMS, type DevIssuer, type PlatformShape } from "./issuer.js";

/** IssuerAnswer is a status and JSON body. */
export interface IssuerAnswer {
  status: number;
  body: unknown;
}

/** ISSUER_BASE is the path below which devvault serves its issuer. */
export const ISSUER_BASE = "/oidc";

/** handleIssuerRequest answers a request whose path starts with ISSUER_BASE. */
export async function handleIssuerRequest(
  issuer: DevIssuer,
  request: { method: string; url: URL; authorization: string | undefined; body: Buffer; origin: string },
): Promise<IssuerAnswer> {
  const path = request.url.pathname.slice(ISSUER_BASE.length) || "/";
  const jwksUri = `${request.origin}${ISSUER_BASE}/jwks`;
  if (request.method === "GET" && path === "/.well-known/openid-configuration") {
    return { status: 200, body: issuer.discovery(jwksUri) };
  }
  if (request.method === "GET" && (path === "/jwks" || path === "/.well-known/jwks")) return { status: 200, body: issuer.jwks() };

  const mint = path === "/github/idtoken" || path.startsWith("/token/") || path === "/sign";
  if (!mint) return { status: 404, body: { message: "Not Found" } };
  if (request.authorization !== `Bearer ${issuer.requestToken}`) return { status: 401, body: { message: "Bad credentials" } };
  const audience = request.url.searchParams.get("audience") ?? undefined;

  if (path === "/github/idtoken" && request.method === "GET") {
    // Without an audience GitHub uses the owner's URL, shared by all its repositories.
    const owner = (issuer.identities.github?.repository ?? "acme/app").split("/")[0] ?? "acme";
    return {
      status: 200,
      body: { count: 1, value: await issuer.platformToken("github", audience ?? `https://github.com/${owner}`) },
    };
  }
  const platform = path.slice("/token/".length) as PlatformShape;
  if (path.startsWith("/token/") && request.method === "GET") {
    if (!PLATFORMS.includes(platform)) return { status: 404, body: { message: `unknown platform; use ${PLATFORMS.join(", ")}` } };
    if (!audience) return { status: 400, body: { message: "audience is required" } };
    return { status: 200, body: { value: await issuer.platformToken(platform, audience) } };
  }
  if (path === "/sign" && request.method === "POST") {
    let parsed: { claims?: unknown; ttl?: unknown };
    try {
      parsed = JSON.parse(request.body.toString("utf8") || "{}") as { claims?: unknown; ttl?: unknown };
    } catch {
      return { status: 400, body: { message: 'the body must be JSON: {"claims": {...}, "ttl": seconds}' } };
    }
    const claims = typeof parsed.claims === "object" && parsed.claims !== null ? (parsed.claims as Record<string, unknown>) : {};
    const ttl = typeof parsed.ttl === "number" ? parsed.ttl : undefined;
    return { status: 200, body: { value: await issuer.sign(claims, ttl === undefined ? {} : { ttl }) } };
  }
  return { status: 405, body: { message: "Method Not Allowed" } };
}
