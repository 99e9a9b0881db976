// Reads without a mount lookup, against a real OpenBao behind a recording proxy: a path
// written `<mount>/data/<secret>` is read at once and its answer's shape tells KV v2 from
// the rest; a nested mount whose own path ends in /data, a KV v1 secret stored under
// `data/…` and a deleted KV v2 version still give what the mount lookup gave before.
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { SecretNotFoundError, loadConfig, openSession } from "@vaultgate/core";
import { randomSecret, recordingPlatform, startFaultProxy, VaultAdmin, type FaultProxy } from "@vaultgate/test-harness";

const vault = inject("vault");
const admin = new VaultAdmin(vault.addr, vault.rootToken);
const run = randomBytes(4).toString("hex");
const mounts = { kv2: `dr-${run}`, kv1: `dr1-${run}`, nested: `dr-${run}-team/data` };
const values = { a: randomSecret(), b: randomSecret(), legacy: randomSecret(), nested: randomSecret(), gone: randomSecret() };
let proxy: FaultProxy;
let token: string;

beforeAll(async () => {
  await admin.call("POST", `sys/mounts/${mounts.kv2}`, { type: "kv", options: { version: "2" } });
  await admin.call("POST", `sys/mounts/${mounts.kv1}`, { type: "kv", options: { version: "1" } });
  await admin.call("POST", `sys/mounts/${mounts.nested}`, { type: "kv", options: { version: "2" } });
  await admin.putKv2(mounts.kv2, "app/a", { value: values.a });
  await admin.putKv2(mounts.kv2, "app/b", { value: values.b });
  await admin.putKv2(mounts.kv2, "app/gone", { value: values.gone });
  await admin.call("DELETE", `${mounts.kv2}/data/app/gone`);
  // A KV v1 secret whose own name starts with data/ and whose keys look like KV v2's.
  await admin.call("POST", `${mounts.kv1}/data/app`, { password: values.legacy, data: { x: 1 }, metadata: { y: 2 } });
  await admin.putKv2(mounts.nested, "x", { value: values.nested });
  const policy = `path "dr*" { capabilities = ["read", "list"] }`;
  await admin.call("POST", `sys/policies/acl/direct-${run}`, { policy });
  const created = await admin.call("POST", "auth/token/create", { policies: [`direct-${run}`], ttl: "10m" });
  token = String((created.auth as { client_token: string }).client_token);
  proxy = await startFaultProxy(vault.addr);
});
afterAll(() => proxy.close());

/** named maps env names to values; comparisons go through `same`, so a failure never prints a value. */
const named = (secrets: readonly { envName: string; value: string }[]) =>
  Object.fromEntries(secrets.map((s) => [s.envName, s.value])) as Record<string, string>;
const same = (a: Record<string, string>, b: Record<string, string>) => JSON.stringify(a) === JSON.stringify(b);

async function fetchWith(secrets: string) {
  const env = { VAULT_TOKEN: token };
  const config = loadConfig({ inputs: { url: proxy.url, method: "token", secrets }, env, cwd: process.cwd() });
  const platform = recordingPlatform(env, "local");
  const before = proxy.requests.length;
  const session = await openSession({ config, platform });
  try {
    const result = await session.fetch();
    return { result, requests: proxy.requests.slice(before).map((r) => `${r.method} ${r.path}`) };
  } finally {
    session.close();
  }
}

describe("reads without a mount lookup", () => {
  it("reads <mount>/data/<secret> paths at once: one request per secret, none to sys/internal/ui/mounts", async () => {
    const { result, requests } = await fetchWith(`${mounts.kv2}/data/app/a value | A ;\n${mounts.kv2}/data/app/b value | B`);
    expect(same(named(result.secrets), { A: values.a, B: values.b })).toBe(true);
    expect(result.reads.map((r) => r.kv)).toEqual([2, 2]);
    expect(requests.filter((r) => r.includes("sys/internal/ui/mounts"))).toEqual([]);
    expect(requests.filter((r) => r.startsWith("GET /v1/dr"))).toHaveLength(2);
  });

  it("still looks the mount up for a path without data/ (one lookup for the mount)", async () => {
    const { result, requests } = await fetchWith(`${mounts.kv2}/app/a value | A ;\n${mounts.kv2}/app/b value | B`);
    expect(same(named(result.secrets), { A: values.a, B: values.b })).toBe(true);
    expect(requests.filter((r) => r.includes("sys/internal/ui/mounts"))).toHaveLength(1);
  });

  it("reads a KV v1 secret named data/… as KV v1, keys that look like KV v2's included", async () => {
    const { result } = await fetchWith(`${mounts.kv1}/data/app password | P ;\n${mounts.kv1}/data/app ** | L_`);
    const byName = named(result.secrets);
    expect(byName.P === values.legacy).toBe(true);
    expect(byName.L_data).toBe('{"x":1}');
    expect(byName.L_metadata).toBe('{"y":2}');
    expect(result.reads[0]?.kv).not.toBe(2);
  });

  it("finds a secret on a nested mount whose path ends in /data, by looking the mount up after the direct read fails", async () => {
    const { result, requests } = await fetchWith(`${mounts.nested}/x value | N`);
    expect(same(named(result.secrets), { N: values.nested })).toBe(true);
    expect(requests).toContain(`GET /v1/${mounts.nested}/data/x`);
    expect(requests.filter((r) => r.includes("sys/internal/ui/mounts"))).toHaveLength(1);
  });

  it("names a deleted KV v2 version as deleted, as before", async () => {
    const error = await fetchWith(`${mounts.kv2}/data/app/gone value | G`).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SecretNotFoundError);
    expect((error as Error).message).toMatch(/deleted/i);
    expect((error as Error).message).not.toContain(values.gone);
  });
});
