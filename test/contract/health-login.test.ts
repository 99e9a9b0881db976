// Contract: sys/health (incl. sealed) and jwt login with its failure modes, against
// OpenBao and devvault. Same requests, same status codes, same causes in the errors.
import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { createIssuerKey, ensureOpenBao, startOpenBao, TestIssuer, githubClaims, AUDIENCE } from "@vaultgate/test-harness";
import { startDevVault } from "@vaultgate/devvault";
import { TARGETS, useTarget, type Target } from "./targets.js";

describe.each(TARGETS)("$name", ({ name }) => {
  const target = useTarget(name);

  it("sys/health answers 200 with the node's state; the version string is a known difference", async () => {
    const { status, json } = await target().api("GET", "sys/health", { token: null });
    expect(status).toBe(200);
    expect(json).toMatchObject({ initialized: true, sealed: false, standby: false, performance_standby: false });
    expect(typeof json?.server_time_utc).toBe("number");
    expect(typeof json?.cluster_name).toBe("string");
    // Known difference: devvault reports its own version, marked "+devvault".
    expect(json?.version).toMatch(name === "devvault" ? /\+devvault$/ : /^2\.\d+\.\d+/);
    const head = await fetch(`${target().addr}/v1/sys/health`, { method: "HEAD" });
    expect(head.status).toBe(200);
  });

  it("sys/health is unavailable in a namespace", async () => {
    const t = target();
    const { status, json } = await t.api("GET", "sys/health", { token: null, namespace: t.names.namespace });
    expect(status).toBe(400);
    expect(json?.errors).toEqual(["operation unavailable in namespaces"]);
  });

  it("logs in with a GitHub-shaped token: a renewable service token with the role's policies and TTL", async () => {
    const t = target();
    const { status, json } = await t.api("POST", `auth/${t.fixture.mounts.github}/login`, {
      token: null,
      body: { role: t.names.role, jwt: await t.githubToken() },
    });
    expect(status).toBe(200);
    expect(json?.auth).toMatchObject({
      policies: ["app-read", t.names.policy, "default"].sort(),
      token_policies: ["app-read", t.names.policy, "default"].sort(),
      metadata: { role: t.names.role },
      lease_duration: 300,
      renewable: true,
      token_type: "service",
      orphan: true,
    });
    expect((json?.auth as { client_token: string }).client_token).toMatch(/^s\./);
  });

  it("a glob bound claim's * spans ':' and '/' (repo:acme/app* admits acme/app-evil)", async () => {
    const t = target();
    const evil = await t.githubToken({ claims: { sub: "repo:acme/app-evil:ref:refs/heads/main" } });
    const ok = await t.api("POST", `auth/${t.fixture.mounts.github}/login`, {
      token: null,
      body: { role: t.names.globRole, jwt: evil },
    });
    expect(ok.status).toBe(200);
  });

  type Case = {
    what: string;
    role?: (t: Target) => string | undefined;
    jwt: (t: Target) => Promise<string | undefined>;
    status: number;
    error: string;
  };
  const fresh = createIssuerKey("https://token.actions.githubusercontent.com");
  const cases: Case[] = [
    {
      what: "wrong audience",
      jwt: (t) => t.githubToken({ aud: "https://github.com/acme" }),
      status: 400,
      error: "invalid audience (aud) claim",
    },
    { what: "no audience", jwt: (t) => t.githubToken({ omit: ["aud"] }), status: 400, error: "invalid audience (aud) claim" },
    {
      what: "bound-claim mismatch",
      jwt: (t) => t.githubToken({ claims: { repository: "acme/other" } }),
      status: 400,
      error: 'error validating claims: claim "repository" does not match any associated bound claim values',
    },
    {
      what: "bound claim absent",
      jwt: (t) => t.githubToken({ omit: ["repository"] }),
      status: 400,
      error: 'claim "repository" is missing',
    },
    {
      what: "glob bound-claim mismatch",
      role: (t) => t.names.globRole,
      jwt: (t) => t.githubToken({ claims: { sub: "repo:acme/other:ref:refs/heads/main" } }),
      status: 400,
      error: 'claim "sub" does not match any associated bound claim values',
    },
    {
      what: "bound_subject mismatch",
      role: (t) => t.names.subjectRole,
      jwt: (t) => t.githubToken(),
      status: 400,
      error: "invalid subject (sub) claim",
    },
    {
      what: "unknown role",
      role: () => "no-such-role",
      jwt: (t) => t.githubToken(),
      status: 400,
      error: 'role "no-such-role" could not be found',
    },
    {
      what: "no role and no default_role",
      role: () => undefined,
      jwt: (t) => t.githubToken(),
      status: 400,
      error: "missing role",
    },
    { what: "no jwt", jwt: () => Promise.resolve(undefined), status: 400, error: "missing token" },
    {
      what: "expired token",
      jwt: (t) => t.githubToken({ ttl: -300 }),
      status: 400,
      error: "invalid expiration time (exp) claim: token is expired",
    },
    {
      what: "token not yet valid",
      jwt: (t) => t.githubToken({ claims: { nbf: Math.floor(Date.now() / 1000) + 600 } }),
      status: 400,
      error: "invalid not before (nbf) claim: token not yet valid",
    },
    {
      what: "bad signature (unknown key)",
      jwt: async () => new TestIssuer(await fresh).sign(githubClaims(AUDIENCE)),
      status: 400,
      error: "error verifying token signature: no known key successfully validated the token signature",
    },
    {
      what: "wrong issuer",
      jwt: (t) => t.githubToken({ claims: { iss: "https://evil.example.com" } }),
      status: 400,
      error: "invalid issuer (iss) claim",
    },
    {
      what: "not a JWT",
      jwt: () => Promise.resolve("not-a-jwt"),
      status: 400,
      error: "compact JWS format must have three parts",
    },
    {
      what: "missing user claim",
      jwt: (t) => t.githubToken({ omit: ["sub"] }),
      status: 400,
      error: 'claim "sub" not found in token',
    },
  ];

  it.each(cases)("rejects a login: $what", async ({ role, jwt, status, error }) => {
    const t = target();
    const body: Record<string, unknown> = {};
    const roleName = role ? role(t) : t.names.role;
    if (roleName !== undefined) body.role = roleName;
    const token = await jwt(t);
    if (token !== undefined) body.jwt = token;
    const answer = await t.api("POST", `auth/${t.fixture.mounts.github}/login`, { token: null, body });
    expect(answer.status).toBe(status);
    expect(answer.json?.errors).toHaveLength(1);
    expect((answer.json?.errors as string[])[0]).toContain(error);
  });

  it("rejects a login on a mount that does not exist (403) and a GET on the login path (405)", async () => {
    const t = target();
    const missing = await t.api("POST", "auth/no-such-mount/login", {
      token: null,
      body: { role: "x", jwt: await t.githubToken() },
    });
    expect(missing.status).toBe(403);
    expect(missing.json?.errors).toEqual(["permission denied"]);
    const get = await t.api("GET", `auth/${t.fixture.mounts.github}/login`, { token: null });
    expect(get.status).toBe(405);
  });
});

