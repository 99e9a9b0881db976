// actions/check run from its committed dist/ as the GitHub runner runs it, against the
// real OpenBao: the job summary table, one annotation per failing check, the outputs
// `ok` and `report`, the exit code — on a healthy and on a broken setup — and never a
// secret value anywhere.
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import type { CheckReport } from "@vaultgate/core";
import { runCheckAction, startGitHubOidc, type GitHubOidcServer, type StepOptions, type StepRun } from "@vaultgate/test-harness";

const vault = inject("vault");
let oidc: GitHubOidcServer;

beforeAll(async () => {
  oidc = await startGitHubOidc(vault.issuers.github);
});
afterAll(() => oidc.close());

interface CheckRun {
  run: StepRun;
  report: CheckReport;
}

async function check(options: StepOptions): Promise<CheckRun> {
  const { run, report, problems } = await runCheckAction(oidc, options, Object.values(vault.values));
  // Never a value: not in the log, the summary, the outputs or the report; no stack trace.
  expect(problems).toEqual([]);
  return { run, report };
}

const connection = { url: vault.addr, role: "deploy", audience: vault.audience };
const annotations = (run: StepRun, name: string) => run.commands.filter((c) => c.name === name);

describe("actions/check from dist/", () => {
  it("passes a healthy setup: summary table, ok=true, no annotations, exit 0", async () => {
    const { run, report } = await check({
      inputs: {
        ...connection,
        "min-ttl": "2m",
        secrets: "secret/data/app/db password | DB_PASSWORD\nsecret/app/api token | API_TOKEN\nkv1/app/legacy password | LEGACY",
      },
    });
    expect(run.code, run.stdout).toBe(0);
    expect(run.outputs.ok).toBe("true");
    expect(run.outputs.report).toMatch(/\/temp\/vaultgate-check-[0-9a-f]{12}\.json$/);
    expect(report.ok).toBe(true);
    expect(report.identity.claims.repository).toBe("acme/app");
    expect(run.files.summary).toContain("### ✅ vaultgate check passed");
    expect(run.files.summary).toContain("| | Check | Result |");
    expect(run.files.summary).toMatch(
      /\| ✅ \| Secret DB_PASSWORD \(secret\/data\/app\/db password\) \| Readable \(version 1\)\. \|/,
    );
    expect(annotations(run, "error")).toEqual([]);
    expect(annotations(run, "warning")).toEqual([]);
    expect(run.stdout).toContain("vaultgate check passed: 8 passed, 0 warning(s).");
  });

  it("fails a broken setup: one error annotation per failing check, ok=false, exit 1", async () => {
    const { run, report } = await check({
      inputs: {
        ...connection,
        "min-ttl": "1h",
        secrets: [
          "secret/data/app/db password | DB_PASSWORD",
          "secret/data/app/nope password | MISSING",
          "secret/data/restricted/root token | DENIED",
          "secret/data/app/db passwd | TYPO",
        ].join("\n"),
      },
    });
    expect(run.code).toBe(1);
    expect(run.outputs.ok).toBe("false");
    const failing = report.checks.filter((c) => c.status === "fail");
    expect(failing.map((c) => c.id)).toEqual(["token.ttl", "secret.MISSING", "secret.DENIED", "secret.TYPO"]);
    expect(annotations(run, "error")).toEqual(
      failing.map((c) => ({ name: "error", properties: { title: `vaultgate check: ${c.title}` }, message: c.reason })),
    );
    expect(annotations(run, "error")[1]?.message).toMatch(/^Secret not found: secret\/data\/app\/nope/);
    expect(annotations(run, "error")[2]?.message).toMatch(
      /may not read secret\/data\/restricted\/root \(role deploy\) — denied, or no such path/,
    );
    expect(run.files.summary).toContain("### ❌ vaultgate check failed");
    expect(run.files.summary).toMatch(/\| ❌ \| Secret MISSING/);
    expect(run.stdout).toContain("vaultgate check failed: 4 required check(s) failed (Token TTL covers the deploy (1h); ");
  });

  it("fails on a missing id-token permission, with the fix in the annotation and the summary", async () => {
    const { run, report } = await check({
      inputs: { ...connection, secrets: "secret/data/app/db password | DB_PASSWORD" },
      env: { ACTIONS_ID_TOKEN_REQUEST_URL: undefined, ACTIONS_ID_TOKEN_REQUEST_TOKEN: undefined },
    });
    expect(run.code).toBe(1);
    expect(report.checks.find((c) => c.id === "identity.token")?.reason).toContain(
      "Add `permissions: id-token: write` to the job",
    );
    expect(annotations(run, "error")[0]?.message).toMatch(
      /^GitHub did not give this job an OIDC token.*permissions: id-token: write/s,
    );
    expect(run.files.summary).toContain("permissions: id-token: write");
  });

  it("reports a configuration error as a failing check with a report", async () => {
    const { run, report } = await check({ inputs: { ...connection, tlsSkipVerify: "maybe", secrets: "secret/app/db password" } });
    expect(run.code).toBe(1);
    expect(run.outputs.ok).toBe("false");
    expect(report.checks.map((c) => [c.id, c.status])).toEqual([["config", "fail"]]);
    expect(annotations(run, "error")[0]?.message).toMatch(/tls-skip-verify must be true or false, got "maybe"/);
  });
});
