// devvault's own behaviour beyond the contract suite: clock-driven expiry of tokens and
// leases, standby simulation, unseal over the API, the LIST verb, nested namespaces and
// the admin API.
import { afterEach, describe, expect, it } from "vitest";
import { DEFAULT_SEED, DEV_AUDIENCE, startDevVault, type DevVault } from "@vaultgate/devvault";
import { client } from "./helpers.js";

let dv: DevVault | undefined;
afterEach(async () => {
  await dv?.close();
  dv = undefined;
});

async function loginToken(vault: DevVault): Promise<string> {
  const jwt = await vault.issuer.platformToken("github", DEV_AUDIENCE);
  const answer = await client(vault)("POST", "auth/jwt/login", { token: null, body: { role: "deploy", jwt } });
  return (answer.json?.auth as { client_token: string }).client_token;
}

describe("time", () => {
  it("expires tokens and their leases at their TTL, and caps renewals at the max TTL", async () => {
    let now = Date.now();
    dv = await startDevVault({ seed: DEFAULT_SEED, now: () => now });
    const api = client(dv);
    const token = await loginToken(dv);
    const creds = await api("GET", "database/creds/app", { token });
    const leaseId = creds.json?.lease_id as string;
    expect(dv.liveCredentials()).toHaveLength(1);
    now += 50 * 60 * 1000; // 50 min: past the token's 15 min TTL
    expect(await api("GET", "auth/token/lookup-self", { token })).toMatchObject({ status: 403 });
    expect(dv.liveLeases()).not.toContain(leaseId);
    expect(dv.liveCredentials()).toEqual([]);

    const second = await loginToken(dv);
    now += 10 * 60 * 1000;
    const renewed = await api("POST", "auth/token/renew-self", { token: second, body: { increment: "2h" } });
    expect((renewed.json?.auth as { lease_duration: number }).lease_duration).toBe(50 * 60);
    expect(renewed.json?.warnings).toEqual([
      'TTL of "2h" exceeded the effective max_ttl of "1h"; TTL value is capped accordingly',
    ]);
  });

  it("ends a lease at its own TTL while its token lives on", async () => {
    let now = Date.now();
    dv = await startDevVault({ seed: DEFAULT_SEED, now: () => now });
    dv.apply({ secrets: { short: { type: "database", roles: { r: { default_ttl: "30s", max_ttl: "1m" } } } } });
    const api = client(dv);
    const lease = (await api("GET", "short/creds/r")).json?.lease_id as string;
    expect((await api("PUT", "sys/leases/renew", { body: { lease_id: lease, increment: 600 } })).json?.lease_duration).toBe(60);
    now += 61_000;
    expect(await api("PUT", "sys/leases/lookup", { body: { lease_id: lease } })).toMatchObject({ status: 400 });
    expect((await api("GET", "auth/token/lookup-self")).status).toBe(200);
  });
});

describe("health and seal", () => {
  it("simulates standby (429, or 200 with standbyok) and performance standby (473)", async () => {
    dv = await startDevVault();
    const health = (query = "") => fetch(`${dv?.addr}/v1/sys/health${query}`).then(async (r) => [r.status, await r.json()]);
    dv.setStandby(true);
    expect(await health()).toEqual([429, expect.objectContaining({ standby: true, sealed: false })]);
    expect((await health("?standbyok=true"))[0]).toBe(200);
    dv.setStandby(true, true);
    expect(await health()).toEqual([473, expect.objectContaining({ performance_standby: true })]);
    expect((await health("?perfstandbyok=true"))[0]).toBe(200);
    dv.setStandby(false);
    expect((await fetch(`${dv.addr}/v1/sys/health?activecode=204`)).status).toBe(204);
  });

  it("seals through sys/seal with sudo and unseals with its unseal key", async () => {
    dv = await startDevVault({ seed: DEFAULT_SEED });
    const api = client(dv);
    const token = await loginToken(dv);
    expect((await api("PUT", "sys/seal", { token })).status).toBe(403);
    expect((await api("PUT", "sys/seal")).status).toBe(204);
    expect(await api("GET", "secret/data/app/db")).toMatchObject({ status: 503, json: { errors: ["Vault is sealed"] } });
    expect((await api("PUT", "sys/unseal", { body: { key: "wrong" } })).status).toBe(400);
    expect(await api("PUT", "sys/unseal", { body: { key: dv.unsealKey } })).toMatchObject({
      status: 200,
      json: { sealed: false },
    });
    expect((await api("GET", "secret/data/app/db")).status).toBe(200);
  });
});

