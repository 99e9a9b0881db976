// `vaultgate check` against the real OpenBao: a seeded corpus of broken setups, each
// caught with the right reason; a healthy setup passes; no value ever appears in
// stdout, stderr or any report.
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import type { CheckReport } from "@vaultgate/core";
import {
  baseEnv,
  checkCli,
  ensureOpenBao,
  randomSecret,
  runCli,
  startOpenBao,
  VaultAdmin,
  type CheckCliOptions,
  type CliResult,
  type OpenBaoServer,
} from "@vaultgate/test-harness";

const vault = inject("vault");
const admin = new VaultAdmin(vault.addr, vault.rootToken);
const deletedValue = randomSecret();

interface Run {
  result: CliResult;
  report: CheckReport;
  files: string[];
}

async function check(args: string[], opts: Omit<CheckCliOptions, "secrets"> = {}): Promise<Run> {
  const run = await checkCli(vault, args, { ...opts, secrets: [deletedValue] });
  // In every case: no secret value and no token in any output, no stack trace, a valid report.
  expect(run.problems).toEqual([]);
  return { result: run.result, report: run.report, files: [run.files.json, run.files.markdown, run.files.junit] };
}

function manifest(lines: string[]): string {
  const file = join(mkdtempSync(join(tmpdir(), "vaultgate-check-")), "vaultgate.yml");
  writeFileSync(file, `${lines.join("\n")}\n`);
  return file;
}

const byId = (report: CheckReport, id: string) => report.checks.find((c) => c.id === id);
const healthySecrets = [
  "-s",
  "secret/app/db password | DB_PASSWORD",
  "-s",
  "secret/app/api token | API_TOKEN",
  "-s",
  "kv1/app/legacy password | LEGACY",
  "-s",
  "secret/app/cert *",
];

beforeAll(async () => {
  await admin.putKv2("secret", "app/deleted", { value: deletedValue });
  await admin.call("DELETE", "secret/data/app/deleted");
});

