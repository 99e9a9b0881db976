// Contract: KV v1 and v2 reads, mount detection through sys/internal/ui/mounts, the 404
// shapes (missing path, deleted and destroyed versions), 403 on denied paths, and
// sys/capabilities-self with Vault's glob (*) and segment wildcard (+) rules.
import { describe, expect, it } from "vitest";
import { TARGETS, useTarget } from "./targets.js";

const DENIED = ["1 error occurred:\n\t* permission denied\n\n"];

describe.each(TARGETS)("$name", ({ name }) => {
  const target = useTarget(name);

  it("reads KV v2 at data/ (data.data + metadata) and KV v1 as written (lease_duration, no lease)", async () => {
    const t = target();
    const token = await t.login();
    const v2 = await t.api("GET", "secret/data/app/db", { token });
    expect(v2.status).toBe(200);
    expect(v2.json).toMatchObject({
      lease_id: "",
      renewable: false,
      lease_duration: 0,
      data: { data: { username: t.fixture.values.dbUser, password: t.fixture.values.dbPassword } },
    });
    expect((v2.json?.data as { metadata: unknown }).metadata).toMatchObject({ version: 1, destroyed: false, deletion_time: "" });
    const v1 = await t.api("GET", "kv1/app/legacy", { token });
    expect(v1.json).toMatchObject({
      lease_id: "",
      lease_duration: 2_764_800,
      data: { password: t.fixture.values.legacyPassword },
    });
  });

  it("a KV v2 path without data/ is no API path: 403 for the app token, 404 with a warning for root", async () => {
    const t = target();
    const token = await t.login();
    expect(await t.api("GET", "secret/app/db", { token })).toMatchObject({ status: 403, json: { errors: DENIED } });
    const root = await t.api("GET", "secret/app/db");
    expect(root.status).toBe(404);
    expect((root.json?.warnings as string[])[0]).toMatch(/^Invalid path for a versioned K\/V secrets engine/);
  });

  it("answers 404 {errors: []} for missing secrets, versions and mount-less paths", async () => {
    const t = target();
    const token = await t.login();
    for (const path of ["secret/data/app/nope", "secret/data/app/db?version=99", "kv1/app/nope"]) {
      expect(await t.api("GET", path, { token })).toMatchObject({ status: 404, json: { errors: [] } });
    }
    const root = await t.api("GET", "no-such-mount/x");
    expect(root).toMatchObject({
      status: 404,
      json: { errors: ['no handler for route "no-such-mount/x". route entry not found.'] },
    });
  });

  it("sys/internal/ui/mounts tells each mount's type and KV version", async () => {
    const t = target();
    const token = await t.login();
    const mount = async (path: string) => (await t.api("GET", `sys/internal/ui/mounts/${path}`, { token })).json?.data;
    expect(await mount("secret/app/db")).toMatchObject({ path: "secret/", type: "kv", options: { version: "2" } });
    expect(await mount("secret/data/app/db")).toMatchObject({ path: "secret/", type: "kv", options: { version: "2" } });
    expect(await mount("kv1/app/legacy")).toMatchObject({ path: "kv1/", type: "kv", options: { version: "1" } });
    expect(await mount(`${t.names.dynMount}/creds/app`)).toMatchObject({ path: `${t.names.dynMount}/`, type: "rabbitmq" });
    const unknown = await t.api("GET", "sys/internal/ui/mounts/nothing/x", { token });
    expect(unknown).toMatchObject({
      status: 403,
      json: {
        errors: [`preflight capability check returned 403, please ensure client's policies grant access to path "nothing/x/"`],
      },
    });
    const plain = await t.api("POST", `auth/${t.fixture.mounts.github}/login`, {
      token: null,
      body: { role: "deploy-plain", jwt: await t.githubToken() },
    });
    const plainToken = (plain.json?.auth as { client_token: string }).client_token;
    const noAccess = await t.api("GET", "sys/internal/ui/mounts/kv1/app/legacy", { token: plainToken });
    expect(noAccess.status).toBe(403);
    expect(await t.api("GET", "sys/internal/ui/mounts/secret", { token: null })).toMatchObject({
      status: 403,
      json: { errors: ["permission denied"] },
    });
  });

  it("KV v2 deleted and destroyed versions answer 404 with their metadata; undelete restores", async () => {
    const t = target();
    const path = `${t.names.kvPrefix}/rotated`;
    for (const password of ["first", "second"]) {
      expect((await t.api("POST", `secret/data/${path}`, { body: { data: { password } } })).status).toBe(200);
    }
    const cas = await t.api("POST", `secret/data/${path}`, { body: { data: { password: "x" }, options: { cas: 1 } } });
    expect(cas).toMatchObject({ status: 400, json: { errors: ["check-and-set parameter did not match the current version"] } });
    expect((await t.api("DELETE", `secret/data/${path}`)).status).toBe(204);
    const token = await t.login();
    const deleted = await t.api("GET", `secret/data/${path}`, { token });
    expect(deleted.status).toBe(404);
    expect(deleted.json?.data).toMatchObject({ data: null, metadata: { version: 2, destroyed: false } });
    expect((deleted.json?.data as { metadata: { deletion_time: string } }).metadata.deletion_time).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect((await t.api("GET", `secret/data/${path}?version=1`, { token })).json?.data).toMatchObject({
      data: { password: "first" },
    });
    expect((await t.api("POST", `secret/destroy/${path}`, { body: { versions: [1] } })).status).toBe(204);
    const destroyed = await t.api("GET", `secret/data/${path}?version=1`, { token });
    expect(destroyed).toMatchObject({ status: 404, json: { data: { data: null, metadata: { version: 1, destroyed: true } } } });
    const meta = await t.api("GET", `secret/metadata/${path}`);
    expect(meta.json?.data).toMatchObject({
      current_version: 2,
      versions: { "1": { destroyed: true }, "2": { destroyed: false } },
    });
    expect((await t.api("POST", `secret/undelete/${path}`, { body: { versions: [2] } })).status).toBe(204);
    expect((await t.api("GET", `secret/data/${path}`, { token })).json?.data).toMatchObject({ data: { password: "second" } });
    const list = await t.api("LIST", `secret/metadata/${t.names.kvPrefix}`, { token });
    expect(list).toMatchObject({ status: 200, json: { data: { keys: ["rotated"] } } });
  });

  it("denies paths outside the token's policies with 403", async () => {
    const t = target();
    const token = await t.login();
    expect(await t.api("GET", "secret/data/restricted/root", { token })).toMatchObject({ status: 403, json: { errors: DENIED } });
    expect(await t.api("POST", "secret/data/app/db", { token, body: { data: { a: "b" } } })).toMatchObject({ status: 403 });
    expect(await t.api("GET", "sys/capabilities-self", { token })).toMatchObject({ status: 403, json: { errors: DENIED } });
  });

  it("sys/capabilities-self answers per path, at the top level and under data", async () => {
    const t = target();
    const token = await t.login();
    const p = `secret/data/${t.names.kvPrefix}`;
    const paths = ["secret/data/app/db", "secret/data/restricted/root", "sys/leases/revoke", `${p}/x/config`, `${p}/x/y/config`];
    const many = await t.api("POST", "sys/capabilities-self", { token, body: { paths } });
    const expected = {
      "secret/data/app/db": ["read"],
      "secret/data/restricted/root": ["deny"],
      "sys/leases/revoke": ["update"],
      [`${p}/x/config`]: ["read", "update"],
      [`${p}/x/y/config`]: ["read"],
    };
    expect(many.status).toBe(200);
    expect(many.json).toMatchObject({ ...expected, data: expected });
    expect(many.json).not.toHaveProperty("capabilities");
    const one = await t.api("POST", "sys/capabilities-self", { token, body: { path: "secret/data/app/db" } });
    expect(one.json).toMatchObject({
      capabilities: ["read"],
      "secret/data/app/db": ["read"],
      data: { capabilities: ["read"], "secret/data/app/db": ["read"] },
    });
    const root = await t.api("POST", "sys/capabilities-self", { body: { paths: ["anything/at/all"] } });
    expect(root.json).toMatchObject({ capabilities: ["root"], data: { "anything/at/all": ["root"] } });
    const none = await t.api("POST", "sys/capabilities-self", { token, body: { paths: [] } });
    expect(none).toMatchObject({ status: 400, json: { errors: ["paths must be supplied"] } });
  });
});
