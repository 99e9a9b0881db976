// Contract: X-Vault-Namespace. A namespace is an isolated tree with its own mounts,
// policies and auth; its tokens read its paths with the header or with the namespace
// as a path prefix, and carry their namespace for the token's own endpoints.
import { describe, expect, it } from "vitest";
import { TARGETS, useTarget, type Target } from "./targets.js";

async function namespacedLogin(t: Target): Promise<string> {
  const answer = await t.api("POST", `auth/${t.fixture.mounts.github}/login`, {
    token: null,
    namespace: t.names.namespace,
    body: { role: "reader", jwt: await t.githubToken() },
  });
  expect(answer.status).toBe(200);
  return (answer.json?.auth as { client_token: string }).client_token;
}

describe.each(TARGETS)("$name", ({ name }) => {
  const target = useTarget(name);

  it("lists the namespace under sys/namespaces", async () => {
    const t = target();
    const list = await t.api("LIST", "sys/namespaces");
    expect(list.status).toBe(200);
    expect((list.json?.data as { keys: string[] }).keys).toContain(`${t.names.namespace}/`);
    const one = await t.api("GET", `sys/namespaces/${t.names.namespace}`);
    expect(one.json?.data).toMatchObject({ path: `${t.names.namespace}/`, locked: false });
  });

  it("keeps the namespace's secrets apart from the root namespace's", async () => {
    const t = target();
    const ns = t.names.namespace;
    const value = `ns-${t.names.suffix}`;
    expect((await t.api("POST", "secret/data/app/db", { namespace: ns, body: { data: { password: value } } })).status).toBe(200);
    const inside = await t.api("GET", "secret/data/app/db", { namespace: ns });
    expect((inside.json?.data as { data: unknown }).data).toEqual({ password: value });
    const prefixed = await t.api("GET", `${ns}/secret/data/app/db`);
    expect((prefixed.json?.data as { data: unknown }).data).toEqual({ password: value });
    const root = await t.api("GET", "secret/data/app/db");
    expect((root.json?.data as { data: { password: string } }).data.password).toBe(t.fixture.values.dbPassword);
    const mounts = await t.api("GET", "sys/internal/ui/mounts/secret/app/db", { namespace: ns });
    expect(mounts.json?.data).toMatchObject({ path: "secret/", type: "kv", options: { version: "2" } });
  });

  it("a namespace's token reads there with the header or the path prefix, and nowhere else", async () => {
    const t = target();
    const ns = t.names.namespace;
    await t.api("POST", "secret/data/app/only-here", { namespace: ns, body: { data: { k: "v" } } });
    const token = await namespacedLogin(t);
    expect(token).toMatch(/^s\.[A-Za-z0-9]+\.[A-Za-z0-9]+$/);
    expect((await t.api("GET", "secret/data/app/only-here", { token, namespace: ns })).status).toBe(200);
    expect((await t.api("GET", `${ns}/secret/data/app/only-here`, { token })).status).toBe(200);
    const outside = await t.api("GET", "secret/data/app/db", { token });
    expect(outside.status).toBe(403);
    const lookup = await t.api("GET", "auth/token/lookup-self", { token });
    expect(lookup.status).toBe(200);
    expect(lookup.json?.data).toMatchObject({ namespace_path: `${ns}/`, policies: ["default", "reader"] });
    const caps = await t.api("POST", "sys/capabilities-self", { token, namespace: ns, body: { paths: ["secret/data/app/x"] } });
    expect(caps.json).toMatchObject({ capabilities: ["read"] });
    expect((await t.api("POST", "auth/token/revoke-self", { token, namespace: ns })).status).toBe(204);
    expect((await t.api("GET", "auth/token/lookup-self", { token, namespace: ns })).status).toBe(403);
  });

  it("the root namespace's roles do not exist in the namespace, and an unknown namespace is 404", async () => {
    const t = target();
    const jwt = await t.githubToken();
    const role = await t.api("POST", `auth/${t.fixture.mounts.github}/login`, {
      token: null,
      namespace: t.names.namespace,
      body: { role: t.names.role, jwt },
    });
    expect(role).toMatchObject({ status: 400, json: { errors: [`role "${t.names.role}" could not be found`] } });
    const unknown = await t.api("POST", `auth/${t.fixture.mounts.github}/login`, {
      token: null,
      namespace: `no-such-${t.names.suffix}`,
      body: { role: "reader", jwt },
    });
    expect(unknown).toMatchObject({ status: 404, json: { errors: ["namespace not found"] } });
  });
});