describe("vaultgate check: a healthy setup", () => {
  it("passes every check, writes all three reports, and revokes its token", async () => {
    const { result, report, files } = await check([...healthySecrets, "--min-ttl", "2m", "--audience", vault.audience]);
    expect(result.code).toBe(0);
    expect(report.ok).toBe(true);
    expect(report.summary.fail).toBe(0);
    expect(report.checks.map((c) => [c.id, c.status])).toEqual([
      ["identity.token", "pass"],
      ["vault.health", "pass"],
      ["login", "pass"],
      ["token.ttl", "pass"],
      ["secret.DB_PASSWORD", "pass"],
      ["secret.API_TOKEN", "pass"],
      ["secret.LEGACY", "pass"],
      ["secret.secret/app/cert *", "pass"],
      ["budget", "pass"],
    ]);
    expect(report.identity.claims.project_path).toBe("acme/app");
    expect(result.stdout).toContain("vaultgate check PASSED");
    expect(readFileSync(files[1]!, "utf8")).toContain("✅ vaultgate check passed");
    const junit = readFileSync(files[2]!, "utf8");
    expect(junit).toContain('<testsuites name="vaultgate check" tests="9" failures="0"');
    expect(junit).not.toContain("<failure");
  });

  it("checks a dynamic engine's policy, and issues then revokes a credential only when asked", async () => {
    const file = manifest([
      "secrets:",
      "  - path: pki/issue/app",
      "    key: certificate",
      "    name: TLS_CERT",
      "    method: POST",
      "    params: { common_name: check.example.com, ttl: 10m }",
    ]);
    const policyOnly = await check(["-f", file]);
    expect(byId(policyOnly.report, "secret.TLS_CERT")?.reason).toMatch(/allows update on pki\/issue\/app; no credential issued/);
    const issued = await check(["-f", file, "--issue-dynamic", "--min-ttl", "5m"]);
    expect(issued.report.ok).toBe(true);
    expect(byId(issued.report, "secret.TLS_CERT")?.reason).toMatch(/Issued on request, lease (9m5\ds|10m), revoked at once/);
    const tooShort = await check(["-f", file, "--issue-dynamic", "--min-ttl", "30m"]);
    expect(byId(tooShort.report, "secret.TLS_CERT")?.reason).toMatch(/lease lasts (9m5\ds|10m), shorter than the deploy \(30m\)/);
  });

  it("with a token it did not create, says plainly that an issued lease it cannot revoke stays alive", async () => {
    const file = manifest([
      "secrets:",
      "  - path: pki/issue/app",
      "    key: certificate",
      "    name: TLS_CERT",
      "    method: POST",
      "    params: { common_name: check.example.com, ttl: 10m }",
    ]);
    const dir = mkdtempSync(join(tmpdir(), "vaultgate-check-token-"));
    const run = async (policy: string) => {
      const created = await admin.call("POST", "auth/token/create", { policies: [policy], ttl: "10m" });
      const token = (created.auth as { client_token: string }).client_token;
      const path = join(dir, `${policy}.json`);
      const env = baseEnv({ VAULT_ADDR: vault.addr, VAULT_TOKEN: token });
      const result = await runCli(["check", "--method", "token", "-f", file, "--issue-dynamic", "--report", path], env);
      for (const text of [result.stdout, result.stderr, readFileSync(path, "utf8")]) {
        expect(text.includes(token), "the token leaked").toBe(false);
        expect(text).not.toMatch(/\n\s+at /);
      }
      return { result, token, report: JSON.parse(readFileSync(path, "utf8")) as CheckReport };
    };
    // Without sys/leases/revoke: the lease outlives the check, and the report and stderr say so.
    const plain = await run("app-plain");
    const kept = byId(plain.report, "secret.TLS_CERT");
    expect(kept?.status).toBe("warn");
    expect(kept?.details.reason).toBe("secret.lease-left");
    expect(kept?.reason).toMatch(
      /^Issued on request, but the lease \S+ was NOT revoked \(HTTP 403: the token may not update sys\/leases\/revoke\): .*vault lease revoke \S+\.$/,
    );
    expect(plain.result.stderr).toMatch(/warning: the lease \S+ that --issue-dynamic obtained was NOT revoked/);
    const leaseId = /the lease (\S+) was NOT revoked/.exec(kept?.reason ?? "")?.[1] ?? "";
    expect(await admin.leaseExists(leaseId)).toBe(true);
    expect(await admin.tokenWorks(plain.token)).toBe(true); // the user's token is never revoked
    // With it: revoked at once, explicitly.
    const allowed = await run("app-read");
    const revoked = byId(allowed.report, "secret.TLS_CERT");
    expect(revoked?.status).toBe("pass");
    expect(revoked?.reason).toMatch(/revoked at once/);
  });
});

