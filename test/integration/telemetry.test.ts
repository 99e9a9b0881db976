// Telemetry against a real Jaeger v2 (built from the Go module proxy, harness/jaeger.ts)
// and the real OpenBao: `vaultgate exec` and `vaultgate check` with the OTEL_* variables
// set export one trace per run — read back through Jaeger's query API with its span
// tree, attributes and the incoming TRACEPARENT's trace id — and their metrics, read
// back from the same server's metrics pipeline. Every raw payload the server received
// is searched for secrets. A collector that is down or never answers leaves the exit
// code alone and the run's end late by no more than the documented bound.
import { randomBytes } from "node:crypto";
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import type { AuditRecord } from "@vaultgate/core";
import {
  baseEnv,
  findTraces,
  freePort,
  gitlabJobEnv,
  runCli,
  scrapeMetrics,
  startFaultProxy,
  startGitHubOidc,
  startJaeger,
  tag,
  VaultAdmin,
  type FaultProxy,
  type GitHubOidcServer,
  type Jaeger,
  type JaegerSpan,
  type JaegerTrace,
} from "@vaultgate/test-harness";

const vault = inject("vault");
const admin = new VaultAdmin(vault.addr, vault.rootToken);
const node = process.execPath;
const PRINT_TRACEPARENT = "setTimeout(()=>console.log('child TRACEPARENT='+process.env.TRACEPARENT), Number(process.argv[1]))";

let jaeger: Jaeger;
let tap: FaultProxy;
let oidc: GitHubOidcServer;

beforeAll(async () => {
  jaeger = await startJaeger();
  tap = await startFaultProxy(jaeger.otlp);
  oidc = await startGitHubOidc(vault.issuers.github);
}, 45 * 60_000);

afterAll(async () => {
  await oidc?.close();
  await tap?.close();
  await jaeger?.stop();
});

const hex = (bytes: number) => randomBytes(bytes).toString("hex");
const service = (name: string) => `vaultgate-test-${name}-${hex(4)}`;

function workspace() {
  const dir = mkdtempSync(join(tmpdir(), "vaultgate-otel-"));
  const manifest = join(dir, "vaultgate.yml");
  writeFileSync(
    manifest,
    [
      "auth:",
      "  role: short-ttl",
      `  audience: ${vault.audience}`,
      "secrets:",
      "  - secret/app/db password | DB_PASSWORD",
      "  - secret/app/api token | API_TOKEN",
      "  - path: pki/issue/app",
      "    key: private_key",
      "    name: TLS_KEY",
      "    method: POST",
      "    params: { common_name: deploy.example.com, ttl: 30m }",
      "",
    ].join("\n"),
  );
  // The runner's own files for the step: without them GITHUB_ACTIONS is only a local shell.
  const runner = { RUNNER_TEMP: join(dir, "temp"), GITHUB_OUTPUT: join(dir, "output"), GITHUB_ENV: join(dir, "env") };
  mkdirSync(runner.RUNNER_TEMP);
  for (const file of [runner.GITHUB_OUTPUT, runner.GITHUB_ENV]) writeFileSync(file, "");
  return { dir, manifest, audit: join(dir, "audit.jsonl"), runner };
}

function githubEnv(extra: Record<string, string>) {
  return baseEnv({
    GITHUB_ACTIONS: "true",
    GITHUB_SERVER_URL: "https://github.com",
    GITHUB_REPOSITORY: "acme/app",
    GITHUB_RUN_ID: "4242",
    GITHUB_WORKFLOW: "deploy",
    GITHUB_JOB: "production",
    GITHUB_REF_NAME: "main",
    GITHUB_SHA: "0123456789abcdef0123456789abcdef01234567",
    ...oidc.env,
    VAULT_ADDR: vault.addr,
    ...extra,
  });
}

