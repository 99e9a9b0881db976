// The gate's verdict through actions/check's committed dist/, as the GitHub runner runs
// it against the real OpenBao: a healthy namespace passes, a missing namespace, a typo
// outside the policy, a budget cut-off behind a slow proxy, and batch tokens. Each asserts
// the exit code, the failing check's id and status, the words of the reason and of its
// annotation, that nothing else fails for the same cause, no "bug in vaultgate", and
// that every warning annotation has a title.
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import {
  checkById,
  failing,
  runCheckAction,
  setUpGateFixture,
  startFaultProxy,
  startGitHubOidc,
  type CheckActionRun,
  type FaultProxy,
  type GateFixture,
  type GitHubOidcServer,
  type StepOptions,
} from "@vaultgate/test-harness";

const vault = inject("vault");
let oidc: GitHubOidcServer;
let gate: GateFixture;
let slow: FaultProxy;

beforeAll(async () => {
  oidc = await startGitHubOidc(vault.issuers.github);
  gate = await setUpGateFixture(vault);
  slow = await startFaultProxy(vault.addr, ({ method, path }) =>
    method === "GET" && path === "/v1/secret/data/app/db" ? { kind: "stall", ms: 8000 } : undefined,
  );
});
afterAll(async () => {
  await oidc.close();
  await slow.close();
});

const connection = { url: vault.addr, role: "deploy", audience: vault.audience };

async function check(options: StepOptions): Promise<CheckActionRun> {
  const run = await runCheckAction(oidc, options, [...Object.values(vault.values), ...gate.values]);
  expect(run.problems).toEqual([]);
  // Every annotation is titled; an error annotation is one failing check's reason.
  for (const c of run.run.commands.filter((c) => c.name === "warning" || c.name === "error")) {
    expect(c.properties.title, c.message).toMatch(/^vaultgate/);
  }
  return run;
}

const errors = (r: CheckActionRun) => r.run.commands.filter((c) => c.name === "error").map((c) => c.message);

describe("actions/check verdicts", () => {
  it("a healthy setup in a namespace passes every check", async () => {
    const r = await check({
      inputs: { ...connection, namespace: gate.namespace, "min-ttl": "2m", secrets: "secret/app/db password | DB" },
    });
    expect(r.run.code, r.run.stdout).toBe(0);
    expect(r.run.outputs.ok).toBe("true");
    expect(r.report.checks.map((c) => [c.id, c.status])).toEqual([
      ["identity.token", "pass"],
      ["vault.health", "pass"],
      ["login", "pass"],
      ["token.ttl", "pass"],
      ["secret.DB", "pass"],
      ["budget", "pass"],
    ]);
  });

  it("a missing namespace fails the login, named, with the fix", async () => {
    const r = await check({
      inputs: { ...connection, namespace: gate.missingNamespace, secrets: "secret/app/db password | DB" },
    });
    expect(r.run.code).toBe(1);
    expect(failing(r.report)).toEqual([["login", "fail"]]);
    expect(checkById(r.report, "vault.health")?.status).toBe("pass");
    const words = `The namespace "${gate.missingNamespace}" was not found on ${vault.addr}. Set namespace (input namespace,`;
    expect(checkById(r.report, "login")?.reason).toContain(words);
    expect(errors(r)).toEqual([checkById(r.report, "login")?.reason]);
  });

  it("a typo outside the policy: denied, or no such path, with the nearest readable path", async () => {
    const r = await check({ inputs: { ...connection, secrets: "secret/dta/app/db password | DB" } });
    expect(r.run.code).toBe(1);
    expect(failing(r.report)).toEqual([["secret.DB", "fail"]]);
    const reason =
      "The token may not read secret/data/dta/app/db (role deploy) — denied, or no such path: check the path and the role's policy. Did you mean secret/data/app/db?";
    expect(checkById(r.report, "secret.DB")?.reason).toBe(reason);
    expect(errors(r)).toEqual([reason]);
    expect(r.run.files.summary).toContain("Did you mean secret/data/app/db?");
  });

  it("a budget cut-off is a skip, and the budget check names the slow part", async () => {
    const r = await check({
      inputs: { ...connection, url: slow.url, timeout: "2s", secrets: "secret/app/db password | DB\nsecret/app/api token | API" },
    });
    expect(r.run.code).toBe(1);
    expect(failing(r.report)).toEqual([["budget", "fail"]]);
    expect(checkById(r.report, "secret.DB")).toMatchObject({
      status: "skip",
      reason: "Not checked: the gate's time budget (2 s) was spent.",
    });
    expect(checkById(r.report, "budget")?.reason).toMatch(
      /the slow part: secret\.DB took [12]\.\d s; the slowest vault request was GET secret\/data\/app\/db/,
    );
    expect(errors(r)).toEqual([checkById(r.report, "budget")?.reason]);
    expect(r.run.stdout).not.toMatch(/Unexpected error/);
  });

  it("a batch token: said once that it expires and is not revoked, and no untitled warning", async () => {
    const r = await check({
      inputs: { ...connection, role: gate.batchRole, "min-ttl": "2m", secrets: "secret/app/db password | DB" },
    });
    expect(r.run.code, r.run.stdout).toBe(0);
    expect(failing(r.report)).toEqual([]);
    expect(checkById(r.report, "token.ttl")?.reason).toMatch(
      /a batch token: it expires after its TTL and is neither renewed nor revoked\.$/,
    );
    expect(r.run.stdout).not.toMatch(/could not revoke/);
    expect(r.run.commands.filter((c) => c.name === "warning")).toEqual([]);
  });

  it("a revocation that fails warns with a title", async () => {
    const failingRevoke = await startFaultProxy(vault.addr, ({ path }) =>
      path === "/v1/auth/token/revoke-self" ? { kind: "status", status: 500 } : undefined,
    );
    try {
      const r = await check({ inputs: { ...connection, url: failingRevoke.url, secrets: "secret/app/db password | DB" } });
      expect(r.run.code).toBe(0);
      const warnings = r.run.commands.filter((c) => c.name === "warning");
      expect(warnings).toHaveLength(1);
      expect(warnings[0]?.properties.title).toBe("vaultgate check");
      expect(warnings[0]?.message).toMatch(/^could not revoke the check's token: /);
    } finally {
      await failingRevoke.close();
    }
  });
});