describe("sealed", () => {
  // Sealing the shared OpenBao would fail the suites running beside this one, so a
  // throwaway dev server is started for it (about 150 ms).
  const sealedAnswers = async (addr: string, token: string) => {
    const health = await fetch(`${addr}/v1/sys/health`);
    const read = await fetch(`${addr}/v1/secret/data/x`, { headers: { "x-vault-token": token } });
    const login = await fetch(`${addr}/v1/auth/jwt/login`, { method: "POST", body: JSON.stringify({ role: "r", jwt: "x.y.z" }) });
    const sealedOk = await fetch(`${addr}/v1/sys/health?sealedcode=200`);
    return {
      health: { status: health.status, body: (await health.json()) as Record<string, unknown> },
      read: { status: read.status, body: await read.json() },
      login: { status: login.status, body: await login.json() },
      sealedcode: sealedOk.status,
    };
  };

  it("answers sys/health 503 (or sealedcode) and every other request 503 'Vault is sealed', on both servers", async () => {
    const token = `root-${randomBytes(8).toString("hex")}`;
    const bao = await startOpenBao(await ensureOpenBao(), token);
    const dv = await startDevVault();
    try {
      const seal = await fetch(`${bao.addr}/v1/sys/seal`, { method: "PUT", headers: { "x-vault-token": token } });
      expect(seal.status).toBe(204);
      dv.seal();
      const [real, dev] = [await sealedAnswers(bao.addr, token), await sealedAnswers(dv.addr, dv.rootToken)];
      for (const got of [real, dev]) {
        expect(got.health.status).toBe(503);
        expect(got.health.body).toMatchObject({ initialized: true, sealed: true, standby: true });
        expect(got.read).toEqual({ status: 503, body: { errors: ["Vault is sealed"] } });
        expect(got.login).toEqual({ status: 503, body: { errors: ["Vault is sealed"] } });
        expect(got.sealedcode).toBe(200);
      }
      dv.unseal();
      expect((await fetch(`${dv.addr}/v1/sys/health`)).status).toBe(200);
    } finally {
      await dv.close();
      await bao.stop();
    }
  });
});