const byName = (t: JaegerTrace, name: string) => t.spans.filter((s) => s.operationName === name);
const parentOf = (s: JaegerSpan) => s.references.find((r) => r.refType === "CHILD_OF")?.spanID;

/** everythingReceived is every raw payload the tap forwarded, and Jaeger's own decoded view of them. */
function everythingReceived(): string {
  return [...tap.requests.map((r) => r.body?.toString("latin1") ?? ""), jaeger.log()].join("\n");
}

function assertNoSecret(text: string, extra: string[], exported: string) {
  // What was searched holds what the run exported: the raw bodies and the server's decoded view.
  expect(text).toContain(exported);
  expect(tap.requests.filter((r) => r.body?.length).length).toBeGreaterThan(0);
  for (const value of [...Object.values(vault.values), ...extra]) {
    expect(text.includes(value), "a secret, token or JWT was exported").toBe(false);
  }
  expect(text).not.toMatch(/-----BEGIN/);
}

describe("telemetry to a real Jaeger", () => {
  it("exec: one trace joining the incoming TRACEPARENT, the expected spans, the child's TRACEPARENT, the run's metrics", async () => {
    const w = workspace();
    const name = service("exec");
    const traceId = hex(16);
    const parentSpan = hex(8);
    tap.setScript(undefined);
    const env = githubEnv({
      ...w.runner,
      OTEL_EXPORTER_OTLP_ENDPOINT: tap.url,
      OTEL_SERVICE_NAME: name,
      OTEL_RESOURCE_ATTRIBUTES: "deployment.environment.name=test",
      TRACEPARENT: `00-${traceId}-${parentSpan}-01`,
      TRACESTATE: "vendor=abc",
    });
    // The token's TTL is 5 s: it is renewed once while the command sleeps 4.5 s.
    const result = await runCli(
      ["exec", "-f", w.manifest, "--audit", w.audit, "--", node, "-e", PRINT_TRACEPARENT, "4500"],
      env,
      {
        timeoutMs: 60_000,
      },
    );
    expect(result.stderr).not.toMatch(/telemetry/);
    expect(result.code).toBe(0);
    const record = JSON.parse(readFileSync(w.audit, "utf8").trim()) as AuditRecord;

    const [trace] = await findTraces(jaeger, name, (ts) => ts.some((t) => t.spans.length >= 9));
    expect(trace!.traceID).toBe(traceId);
    const [root] = byName(trace!, "vaultgate exec");
    expect(parentOf(root!)).toBe(parentSpan);
    expect(tag(root!.tags, "vaultgate.run.id")).toBe(record.runId);
    expect(tag(root!.tags, "vaultgate.token.accessor")).toBe(record.identity?.accessor);
    expect(tag(root!.tags, "vaultgate.auth.role")).toBe("short-ttl");
    expect(tag(root!.tags, "vaultgate.exit_code")).toBe(0);

    const names = trace!.spans.map((s) => s.operationName).sort();
    for (const expected of [
      "id-token",
      "vault login",
      "vault mount",
      "vault read",
      "vault renew",
      "vault revoke",
      "exec command",
    ])
      expect(names, `span ${expected}`).toContain(expected);
    for (const span of trace!.spans.filter((s) => s !== root)) expect(parentOf(span), span.operationName).toBe(root!.spanID);
    expect(tag(byName(trace!, "id-token")[0]!.tags, "vaultgate.id_token.source")).toBe("github");
    const reads = byName(trace!, "vault read");
    expect(reads.map((s) => tag(s.tags, "vaultgate.secret.path")).sort()).toEqual([
      "pki/issue/app",
      "secret/app/api",
      "secret/app/db",
    ]);
    expect(
      tag(reads.find((s) => tag(s.tags, "vaultgate.secret.path") === "secret/app/db")!.tags, "vaultgate.secret.kv_version"),
    ).toBe(2);
    const revokes = byName(trace!, "vault revoke").map(
      (s) => `${String(tag(s.tags, "vaultgate.lease.kind"))} ${String(tag(s.tags, "vaultgate.outcome"))}`,
    );
    // The token goes first and takes its lease with it: an event on the run, not a request.
    expect(revokes).toEqual(["token revoked"]);
    const revocationEvents = root!.logs.map(
      (l) => `${String(tag(l.fields, "vaultgate.lease.kind"))} ${String(tag(l.fields, "vaultgate.outcome"))}`,
    );
    expect(revocationEvents).toEqual(["lease with-token"]);
    expect(tag(byName(trace!, "vault renew")[0]!.tags, "vaultgate.outcome")).toBe("ok");

    // The command ran under the "exec command" span of the same trace.
    const command = byName(trace!, "exec command")[0]!;
    expect(result.stdout).toContain(`child TRACEPARENT=00-${traceId}-${command.spanID}-01`);

    const processTags = trace!.processes[root!.processID]!.tags;
    expect(tag(processTags, "cicd.pipeline.name")).toBe("deploy");
    expect(tag(processTags, "cicd.pipeline.run.id")).toBe("4242");
    expect(tag(processTags, "cicd.pipeline.task.name")).toBe("production");
    expect(tag(processTags, "vcs.repository.url.full")).toBe("https://github.com/acme/app");
    expect(tag(processTags, "vcs.ref.head.name")).toBe("main");
    expect(tag(processTags, "deployment.environment.name")).toBe("test");

    const metrics = await scrapeMetrics(jaeger, name, (lines) => lines.some((l) => l.startsWith("vaultgate_revocations")));
    const sample = (metric: string, ...labels: string[]) =>
      metrics
        .filter((l) => l.startsWith(`${metric}{`) && labels.every((label) => l.includes(label)))
        .reduce((sum, l) => sum + Number(l.split(" ").at(-1)), 0);
    expect(sample("vaultgate_secrets_read_total")).toBe(3);
    expect(sample("vaultgate_secrets_read_total", 'vaultgate_secret_source="vault.kv2"')).toBe(2);
    expect(sample("vaultgate_vault_requests_total", 'vaultgate_vault_operation="login"')).toBe(1);
    expect(sample("vaultgate_vault_requests_total", 'vaultgate_vault_operation="read"')).toBe(3);
    expect(sample("vaultgate_renewals_total", 'vaultgate_outcome="ok"')).toBeGreaterThanOrEqual(1);
    expect(sample("vaultgate_revocations_total", 'vaultgate_outcome="revoked"')).toBe(1);
    expect(sample("vaultgate_revocations_total", 'vaultgate_outcome="with-token"')).toBe(1);
    expect(sample("vaultgate_vault_request_duration_seconds_count")).toBe(record.requests.count);

    assertNoSecret(everythingReceived(), [], "secret/app/db");
    // docs/observability.md renders this trace.
    if (process.env.VAULTGATE_TRACE_DUMP) writeFileSync(process.env.VAULTGATE_TRACE_DUMP, JSON.stringify(trace));
  }, 90_000);

  it("check: one span per gate check, checks counted by status, nothing secret (http/json, a token login)", async () => {
    const name = service("check");
    const token = String(
      ((await admin.call("POST", "auth/token/create", { policies: ["app-read"], ttl: "5m" })).auth as { client_token: string })
        .client_token,
    );
    const dir = mkdtempSync(join(tmpdir(), "vaultgate-otel-check-"));
    const { env, token: jwt } = await gitlabJobEnv(vault, {
      VAULT_TOKEN: token,
      OTEL_EXPORTER_OTLP_ENDPOINT: tap.url,
      OTEL_EXPORTER_OTLP_PROTOCOL: "http/json",
      OTEL_SERVICE_NAME: name,
      CI_PIPELINE_ID: "77",
      CI_JOB_NAME: "gate",
      CI_PROJECT_URL: "https://gitlab.example.test/acme/app",
    });
    tap.setScript(undefined);
    const result = await runCli(
      [
        "check",
        "--method",
        "token",
        "--report",
        join(dir, "report.json"),
        "-s",
        "secret/app/db password",
        "-s",
        "secret/app/missing x",
      ],
      env,
    );
    expect(result.code).toBe(1);
    const [trace] = await findTraces(
      jaeger,
      name,
      (ts) => ts.length === 1 && ts[0]!.spans.some((s) => s.operationName.startsWith("check ")),
    );
    const root = byName(trace!, "vaultgate check")[0]!;
    expect(tag(root.tags, "vaultgate.exit_code")).toBe(1);
    const checks = trace!.spans.filter((s) => s.operationName.startsWith("check "));
    const report = JSON.parse(readFileSync(join(dir, "report.json"), "utf8")) as { checks: { id: string; status: string }[] };
    expect(
      checks.map((s) => `${String(tag(s.tags, "vaultgate.check.id"))} ${String(tag(s.tags, "vaultgate.check.status"))}`).sort(),
    ).toEqual(report.checks.map((c) => `${c.id} ${c.status}`).sort());
    for (const span of checks) expect(parentOf(span)).toBe(root.spanID);
    expect(tag(trace!.processes[root.processID]!.tags, "cicd.pipeline.task.name")).toBe("gate");

    const metrics = await scrapeMetrics(jaeger, name, (lines) => lines.some((l) => l.startsWith("vaultgate_checks_total")));
    const failed = metrics.filter((l) => l.startsWith("vaultgate_checks_total{") && l.includes('vaultgate_check_status="fail"'));
    expect(failed.reduce((sum, l) => sum + Number(l.split(" ").at(-1)), 0)).toBe(
      report.checks.filter((c) => c.status === "fail").length,
    );

    assertNoSecret(everythingReceived(), [token, jwt], "vaultgate.check.status");
  }, 90_000);
});

