// The gate's verdict in broken setups, through the CLI against the real OpenBao: a
// namespace (healthy, and missing), a typo outside the policy, a KV v2 metadata path, a
// budget cut-off behind a slow proxy, a destroyed latest version, batch tokens, an ID
// token not valid yet, the small reason fixes, and one audience rule for check, fetch
// and exec. Each asserts the exit code, the failing check's id and status, the words
// of the reason, that nothing else fails for the same cause, and no "bug in vaultgate".
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { GATE_REASONS } from "@vaultgate/core";
import {
  TestIssuer,
  checkById,
  checkCli,
  createTestPki,
  failing,
  gitlabClaims,
  setUpGateFixture,
  startFaultProxy,
  startTlsProxy,
  type CheckCliOptions,
  type CheckCliRun,
  type FaultProxy,
  type GateFixture,
  type LoopbackServer,
} from "@vaultgate/test-harness";

const vault = inject("vault");
const known = new Set(GATE_REASONS.map((r) => r.id));
let gate: GateFixture;

beforeAll(async () => {
  gate = await setUpGateFixture(vault);
});

/** check runs the gate; every run: no leak, no stack trace, no "bug in vaultgate", every reason from the table. */
async function check(args: string[], options: CheckCliOptions = {}): Promise<CheckCliRun> {
  const run = await checkCli(vault, args, { ...options, secrets: gate.values });
  expect(run.problems).toEqual([]);
  for (const c of run.report.checks) expect(known, `${c.id}: ${String(c.details.reason)}`).toContain(c.details.reason);
  return run;
}

function manifest(lines: string[]): string {
  const file = join(mkdtempSync(join(tmpdir(), "vaultgate-verdict-")), "vaultgate.yml");
  writeFileSync(file, `${lines.join("\n")}\n`);
  return file;
}

const statuses = (run: CheckCliRun) => run.report.checks.map((c) => [c.id, c.status]);

describe("namespaces", () => {
  it("a healthy setup in a namespace passes every check (health asked in the root namespace)", async () => {
    const run = await check(["--namespace", gate.namespace, "-s", "secret/app/db password | DB", "--min-ttl", "2m"]);
    expect(run.result.code).toBe(0);
    expect(statuses(run)).toEqual([
      ["identity.token", "pass"],
      ["vault.health", "pass"],
      ["login", "pass"],
      ["token.ttl", "pass"],
      ["secret.DB", "pass"],
      ["budget", "pass"],
    ]);
    expect(run.report.vault?.namespace).toBe(gate.namespace);
  });

  it("a namespace that does not exist is named as such, on the login only", async () => {
    const run = await check(["--namespace", gate.missingNamespace, "-s", "secret/app/db password | DB"]);
    expect(run.result.code).toBe(1);
    expect(failing(run.report)).toEqual([["login", "fail"]]);
    expect(checkById(run.report, "login")?.reason).toMatch(
      new RegExp(
        `^The namespace "${gate.missingNamespace}" was not found on http://127\\.0\\.0\\.1:\\d+\\. Set namespace \\(input namespace, --namespace or VAULT_NAMESPACE\\) to the full path of an existing namespace`,
      ),
    );
    expect(checkById(run.report, "vault.health")?.status).toBe("pass");
    expect(checkById(run.report, "secret.DB")).toMatchObject({ status: "skip", reason: "Not checked: login did not succeed." });
  });
});

describe("a path the policy does not cover", () => {
  it("a typo: denied, or no such path, and the nearest readable path", async () => {
    const run = await check(["-s", "secret/dta/app/db password | DB", "-s", "secret/app/api token | API"]);
    expect(run.result.code).toBe(1);
    expect(failing(run.report)).toEqual([["secret.DB", "fail"]]);
    const db = checkById(run.report, "secret.DB");
    expect(db?.reason).toBe(
      "The token may not read secret/data/dta/app/db (role deploy) — denied, or no such path: check the path and the role's policy. Did you mean secret/data/app/db?",
    );
    expect(db?.details).toMatchObject({ reason: "secret.denied", suggestions: ["secret/data/app/db"] });
  });

  it("a path far from anything readable gets no suggestion", async () => {
    const run = await check(["-s", "secret/restricted/root token | ROOT"]);
    expect(failing(run.report)).toEqual([["secret.ROOT", "fail"]]);
    expect(checkById(run.report, "secret.ROOT")?.reason).toMatch(
      /denied, or no such path: check the path and the role's policy\.$/,
    );
  });

  it("a KV v2 metadata path is named as such, with the data path to use", async () => {
    const run = await check(["-s", "secret/metadata/app/db password | DB"]);
    expect(run.result.code).toBe(1);
    expect(failing(run.report)).toEqual([["secret.DB", "fail"]]);
    expect(checkById(run.report, "secret.DB")?.reason).toBe(
      "secret/metadata/app/db is a KV v2 metadata path: it holds versions and deletion state, not the secret's keys. Read the data path instead: secret/app/db (or secret/data/app/db).",
    );
  });
});

