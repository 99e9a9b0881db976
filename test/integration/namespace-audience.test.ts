// fetch, exec and revoke against the real OpenBao in a namespace (every request in the
// configured namespace, none of them root-only), a missing namespace and a KV v2
// metadata path named as such, and the one audience rule: a token without the
// configured audience fails before any login request reaches the vault.
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import type { AuditRecord } from "@vaultgate/core";
import {
  gitlabJobEnv,
  runCli,
  setUpGateFixture,
  startFaultProxy,
  type FaultProxy,
  type GateFixture,
} from "@vaultgate/test-harness";

const vault = inject("vault");
let gate: GateFixture;
let proxy: FaultProxy;

beforeAll(async () => {
  gate = await setUpGateFixture(vault);
  proxy = await startFaultProxy(vault.addr);
});
afterAll(() => proxy.close());

const login = ["--mount", "jwt-gitlab", "--role", "deploy"];

async function cli(args: string[], extra: Record<string, string> = {}) {
  const { env } = await gitlabJobEnv(vault, { VAULT_ADDR: proxy.url, ...extra });
  const result = await runCli(args, env);
  for (const value of [...Object.values(vault.values), ...gate.values]) {
    expect(result.stdout.includes(value) || result.stderr.includes(value), "a value leaked").toBe(false);
  }
  expect(result.stderr).not.toMatch(/bug in vaultgate|\n\s+at /);
  return result;
}

function files() {
  const dir = mkdtempSync(join(tmpdir(), "vaultgate-ns-"));
  return { out: join(dir, "s.env"), state: join(dir, "state.json"), audit: join(dir, "audit.jsonl") };
}

async function accessorLives(accessor: string, namespace: string): Promise<boolean> {
  const res = await fetch(`${vault.addr}/v1/auth/token/lookup-accessor`, {
    method: "POST",
    headers: { "x-vault-token": vault.rootToken, "x-vault-namespace": namespace, "content-type": "application/json" },
    body: JSON.stringify({ accessor }),
  });
  await res.arrayBuffer();
  return res.ok;
}

describe("in a namespace", () => {
  it("fetch reads there, and revoke ends its token there", async () => {
    const f = files();
    const ns = ["--namespace", gate.namespace];
    const fetched = await cli([
      "fetch",
      ...login,
      ...ns,
      "-s",
      "secret/app/db password | DB",
      "--out",
      f.out,
      "--state",
      f.state,
      "--audit",
      f.audit,
    ]);
    expect(fetched.code, fetched.stderr).toBe(0);
    expect(readFileSync(f.out, "utf8").includes(gate.values[0] ?? "-"), "the namespace's value was written").toBe(true);
    const record = JSON.parse(readFileSync(f.audit, "utf8").trim().split("\n").at(-1)!) as AuditRecord;
    const accessor = record.identity?.accessor ?? "";
    expect(await accessorLives(accessor, gate.namespace)).toBe(true);
    const revoked = await cli(["revoke", "--state", f.state]);
    expect(revoked.code, revoked.stderr).toBe(0);
    expect(await accessorLives(accessor, gate.namespace)).toBe(false);
    expect(proxy.requests.filter((r) => r.path === "/v1/sys/health")).toEqual([]);
  });

  it("exec hands the namespace's secret to the command", async () => {
    const result = await cli([
      "exec",
      ...login,
      "--namespace",
      gate.namespace,
      "-s",
      "secret/app/db password | DB",
      "--",
      process.execPath,
      "-e",
      `process.exit(process.env.DB === ${JSON.stringify(gate.values[0])} ? 0 : 9)`,
    ]);
    expect(result.code, result.stderr).toBe(0);
  });

  it("a missing namespace is named, with the fix (exit 2)", async () => {
    const f = files();
    const result = await cli([
      "fetch",
      ...login,
      "--namespace",
      gate.missingNamespace,
      "-s",
      "secret/app/db password",
      "--out",
      f.out,
    ]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`Error: The namespace "${gate.missingNamespace}" was not found on ${proxy.url}.`);
    expect(result.stderr).toMatch(/Hint: Set namespace \(input namespace, --namespace or VAULT_NAMESPACE\)/);
  });
});

it("fetch names a KV v2 metadata path and the data path to use (exit 2)", async () => {
  const f = files();
  const result = await cli(["fetch", ...login, "-s", "secret/metadata/app/db password", "--out", f.out]);
  expect(result.code).toBe(2);
  expect(result.stderr).toContain("Error: secret/metadata/app/db is a KV v2 metadata path");
  expect(result.stderr).toContain("Hint: Read the data path instead: secret/app/db (or secret/data/app/db).");
});

describe("one audience rule", () => {
  const other = "https://other.example";
  const words = `The ID token's audience is "${vault.audience}", not the configured audience "${other}"`;

  it.each([
    ["fetch", ["fetch", ...login, "--audience", other, "-s", "secret/app/db password", "--out", "OUT"]],
    ["exec", ["exec", ...login, "--audience", other, "-s", "secret/app/db password", "--", process.execPath, "-e", "0"]],
  ])("%s fails before login, naming both audiences (exit 3)", async (_name, args) => {
    proxy.setScript(undefined);
    const result = await cli(args.map((a) => (a === "OUT" ? files().out : a)));
    expect(result.code).toBe(3);
    expect(result.stderr).toContain(`Error: ${words} (token from $VAULT_ID_TOKEN).`);
    expect(result.stderr).toMatch(/Hint: Set the token's aud .* or set audience to the one the token carries\./);
    expect(proxy.requests.filter((r) => r.path.includes("/login"))).toEqual([]);
  });
});