describe("a collector that is down or never answers", () => {
  async function timedExec(otel: Record<string, string>) {
    const { env } = await gitlabJobEnv(vault, { VAULTGATE_MOUNT: "jwt-gitlab", VAULTGATE_ROLE: "deploy", ...otel });
    const started = Date.now();
    const result = await runCli(
      ["exec", "-s", "secret/app/db password | DB_PASSWORD", "--", node, "-e", "process.exit(7)"],
      env,
      {
        timeoutMs: 60_000,
      },
    );
    return { result, ms: Date.now() - started };
  }

  it("keeps the exit code and ends at most the bound (2 s) later than with a healthy collector, with one warning line", async () => {
    const off = await timedExec({});
    expect(off.result.code).toBe(7);
    expect(off.result.stderr).not.toMatch(/telemetry/);
    tap.setScript(undefined);
    const healthy = await timedExec({ OTEL_EXPORTER_OTLP_ENDPOINT: tap.url, OTEL_SERVICE_NAME: service("healthy") });
    expect(healthy.result.code).toBe(7);
    expect(healthy.result.stderr).not.toMatch(/telemetry/);
    const down = await timedExec({ OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${await freePort()}` });
    tap.setScript(() => ({ kind: "blackhole" }));
    const hole = await timedExec({ OTEL_EXPORTER_OTLP_ENDPOINT: tap.url, OTEL_SERVICE_NAME: service("hole") });
    tap.setScript(undefined);
    for (const run of [down, hole]) {
      expect(run.result.code).toBe(7);
      const warnings = run.result.stderr.split("\n").filter((l) => /telemetry/.test(l));
      expect(warnings, run.result.stderr).toHaveLength(1);
      expect(warnings[0]).toMatch(/could not export|took longer/);
      // Outcome-based and loose on a shared machine: the 2 s bound plus 4 s of slack.
      expect(run.ms - healthy.ms).toBeLessThan(2000 + 4000);
    }
  }, 120_000);
});
