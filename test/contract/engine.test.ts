// Contract: the vaultgate engine end to end (openSession, fetch, revoke from
// @vaultgate/core) with a GitHub Actions identity, against OpenBao and devvault: the
// same inputs give the same values, leases, errors and revocation on both.
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import {
  AuthError,
  PermissionDeniedError,
  SecretNotFoundError,
  loadConfig,
  openSession,
  type Inputs,
  type Session,
  type VaultSession,
} from "@vaultgate/core";

/** vaultOf is the vault session behind a run (its client and login, for assertions). */
const vaultOf = (session: Session) => session.provider as VaultSession;
import { recordingPlatform, startGitHubOidc, type GitHubOidcServer } from "@vaultgate/test-harness";
import { eventually, TARGETS, useTarget, type Target } from "./targets.js";

let oidc: GitHubOidcServer;
beforeAll(async () => {
  oidc = await startGitHubOidc(inject("vault").issuers.github);
});
afterAll(() => oidc.close());

async function open(t: Target, inputs: Inputs) {
  const env = { GITHUB_ACTIONS: "true", ...oidc.env };
  const platform = recordingPlatform(env, "github");
  const config = loadConfig({
    inputs: { url: t.addr, role: t.names.role, audience: t.fixture.audience, ...inputs },
    env,
    cwd: "/",
  });
  return { platform, session: await openSession({ config, platform }) };
}

describe.each(TARGETS)("$name", ({ name }) => {
  const target = useTarget(name);

  it("logs in, reads KV v2 (with and without data/), KV v1 and dynamic credentials, masks them, and revokes everything", async () => {
    const t = target();
    const v = t.fixture.values;
    const { platform, session } = await open(t, {
      secrets: [
        "secret/app/db password | DB_PASSWORD",
        "secret/data/app/api token | API_TOKEN",
        "kv1/app/legacy password | LEGACY",
        `${t.names.dynMount}/creds/app username | MQ_USER`,
        `${t.names.dynMount}/creds/app password | MQ_PASSWORD`,
      ].join("\n"),
    });
    const result = await session.fetch();
    const got = Object.fromEntries(result.secrets.map((s) => [s.envName, s.value]));
    expect({ DB_PASSWORD: got.DB_PASSWORD, API_TOKEN: got.API_TOKEN, LEGACY: got.LEGACY }).toEqual({
      DB_PASSWORD: v.dbPassword,
      API_TOKEN: v.apiToken,
      LEGACY: v.legacyPassword,
    });
    expect(result.reads.map((r) => [r.path, r.kv]).sort()).toEqual(
      [
        ["secret/app/db", 2],
        ["secret/data/app/api", 2],
        ["kv1/app/legacy", 1],
        [`${t.names.dynMount}/creds/app`, undefined],
      ].sort(),
    );
    expect(result.leases).toHaveLength(1);
    const lease = result.leases[0]!;
    expect(lease).toMatchObject({ path: `${t.names.dynMount}/creds/app`, ttlSeconds: 600, renewable: true });
    const user = got.MQ_USER ?? "";
    expect(t.credentialsLive(user)).toBe(true);
    for (const value of [vaultOf(session).login.token, v.dbPassword, got.MQ_PASSWORD]) expect(platform.masked).toContain(value);
    expect(vaultOf(session).login).toMatchObject({ ttlSeconds: 300, renewable: true, role: t.names.role });
    expect(await vaultOf(session).client.capabilities(["secret/data/app/db", "secret/data/restricted/root"])).toEqual({
      "secret/data/app/db": ["read"],
      "secret/data/restricted/root": ["deny"],
    });
    const renewed = await vaultOf(session).client.renewLease(lease.leaseId, 120);
    expect(renewed.lease_duration).toBe(120);

    const report = await session.revoke();
    session.close();
    // The token goes first, and revoke-self ends the lease with it.
    expect(report).toEqual({ token: "revoked", leasesRevoked: 0, leasesWithToken: 1, errors: [], leftAlive: [] });
    await eventually(() => expect(t.credentialsLive(user)).toBe(false));
    expect((await t.api("GET", "auth/token/lookup-self", { token: vaultOf(session).login.token })).status).toBe(403);
    expect((await t.api("PUT", "sys/leases/lookup", { body: { lease_id: lease.leaseId } })).status).toBe(400);
  });

  it("leaves the lease to the token's revocation when the policy lacks sys/leases/revoke", async () => {
    const t = target();
    const { session } = await open(t, { role: t.names.plainRole, secrets: `${t.names.dynMount}/creds/app password` });
    const result = await session.fetch();
    const leaseId = result.leases[0]?.leaseId ?? "";
    const report = await session.revoke();
    session.close();
    expect(report).toEqual({ token: "revoked", leasesRevoked: 0, leasesWithToken: 1, errors: [], leftAlive: [] });
    await eventually(async () => {
      expect((await t.api("PUT", "sys/leases/lookup", { body: { lease_id: leaseId } })).status).toBe(400);
    });
  });

  it("maps the vault's answers to the same errors: missing, deleted version, denied, audience mismatch", async () => {
    const t = target();
    const path = `${t.names.kvPrefix}/gone`;
    await t.api("POST", `secret/data/${path}`, { body: { data: { k: "v" } } });
    await t.api("DELETE", `secret/data/${path}`);
    const { session } = await open(t, {});
    try {
      const fetchOne = (line: string) =>
        session.fetch(loadConfig({ inputs: { url: t.addr, secrets: line }, env: {}, cwd: "/" }).secrets);
      const missing = await fetchOne("secret/app/nope k").catch((e: unknown) => e);
      expect(missing).toBeInstanceOf(SecretNotFoundError);
      expect((missing as Error).message).toBe("Secret not found: secret/app/nope (inputs secrets line 1).");
      const deleted = await fetchOne(`secret/${path} k`).catch((e: unknown) => e);
      expect(deleted).toBeInstanceOf(SecretNotFoundError);
      expect((deleted as Error).message).toMatch(/its current version was deleted at \d{4}-/);
      const denied = await fetchOne("secret/restricted/root token").catch((e: unknown) => e);
      expect(denied).toBeInstanceOf(PermissionDeniedError);
    } finally {
      await session.revoke();
      session.close();
    }
    const wrongAudience = await open(t, { audience: "https://github.com/acme", secrets: "secret/app/db password" }).catch(
      (e: unknown) => e,
    );
    expect(wrongAudience).toBeInstanceOf(AuthError);
    expect((wrongAudience as AuthError).hint).toMatch(/^Audience mismatch: the token's aud is "https:\/\/github.com\/acme"/);
  });
});