describe("API surface", () => {
  it("serves the LIST verb like GET ?list=true", async () => {
    dv = await startDevVault({ seed: DEFAULT_SEED });
    const list = await fetch(`${dv.addr}/v1/secret/metadata/app`, { method: "LIST", headers: { "x-vault-token": dv.rootToken } });
    expect(await list.json()).toMatchObject({ data: { keys: ["api", "db"] } });
    const get = await client(dv)("GET", "secret/metadata/app?list=true");
    expect(get.json).toMatchObject({ data: { keys: ["api", "db"] } });
  });

  it("keeps nested namespaces apart, addressed by header, path prefix or both", async () => {
    dv = await startDevVault({
      seed: {
        namespaces: {
          team: {
            secrets: { kv: { type: "kv", version: 1, data: { a: { v: "team" } } } },
            namespaces: { dev: { secrets: { kv: { type: "kv", version: 1, data: { a: { v: "dev" } } } } } },
          },
        },
      },
    });
    const api = client(dv);
    const v = async (path: string, namespace?: string) =>
      ((await api("GET", path, namespace ? { namespace } : {})).json?.data as { v?: string } | undefined)?.v;
    expect(await v("kv/a", "team")).toBe("team");
    expect(await v("kv/a", "team/dev")).toBe("dev");
    expect(await v("dev/kv/a", "team")).toBe("dev");
    expect(await v("team/dev/kv/a")).toBe("dev");
    expect((await api("GET", "kv/a")).status).toBe(404);
    expect((await api("LIST", "sys/namespaces", { namespace: "team" })).json?.data).toMatchObject({ keys: ["dev/"] });
  });

  it("configures policies, mounts and jwt roles over the admin API", async () => {
    dv = await startDevVault();
    const api = client(dv);
    expect((await api("PUT", "sys/policies/acl/p", { body: { policy: 'path "kv/*" { capabilities = ["read"] }' } })).status).toBe(
      204,
    );
    expect((await api("GET", "sys/policies/acl/p")).json?.data).toMatchObject({ name: "p" });
    expect((await api("POST", "sys/mounts/kv", { body: { type: "kv" } })).status).toBe(204);
    expect(((await api("POST", "sys/mounts/pki", { body: { type: "pki" } })).json?.errors as string[])[0]).toMatch(
      /plugin not found/,
    );
    expect((await api("POST", "sys/auth/ci", { body: { type: "jwt" } })).status).toBe(204);
    const config = { jwt_validation_pubkeys: [dv.issuer.key.publicPem], bound_issuer: dv.issuer.url, default_role: "r" };
    expect((await api("POST", "auth/ci/config", { body: config })).status).toBe(204);
    const role = { role_type: "jwt", bound_audiences: "aud", user_claim: "sub", token_policies: "p" };
    expect((await api("POST", "auth/ci/role/r", { body: role })).status).toBe(204);
    expect((await api("GET", "auth/ci/role/r")).json?.data).toMatchObject({ bound_audiences: ["aud"], token_policies: ["p"] });
    const jwt = await dv.issuer.platformToken("gitlab", "aud");
    const login = await api("POST", "auth/ci/login", { token: null, body: { jwt } });
    expect(login.json?.auth).toMatchObject({ policies: ["default", "p"], metadata: { role: "r" } });
    const bad = await api("POST", "auth/ci/role/x", { body: { role_type: "jwt", user_claim: "sub" } });
    expect(bad).toMatchObject({
      status: 400,
      json: { errors: ["must have at least one bound constraint when creating/updating a role"] },
    });
    expect((await api("PUT", "sys/policies/acl/q", { body: { policy: "path {" } })).status).toBe(400);
  });

  it("verifies logins against a jwks_url (here its own issuer's JWKS)", async () => {
    dv = await startDevVault();
    const api = client(dv);
    await api("POST", "sys/auth/jwks", { body: { type: "jwt" } });
    expect((await api("POST", "auth/jwks/config", { body: { jwks_url: `${dv.issuer.url}/jwks` } })).status).toBe(204);
    await api("POST", "auth/jwks/role/r", { body: { role_type: "jwt", bound_audiences: ["a"], user_claim: "sub" } });
    const login = await api("POST", "auth/jwks/login", {
      token: null,
      body: { role: "r", jwt: await dv.issuer.platformToken("github", "a") },
    });
    expect(login.status).toBe(200);
    const both = await api("POST", "auth/jwks/config", {
      body: { jwks_url: "http://127.0.0.1:9/", jwt_validation_pubkeys: ["x"] },
    });
    expect(both.status).toBe(400);
  });

  it("refuses to renew a lease that is not renewable", async () => {
    dv = await startDevVault({ seed: { secrets: { db: { type: "database", roles: { fixed: { renewable: false } } } } } });
    const api = client(dv);
    const creds = await api("GET", "db/creds/fixed");
    expect(creds.json).toMatchObject({ renewable: false, lease_duration: 3600 });
    const renew = await api("PUT", "sys/leases/renew", { body: { lease_id: creds.json?.lease_id } });
    expect(renew).toMatchObject({ status: 400, json: { errors: ["lease is not renewable"] } });
  });

  it("refuses to listen beyond loopback", async () => {
    await expect(startDevVault({ host: "0.0.0.0" })).rejects.toThrow(/loopback only/);
  });

  it("answers malformed JSON with 400 and unknown methods with 405", async () => {
    dv = await startDevVault();
    const res = await fetch(`${dv.addr}/v1/secret/data/x`, {
      method: "POST",
      headers: { "x-vault-token": dv.rootToken },
      body: "{",
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { errors: string[] }).errors[0]).toMatch(/^failed to parse JSON input/);
    expect(
      (await fetch(`${dv.addr}/v1/secret/data/x`, { method: "PATCH", headers: { "x-vault-token": dv.rootToken } })).status,
    ).toBe(405);
    expect((await fetch(`${dv.addr}/nothing`)).status).toBe(404);
  });
});