describe("vaultgate check: the corpus of broken setups", () => {
  const cases: [string, string[], Omit<CheckCliOptions, "secrets">, string, RegExp][] = [
    ["missing secret", ["-s", "secret/app/nope password | X"], {}, "secret.X", /Secret not found: secret\/app\/nope/],
    [
      "missing key in a present secret",
      ["-s", "secret/app/db passwd | X"],
      {},
      "secret.X",
      /The key "passwd" is missing from secret\/app\/db; it has: password, username/,
    ],
    [
      "denied path",
      ["-s", "secret/restricted/root token | X"],
      {},
      "secret.X",
      /may not read secret\/data\/restricted\/root \(role deploy\) — denied, or no such path: check the path and the role's policy/,
    ],
    [
      "deleted KV version",
      ["-s", "secret/app/deleted value | X"],
      {},
      "secret.X",
      /current version was deleted at .*Undelete it/,
    ],
    [
      "wrong audience",
      [...healthySecrets, "--audience", vault.audience],
      { aud: "https://gitlab.example.com" },
      "identity.token",
      /audience is "https:\/\/gitlab\.example\.com", not the configured audience "https:\/\/vault\.vaultgate\.test"/,
    ],
    [
      "wrong bound claim",
      healthySecrets,
      { claims: { ref: "feature-x" } },
      "login",
      /rejected the jwt login for role "deploy".*Bound-claim mismatch on "ref": the token has ref="feature-x"/s,
    ],
  ];
  it.each(cases)("%s", async (_name, args, opts, id, reason) => {
    const { result, report, files } = await check(args, opts);
    expect(result.code).toBe(1);
    expect(report.ok).toBe(false);
    const failed = byId(report, id);
    expect(failed?.status).toBe("fail");
    expect(failed?.reason).toMatch(reason);
    expect(readFileSync(files[2]!, "utf8")).toMatch(/<failure message="[^"]+" type="required">/);
    expect(result.stdout).toContain("vaultgate check FAILED");
  });

  it("wrong audience also fails the login with the audience explained", async () => {
    const { report } = await check(healthySecrets, { aud: "https://gitlab.example.com" });
    expect(byId(report, "login")?.reason).toMatch(/Audience mismatch/);
    expect(byId(report, "secret.DB_PASSWORD")?.status).toBe("skip");
  });

  it("token TTL shorter than --min-ttl, not reachable by renewal", async () => {
    const { result, report } = await check(["-s", "secret/app/db password", "--min-ttl", "10m", "--role", "deploy"], {});
    expect(result.code).toBe(0); // deploy role: 5 min TTL, renewable to 15 min
    expect(byId(report, "token.ttl")?.status).toBe("warn");
    const short = await check(["--mount", "jwt-gitlab", "-s", "secret/app/db password", "--min-ttl", "1h"], {});
    expect(short.result.code).toBe(1);
    expect(byId(short.report, "token.ttl")?.reason).toMatch(/at most 15m after renewal, shorter than the deploy \(1h\)/);
  });

  it("optional secrets that are missing only warn", async () => {
    const file = manifest([
      "secrets:",
      "  - secret/app/db password",
      "  - path: secret/app/nope",
      "    key: x",
      "    name: MAYBE",
      "    required: false",
    ]);
    const { result, report } = await check(["-f", file], {});
    expect(result.code).toBe(0);
    expect(report.ok).toBe(true);
    expect(byId(report, "secret.MAYBE")).toMatchObject({ status: "warn", required: false });
  });

  it("vault unreachable", async () => {
    const { result, report } = await check([...healthySecrets, "--timeout", "3s"], { url: "http://127.0.0.1:9" });
    expect(result.code).toBe(1);
    expect(byId(report, "vault.health")?.reason).toMatch(/did not answer: .*connection refused by 127\.0\.0\.1:9/);
    expect(byId(report, "login")?.status).toBe("skip");
  });

  describe("vault sealed", () => {
    let sealed: OpenBaoServer;
    beforeAll(async () => {
      sealed = await startOpenBao(await ensureOpenBao(), `root-${randomBytes(8).toString("hex")}`);
      await new VaultAdmin(sealed.addr, sealed.rootToken).call("PUT", "sys/seal");
    });
    afterAll(() => sealed.stop());

    it("is reported as sealed", async () => {
      const { result, report } = await check(healthySecrets, { url: sealed.addr });
      expect(result.code).toBe(1);
      expect(byId(report, "vault.health")?.reason).toMatch(/The vault is sealed.*must unseal it/);
    });
  });

  it("a configuration error exits 2 and still writes a report", async () => {
    const { result, report } = await check(["-s", "secret/app/db password | 1BAD"], {});
    expect(result.code).toBe(2);
    expect(report.checks[0]).toMatchObject({ id: "config", status: "fail" });
    expect(report.checks[0]?.reason).toContain('Invalid name "1BAD"');
  });
});
