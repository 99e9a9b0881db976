// The local OIDC issuer: discovery and JWKS a verifier can use, the GitHub-style
// request endpoint, platform-shaped tokens, the signing API, and the whole vaultgate
// engine logging in with devvault's own tokens.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createRemoteJWKSet, jwtVerify } from "jose";
import { loadConfig, nullLogger, openSession, type Platform } from "@vaultgate/core";
import { DEFAULT_SEED, DEV_AUDIENCE, startDevVault, type DevVault } from "@vaultgate/devvault";

let dv: DevVault;
beforeAll(async () => {
  dv = await startDevVault({ seed: DEFAULT_SEED });
});
afterAll(() => dv.close());

const get = (url: string, bearer?: string) =>
  fetch(url, bearer ? { headers: { authorization: `Bearer ${bearer}` } } : {}).then(async (r) => ({
    status: r.status,
    json: (await r.json()) as Record<string, unknown>,
  }));

describe("issuer endpoints", () => {
  it("publishes discovery and a JWKS that verifies its tokens", async () => {
    const discovery = await get(`${dv.issuer.url}/.well-known/openid-configuration`);
    expect(discovery.json).toMatchObject({ issuer: dv.issuer.url, jwks_uri: `${dv.issuer.url}/jwks` });
    const jwks = createRemoteJWKSet(new URL(String(discovery.json.jwks_uri)));
    const token = await dv.issuer.platformToken("jenkins", "aud-x");
    const { payload, protectedHeader } = await jwtVerify(token, jwks, { issuer: dv.issuer.url, audience: "aud-x" });
    expect(protectedHeader).toMatchObject({ alg: "RS256", kid: dv.issuer.key.kid });
    expect(payload).toMatchObject({ sub: "https://jenkins.example.com/job/app/job/deploy/", build_number: 17 });
    expect((payload.exp ?? 0) - (payload.iat ?? 0)).toBe(3600);
  });

  it("answers like ACTIONS_ID_TOKEN_REQUEST_URL, only with the request token", async () => {
    const env = dv.githubEnv();
    expect(env.ACTIONS_ID_TOKEN_REQUEST_URL).toContain("?api-version=2.0");
    const url = `${env.ACTIONS_ID_TOKEN_REQUEST_URL}&audience=${encodeURIComponent("https://vault.example")}`;
    expect((await get(url)).status).toBe(401);
    expect((await get(url, "wrong")).status).toBe(401);
    const ok = await get(url, env.ACTIONS_ID_TOKEN_REQUEST_TOKEN);
    expect(ok.json.count).toBe(1);
    expect(String(ok.json.value)).toMatch(/^ey/);
    const claims = JSON.parse(Buffer.from(String(ok.json.value).split(".")[1] ?? "", "base64url").toString()) as Record<
      string,
      unknown
    >;
    expect(claims).toMatchObject({ aud: "https://vault.example", repository: "acme/app", iss: dv.issuer.url });
    const noAudience = await get(env.ACTIONS_ID_TOKEN_REQUEST_URL, env.ACTIONS_ID_TOKEN_REQUEST_TOKEN);
    const defaultAud = JSON.parse(Buffer.from(String(noAudience.json.value).split(".")[1] ?? "", "base64url").toString()) as {
      aud: string;
    };
    expect(defaultAud.aud).toBe("https://github.com/acme");
  });

  it("mints platform-shaped tokens and signs arbitrary claims", async () => {
    const gitlab = await get(`${dv.issuer.url}/token/gitlab?audience=a`, dv.issuer.requestToken);
    expect(gitlab.status).toBe(200);
    expect((await get(`${dv.issuer.url}/token/circleci?audience=a`, dv.issuer.requestToken)).status).toBe(404);
    expect((await get(`${dv.issuer.url}/token/gitlab`, dv.issuer.requestToken)).status).toBe(400);
    const signed = await fetch(`${dv.issuer.url}/sign`, {
      method: "POST",
      headers: { authorization: `Bearer ${dv.issuer.requestToken}` },
      body: JSON.stringify({ claims: { sub: "me", aud: "x" }, ttl: -30 }),
    }).then((r) => r.json() as Promise<{ value: string }>);
    const claims = JSON.parse(Buffer.from(signed.value.split(".")[1] ?? "", "base64url").toString()) as {
      exp: number;
      sub: string;
    };
    expect(claims.sub).toBe("me");
    expect(claims.exp).toBeLessThan(Date.now() / 1000);
  });
});

describe("the vaultgate engine with devvault's own identity", () => {
  const platform = (env: Record<string, string>, name: Platform["name"]): Platform => ({
    name,
    env,
    log: nullLogger,
    mask: () => undefined,
  });

  it.each(["github", "local"] as const)("logs in (%s), reads KV and dynamic secrets, and revokes", async (kind) => {
    const env: Record<string, string> =
      kind === "github"
        ? { GITHUB_ACTIONS: "true", ...dv.githubEnv() }
        : { VAULTGATE_ID_TOKEN: await dv.issuer.platformToken("github", DEV_AUDIENCE) };
    const config = loadConfig({
      inputs: {
        url: dv.addr,
        role: "deploy",
        audience: DEV_AUDIENCE,
        secrets: "secret/app/db password | P ; kv/app/legacy password | L ; database/creds/app username | U",
      },
      env,
      cwd: "/",
    });
    const session = await openSession({ config, platform: platform(env, kind) });
    const result = await session.fetch();
    expect(result.secrets.map((s) => s.envName)).toEqual(["P", "L", "U"]);
    expect(result.leases).toHaveLength(1);
    expect(dv.liveCredentials()).toContain(result.secrets[2]?.value);
    const report = await session.revoke();
    session.close();
    expect(report).toMatchObject({ token: "revoked", leasesWithToken: 1, leftAlive: [] });
    expect(dv.liveCredentials()).not.toContain(result.secrets[2]?.value);
  });
});