describe("the time budget", () => {
  let slow: FaultProxy;
  beforeAll(async () => {
    slow = await startFaultProxy(vault.addr, ({ method, path }) =>
      method === "GET" && path === "/v1/secret/data/app/db" ? { kind: "stall", ms: 8000 } : undefined,
    );
  });
  afterAll(() => slow.close());

  it("a check cut off by the budget is skipped, and the budget check names the slow part", async () => {
    const run = await check(["-s", "secret/app/db password | DB", "-s", "secret/app/api token | API", "--timeout", "2s"], {
      url: slow.url,
    });
    expect(run.result.code).toBe(1);
    expect(failing(run.report)).toEqual([["budget", "fail"]]);
    expect(checkById(run.report, "secret.DB")).toMatchObject({
      status: "skip",
      reason: "Not checked: the gate's time budget (2 s) was spent.",
    });
    expect(checkById(run.report, "secret.API")?.status).toBe("pass");
    expect(checkById(run.report, "budget")?.reason).toMatch(
      /^The checks took 2\.\d s, over the budget of 2 s; the slow part: secret\.DB took [12]\.\d s; the slowest vault request was GET secret\/data\/app\/db \([12]\.\d s, no answer in time\): find why that part is slow/,
    );
    expect(run.outputs.join("\n")).not.toMatch(/Unexpected error/);
  });
});

describe("KV v2 versions", () => {
  it("a destroyed latest version: write a new version or pin an older one, never undelete", async () => {
    const run = await check(["-s", `${gate.destroyedPath} value | D`]);
    expect(run.result.code).toBe(1);
    expect(failing(run.report)).toEqual([["secret.D", "fail"]]);
    const reason = checkById(run.report, "secret.D")?.reason ?? "";
    expect(reason).toMatch(
      /its current version \(version 2\) was destroyed, and a destroyed version cannot be restored\. Write a new version \(vault kv put\), or pin an older version that still has data \(write the path as secret\/app\/destroyed-\w+\?version=1\)/,
    );
    expect(reason).not.toMatch(/undelete/i);
  });

  it("the pinned older version the reason names passes", async () => {
    const run = await check(["-s", `${gate.destroyedPath}?version=1 value | D`]);
    expect(run.result.code).toBe(0);
    expect(checkById(run.report, "secret.D")).toMatchObject({ status: "pass", reason: "Readable (version 1)." });
  });
});

describe("batch tokens", () => {
  it("say once that they expire and are not revoked, and warn about nothing", async () => {
    const run = await check(["--role", gate.batchRole, "-s", "secret/app/db password | DB", "--min-ttl", "2m"]);
    expect(run.result.code).toBe(0);
    expect(failing(run.report)).toEqual([]);
    const ttl = checkById(run.report, "token.ttl");
    expect(ttl).toMatchObject({ status: "pass", details: { batch: true } });
    expect(ttl?.reason).toMatch(
      /^TTL (4m\d+s|5m) ≥ 2m; a batch token: it expires after its TTL and is neither renewed nor revoked\.$/,
    );
    expect(run.result.stdout.match(/batch token/g)).toHaveLength(1);
    expect(run.result.stderr).not.toMatch(/could not revoke|failed/);
  });
});

describe("the ID token's nbf", () => {
  const token = (nbfFromNow: number) =>
    new TestIssuer(vault.issuers.gitlab).sign(gitlabClaims(vault.audience), {
      claims: { nbf: Math.floor(Date.now() / 1000) + nbfFromNow },
      ttl: 900,
    });

  it("in the future beyond the leeway fails identity.token, and the token is never sent", async () => {
    const run = await check(["-s", "secret/app/db password | DB"], { idToken: await token(600) });
    expect(run.result.code).toBe(1);
    expect(failing(run.report)).toEqual([["identity.token", "fail"]]);
    expect(checkById(run.report, "identity.token")?.reason).toMatch(
      /^The ID token is not valid before \S+ \(nbf\), (9m5\ds|10m) ahead of this machine's clock, beyond the 1m leeway: check the clocks/,
    );
    expect(checkById(run.report, "login")).toMatchObject({
      status: "skip",
      reason: "Not attempted: no usable ID token (identity.token).",
    });
  });

  it("within the leeway passes", async () => {
    const run = await check(["-s", "secret/app/db password | DB"], { idToken: await token(20) });
    expect(run.result.code).toBe(0);
  });
});

