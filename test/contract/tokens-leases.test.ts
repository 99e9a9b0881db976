// Contract: the token's own endpoints (lookup, renew within the max TTL, revoke) and
// leases of a dynamic engine (lookup, renew, revoke, revoked with their token), against
// OpenBao (rabbitmq engine, fake management API) and devvault (its credentials engine).
import { describe, expect, it } from "vitest";
import { eventually, TARGETS, useTarget, type Target } from "./targets.js";

async function dynamicCreds(t: Target, token: string) {
  const answer = await t.api("GET", `${t.names.dynMount}/creds/app`, { token });
  expect(answer.status).toBe(200);
  const body = answer.json as {
    lease_id: string;
    lease_duration: number;
    renewable: boolean;
    data: { username: string; password: string };
  };
  return body;
}

describe.each(TARGETS)("$name", ({ name }) => {
  const target = useTarget(name);

  it("lookup-self describes the token", async () => {
    const t = target();
    const token = await t.login();
    const { status, json } = await t.api("GET", "auth/token/lookup-self", { token });
    expect(status).toBe(200);
    const data = json?.data as Record<string, unknown>;
    expect(data).toMatchObject({
      id: token,
      path: `auth/${t.fixture.mounts.github}/login`,
      policies: ["app-read", t.names.policy, "default"].sort(),
      meta: { role: t.names.role },
      creation_ttl: 300,
      renewable: true,
      type: "service",
      orphan: true,
      display_name: `${t.fixture.mounts.github}-repo:acme/app:ref:refs/heads/main`,
    });
    expect(data.ttl).toBeGreaterThan(295);
    expect(data.ttl).toBeLessThanOrEqual(300);
    expect(typeof data.accessor).toBe("string");
    expect(Date.parse(String(data.expire_time))).toBeGreaterThan(Date.now());
  });

  it("renew-self takes an increment, falls back to the role's TTL, and caps at token_max_ttl with a warning", async () => {
    const t = target();
    const token = await t.login();
    const renew = async (body: Record<string, unknown>) => {
      const { status, json } = await t.api("POST", "auth/token/renew-self", { token, body });
      expect(status).toBe(200);
      return { ttl: (json?.auth as { lease_duration: number }).lease_duration, warnings: json?.warnings as string[] | null };
    };
    expect(await renew({ increment: "600s" })).toEqual({ ttl: 600, warnings: null });
    expect(await renew({})).toEqual({ ttl: 300, warnings: null });
    const capped = await renew({ increment: 100_000 });
    expect(capped.ttl).toBeGreaterThan(895);
    expect(capped.ttl).toBeLessThanOrEqual(900);
    // The effective max TTL is what is left of 15 minutes: on a loaded machine a second may have passed.
    expect(capped.warnings).toHaveLength(1);
    expect(capped.warnings?.[0]).toMatch(
      /^TTL of "27h46m40s" exceeded the effective max_ttl of "(15m|14m5\ds)"; TTL value is capped accordingly$/,
    );
  });

  it("revoke-self ends the token: lookup, renew and revoke answer 403 permission denied", async () => {
    const t = target();
    const token = await t.login();
    expect((await t.api("POST", "auth/token/revoke-self", { token })).status).toBe(204);
    for (const [method, path] of [
      ["GET", "auth/token/lookup-self"],
      ["POST", "auth/token/renew-self"],
      ["POST", "auth/token/revoke-self"],
    ] as const) {
      const answer = await t.api(method, path, { token });
      expect(answer.status).toBe(403);
      expect(answer.json?.errors).toEqual(["permission denied"]);
    }
  });

  it("an admin looks a token up and revokes it by accessor, never seeing the token", async () => {
    const t = target();
    const token = await t.login();
    const accessor = ((await t.api("GET", "auth/token/lookup-self", { token })).json?.data as { accessor: string }).accessor;
    const lookup = await t.api("POST", "auth/token/lookup-accessor", { body: { accessor } });
    expect(lookup.status).toBe(200);
    expect(lookup.json?.data).toMatchObject({ accessor, id: "", meta: { role: t.names.role } });
    expect((await t.api("POST", "auth/token/revoke-accessor", { body: { accessor } })).status).toBe(204);
    expect((await t.api("GET", "auth/token/lookup-self", { token })).status).toBe(403);
    const gone = await t.api("POST", "auth/token/lookup-accessor", { body: { accessor } });
    expect(gone).toMatchObject({ status: 400, json: { errors: ["1 error occurred:\n\t* invalid accessor\n\n"] } });
  });

  it("an unknown token and no token answer 403 permission denied", async () => {
    const t = target();
    for (const token of ["s.thisTokenDoesNotExist000", null]) {
      const answer = await t.api("GET", "secret/data/app/db", { token });
      expect(answer).toMatchObject({ status: 403, json: { errors: ["permission denied"] } });
    }
  });

  it("a token expires at its TTL", async () => {
    const t = target();
    const created = await t.api("POST", "auth/token/create", {
      body: { policies: ["default"], ttl: "1s", explicit_max_ttl: "1s" },
    });
    expect(created.status).toBe(200);
    const token = (created.json?.auth as { client_token: string; lease_duration: number }).client_token;
    expect((created.json?.auth as { lease_duration: number }).lease_duration).toBe(1);
    expect((await t.api("GET", "auth/token/lookup-self", { token })).status).toBe(200);
    await new Promise((r) => setTimeout(r, 1300));
    expect((await t.api("GET", "auth/token/lookup-self", { token })).status).toBe(403);
  });

  it("a dynamic read returns a renewable lease named after its path", async () => {
    const t = target();
    const token = await t.login();
    const creds = await dynamicCreds(t, token);
    expect(creds.lease_id.startsWith(`${t.names.dynMount}/creds/app/`)).toBe(true);
    expect(creds.lease_duration).toBe(600);
    expect(creds.renewable).toBe(true);
    expect(creds.data.username).toEqual(expect.any(String));
    expect(creds.data.password.length).toBeGreaterThan(16);
    expect(t.credentialsLive(creds.data.username)).toBe(true);
    const lookup = await t.api("PUT", "sys/leases/lookup", { token, body: { lease_id: creds.lease_id } });
    expect(lookup.status).toBe(200);
    expect(lookup.json?.data).toMatchObject({ id: creds.lease_id, renewable: true, last_renewal: null });
    expect((lookup.json?.data as { ttl: number }).ttl).toBeGreaterThan(595);
  });

  it("sys/leases/renew: increment, default, and the max_ttl cap with Vault's warning", async () => {
    const t = target();
    const token = await t.login();
    const { lease_id } = await dynamicCreds(t, token);
    const renew = async (body: Record<string, unknown>) => {
      const { status, json } = await t.api("PUT", "sys/leases/renew", { token, body: { lease_id, ...body } });
      expect(status).toBe(200);
      expect(json).toMatchObject({ lease_id, renewable: true });
      return { ttl: json?.lease_duration as number, warnings: json?.warnings as string[] | null };
    };
    expect(await renew({ increment: 300 })).toEqual({ ttl: 300, warnings: null });
    expect(await renew({})).toEqual({ ttl: 600, warnings: null });
    const capped = await renew({ increment: 100_000 });
    expect(capped.ttl).toBeGreaterThan(1795);
    expect(capped.ttl).toBeLessThanOrEqual(1800);
    expect(capped.warnings?.[0]).toMatch(
      /^TTL of "27h46m40s" exceeded the effective max_ttl of "(29m5\d|30m)s?"; TTL value is capped accordingly$/,
    );
    const lookup = await t.api("PUT", "sys/leases/lookup", { token, body: { lease_id } });
    expect((lookup.json?.data as { last_renewal: unknown }).last_renewal).toEqual(expect.any(String));
  });

  it("sys/leases/revoke ends the lease and frees the credentials; lookups and renewals then fail", async () => {
    const t = target();
    const token = await t.login();
    const creds = await dynamicCreds(t, token);
    expect((await t.api("PUT", "sys/leases/revoke", { token, body: { lease_id: creds.lease_id } })).status).toBe(204);
    expect(t.credentialsLive(creds.data.username)).toBe(false);
    const lookup = await t.api("PUT", "sys/leases/lookup", { token, body: { lease_id: creds.lease_id } });
    expect(lookup).toMatchObject({ status: 400, json: { errors: ["invalid lease"] } });
    const renew = await t.api("PUT", "sys/leases/renew", { token, body: { lease_id: creds.lease_id } });
    expect(renew).toMatchObject({ status: 400, json: { errors: ["lease not found"] } });
    // Revoking again is not an error.
    expect((await t.api("PUT", "sys/leases/revoke", { token, body: { lease_id: creds.lease_id } })).status).toBe(204);
    for (const path of ["sys/leases/revoke", "sys/leases/renew"]) {
      const empty = await t.api("PUT", path, { token, body: {} });
      expect(empty).toMatchObject({ status: 400, json: { errors: ["lease_id must be specified"] } });
    }
  });

  it("revoke-self revokes the token's leases with it (OpenBao in the background, devvault at once)", async () => {
    const t = target();
    const token = await t.login();
    const creds = await dynamicCreds(t, token);
    expect((await t.api("POST", "auth/token/revoke-self", { token })).status).toBe(204);
    await eventually(async () => {
      const lookup = await t.api("PUT", "sys/leases/lookup", { body: { lease_id: creds.lease_id } });
      expect(lookup).toMatchObject({ status: 400, json: { errors: ["invalid lease"] } });
      expect(t.credentialsLive(creds.data.username)).toBe(false);
    });
  });

  it("the default policy renews and looks up leases but may not revoke them (403)", async () => {
    const t = target();
    const created = await t.api("POST", "auth/token/create", { body: { policies: [t.names.policy] } });
    const token = (created.json?.auth as { client_token: string }).client_token;
    const creds = await dynamicCreds(t, token);
    expect((await t.api("PUT", "sys/leases/renew", { token, body: { lease_id: creds.lease_id } })).status).toBe(200);
    const revoke = await t.api("PUT", "sys/leases/revoke", { token, body: { lease_id: creds.lease_id } });
    expect(revoke.status).toBe(403);
    expect((revoke.json?.errors as string[])[0]).toContain("permission denied");
    expect((await t.api("PUT", "sys/leases/revoke", { body: { lease_id: creds.lease_id } })).status).toBe(204);
  });
});