describe("the small reason fixes", () => {
  let tls: LoopbackServer;
  beforeAll(async () => {
    tls = await startTlsProxy(vault.addr, createTestPki(), { requireClientCert: false });
  });
  afterAll(() => tls.close());

  it("a missing key names the key and the keys present", async () => {
    const run = await check(["-s", "secret/app/db passwd | P"]);
    expect(failing(run.report)).toEqual([["secret.P", "fail"]]);
    expect(checkById(run.report, "secret.P")).toMatchObject({
      reason:
        'The key "passwd" is missing from secret/app/db; it has: password, username: fix the key\'s name, or add the key to the secret.',
      details: { keysPresent: ["password", "username"] },
    });
  });

  it("an entry sharing its line with others is named by its place", async () => {
    const run = await check(["--secrets", "secret/app/db password | A ; secret/app/api token | B ; secret/app/nope x | C"]);
    expect(failing(run.report)).toEqual([["secret.C", "fail"]]);
    expect(checkById(run.report, "secret.C")?.reason).toMatch(
      /^Secret not found: secret\/app\/nope \(inputs secrets entry 3, line 1\)\./,
    );
  });

  it("a PKI issue is a request", async () => {
    const file = manifest([
      "secrets:",
      "  - { path: pki/issue/other, key: certificate, name: CERT, method: POST, params: { common_name: a.example.com } }",
    ]);
    const run = await check(["-f", file]);
    expect(failing(run.report)).toEqual([["secret.CERT", "fail"]]);
    expect(checkById(run.report, "secret.CERT")?.reason).toMatch(/^The token may not request pki\/issue\/other \(role deploy\)/);
    expect(checkById(run.report, "secret.CERT")?.reason).not.toMatch(/\bread\b/);
  });

  it("an untrusted CA: the hint is about ca-cert only", async () => {
    const run = await check(["-s", "secret/app/db password | DB", "--timeout", "5s"], { url: tls.url });
    expect(run.result.code).toBe(1);
    expect(failing(run.report)).toEqual([["vault.health", "fail"]]);
    const reason = checkById(run.report, "vault.health")?.reason ?? "";
    expect(reason).toMatch(
      /^The TLS certificate of https:\/\/127\.0\.0\.1:\d+ is not trusted \([A-Z_]+\): set ca-cert \(input ca-cert, --ca-cert or VAULT_CACERT\)/,
    );
    expect(reason).not.toMatch(/network|proxy/i);
    expect(checkById(run.report, "login")?.status).toBe("skip");
  });

  it("`required: false` is explained in the form the secret was written in", async () => {
    const inline = await check(["-s", "secret/app/nope x | X"]);
    expect(checkById(inline.report, "secret.X")?.reason).toMatch(
      /or make it optional in a manifest: the secrets input has no marker for that, so move the entry into the manifest \(the manifest input, or --manifest\) as a mapping with `required: false`\.$/,
    );
    const file = manifest(["secrets:", "  - { path: secret/app/nope, key: x, name: X }"]);
    const mapped = await check(["-f", file]);
    expect(checkById(mapped.report, "secret.X")?.reason).toMatch(/or set `required: false` on \S+vaultgate\.yml secrets\[0\]\.$/);
  });
});

describe("one audience rule", () => {
  it("check fails identity.token with both audiences named, and does not log in", async () => {
    const run = await check(["-s", "secret/app/db password | DB", "--audience", "https://other.example"]);
    expect(run.result.code).toBe(1);
    expect(failing(run.report)).toEqual([["identity.token", "fail"]]);
    expect(checkById(run.report, "identity.token")?.reason).toMatch(
      /^The ID token's audience is "https:\/\/vault\.vaultgate\.test", not the configured audience "https:\/\/other\.example"/,
    );
    expect(checkById(run.report, "login")?.status).toBe("skip");
  });
});
