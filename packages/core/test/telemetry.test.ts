// Telemetry without a collector: when the OTEL_* variables turn it on and what they
// mean, the one attribute allow-list, the CI resource attributes, and how the run's
// events become vault calls (attempts, retries, outcomes). The export itself is proven
// against a real Jaeger in test/integration/telemetry.test.ts.
import { describe, expect, it } from "vitest";
import { ALLOWED_ATTRIBUTES, allowed, ciAttributes, telemetrySettings, type RunEvent } from "@vaultgate/core";
import { CallLog, operationOf } from "../src/telemetry/calls.js";

function settings(env: Record<string, string>) {
  const warnings: string[] = [];
  return { settings: telemetrySettings(env, (m) => warnings.push(m)), warnings };
}

describe("telemetry settings", () => {
  it("is off without an OTLP endpoint, or with OTEL_SDK_DISABLED", () => {
    expect(settings({}).settings).toBeUndefined();
    expect(
      settings({ OTEL_SERVICE_NAME: "x", TRACEPARENT: "00-" + "1".repeat(32) + "-" + "2".repeat(16) + "-01" }).settings,
    ).toBeUndefined();
    expect(
      settings({ OTEL_EXPORTER_OTLP_ENDPOINT: "http://127.0.0.1:4318", OTEL_SDK_DISABLED: "true" }).settings,
    ).toBeUndefined();
  });

  it("reads the endpoint, protocol, headers, service, resource and timeout the standard way", () => {
    const { settings: s, warnings } = settings({
      OTEL_EXPORTER_OTLP_ENDPOINT: "https://otel.example.test:4318/",
      OTEL_EXPORTER_OTLP_PROTOCOL: "http/json",
      OTEL_EXPORTER_OTLP_HEADERS: "authorization=Bearer%20abc,x-tenant=ci",
      OTEL_EXPORTER_OTLP_METRICS_ENDPOINT: "http://127.0.0.1:9999/custom",
      OTEL_SERVICE_NAME: "deploys",
      OTEL_RESOURCE_ATTRIBUTES: "deployment.environment.name=prod,team=payments",
      OTEL_EXPORTER_OTLP_TIMEOUT: "1500",
      TRACEPARENT: "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",
    });
    expect(warnings).toEqual([]);
    expect(s?.traces).toEqual({
      url: "https://otel.example.test:4318/v1/traces",
      protocol: "http/json",
      headers: { authorization: "Bearer abc", "x-tenant": "ci" },
    });
    expect(s?.metrics?.url).toBe("http://127.0.0.1:9999/custom");
    expect(s?.serviceName).toBe("deploys");
    expect(s?.resource).toEqual({ "deployment.environment.name": "prod", team: "payments" });
    expect(s?.timeoutMs).toBe(1500);
    expect(s?.traceparent).toBe("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01");
  });

  it("defaults to http/protobuf, the service name vaultgate and a 2 s bound; a signal can be turned off", () => {
    const { settings: s } = settings({ OTEL_EXPORTER_OTLP_ENDPOINT: "http://127.0.0.1:4318", OTEL_METRICS_EXPORTER: "none" });
    expect(s?.traces?.protocol).toBe("http/protobuf");
    expect(s?.metrics).toBeUndefined();
    expect(s?.serviceName).toBe("vaultgate");
    expect(s?.timeoutMs).toBe(2000);
  });

  it("turns itself off with one warning for what it cannot honour, never failing", () => {
    for (const [env, pattern] of [
      [{ OTEL_EXPORTER_OTLP_PROTOCOL: "grpc" }, /grpc is not supported/],
      [{ OTEL_EXPORTER_OTLP_ENDPOINT: "http://user:pw@127.0.0.1:4318" }, /must not hold a user or password/],
      [{ OTEL_EXPORTER_OTLP_ENDPOINT: "not a url" }, /is not a URL/],
      [{ OTEL_EXPORTER_OTLP_HEADERS: "novalue" }, /key=value pairs/],
      [{ OTEL_EXPORTER_OTLP_TIMEOUT: "soon" }, /positive number of milliseconds/],
      [{ OTEL_TRACES_EXPORTER: "zipkin" }, /zipkin is not supported/],
    ] as const) {
      const { settings: s, warnings } = settings({ OTEL_EXPORTER_OTLP_ENDPOINT: "http://127.0.0.1:4318", ...env });
      expect(s).toBeUndefined();
      expect(warnings).toHaveLength(1);
      expect(warnings[0]).toMatch(pattern);
      expect(warnings[0]).not.toContain("pw@");
    }
  });
});

describe("the attribute allow-list", () => {
  it("drops every name that is not listed, empty values and non-finite numbers", () => {
    expect(
      allowed({
        "vaultgate.secret.path": "secret/app",
        "vaultgate.token": "hvs.secret",
        jwt: "eyJ...",
        "http.request.header.authorization": "Bearer x",
        "vaultgate.exit_code": Number.NaN,
        "vaultgate.auth.role": "",
        "vaultgate.check.required": true,
      }),
    ).toEqual({ "vaultgate.secret.path": "secret/app", "vaultgate.check.required": true });
    for (const name of ALLOWED_ATTRIBUTES) expect(name).not.toMatch(/token$|secret$|password|jwt|header|value/i);
  });

  it("describes the pipeline from each CI system's variables, without userinfo in URLs", () => {
    expect(
      ciAttributes("github", {
        GITHUB_SERVER_URL: "https://github.com",
        GITHUB_REPOSITORY: "acme/app",
        GITHUB_RUN_ID: "42",
        GITHUB_WORKFLOW: "deploy",
        GITHUB_JOB: "prod",
        GITHUB_REF_NAME: "main",
        GITHUB_SHA: "abc123",
      }),
    ).toEqual({
      "vaultgate.platform": "github",
      "cicd.pipeline.name": "deploy",
      "cicd.pipeline.run.id": "42",
      "cicd.pipeline.run.url.full": "https://github.com/acme/app/actions/runs/42",
      "cicd.pipeline.task.name": "prod",
      "vcs.provider.name": "github",
      "vcs.repository.url.full": "https://github.com/acme/app",
      "vcs.ref.head.name": "main",
      "vcs.ref.head.revision": "abc123",
    });
    const gitlab = ciAttributes("gitlab", {
      CI_PROJECT_PATH: "acme/app",
      CI_PIPELINE_ID: "7",
      CI_JOB_NAME: "deploy",
      CI_PROJECT_URL: "https://gitlab.example.test/acme/app",
      CI_COMMIT_REF_NAME: "main",
    });
    expect(gitlab["cicd.pipeline.name"]).toBe("acme/app");
    expect(gitlab["cicd.pipeline.task.name"]).toBe("deploy");
    expect(gitlab["vcs.repository.url.full"]).toBe("https://gitlab.example.test/acme/app");
    const jenkins = ciAttributes("jenkins", {
      JOB_NAME: "app/main",
      BUILD_NUMBER: "12",
      BUILD_URL: "https://ci.example.test/job/app/12/",
      STAGE_NAME: "Deploy",
      GIT_URL: "https://bot:ghp_secret@git.example.test/acme/app.git?x=1",
      BRANCH_NAME: "main",
    });
    expect(jenkins["vcs.repository.url.full"]).toBe("https://git.example.test/acme/app.git");
    expect(JSON.stringify(jenkins)).not.toContain("ghp_secret");
    expect(jenkins["cicd.pipeline.task.name"]).toBe("Deploy");
  });
});

describe("vault calls from the run's events", () => {
  let at = 1000;
  const ev = (e: Record<string, unknown>): RunEvent => ({ ...e, at: (at += 10) }) as unknown as RunEvent;
  const request = (method: string, path: string, status: number | undefined, attempt: number, error?: string) =>
    ev({ type: "request", request: { method, path, status, ms: 5, attempt, error } });

  it("names calls by operation", () => {
    expect(operationOf("auth/jwt-gitlab/login")).toBe("login");
    expect(operationOf("auth/kubernetes/login")).toBe("login");
    expect(operationOf("sys/internal/ui/mounts/secret/app")).toBe("mount");
    expect(operationOf("secret/data/app")).toBe("read");
    expect(operationOf("sys/leases/revoke")).toBe("revoke");
    expect(operationOf("auth/token/renew-self")).toBe("renew");
  });

  it("joins a request's attempts into one call with its retries, and gives each outcome to its call", () => {
    const log = new CallLog();
    log.add(request("POST", "auth/jwt/login", 200, 1));
    log.add(request("GET", "secret/data/app", 503, 1));
    log.add(ev({ type: "retry", retry: { path: "secret/data/app", attempt: 1, delayMs: 80, reason: "HTTP 503" } }));
    log.add(request("GET", "secret/data/app", 200, 2));
    log.add(ev({ type: "read", path: "secret/app", apiPath: "secret/data/app", kv: 2, leased: false, ms: 100, outcome: "ok" }));
    log.add(request("PUT", "sys/leases/revoke", 403, 1));
    log.add(request("POST", "auth/token/revoke-self", 204, 1));
    log.add(ev({ type: "revocation", kind: "lease", outcome: "with-token" }));
    log.add(ev({ type: "revocation", kind: "token", outcome: "revoked" }));
    log.add(ev({ type: "revocation", kind: "token", outcome: "kept" }));

    expect(log.calls.map((c) => [c.operation, c.attempts, c.status])).toEqual([
      ["login", 1, 200],
      ["read", 2, 200],
      ["revoke", 1, 403],
      ["revoke", 1, 204],
    ]);
    const read = log.calls[1]!;
    expect(read.retries).toHaveLength(1);
    expect(read.retries[0]!.attrs).toEqual({ "vaultgate.retry.attempt": 2, "vaultgate.retry.delay_ms": 80, "error.type": "503" });
    expect(read.attrs).toMatchObject({ "vaultgate.secret.path": "secret/app", "vaultgate.secret.kv_version": 2 });
    expect(log.calls[2]!.attrs).toEqual({ "vaultgate.lease.kind": "lease", "vaultgate.outcome": "with-token" });
    expect(log.calls[3]!.attrs).toEqual({ "vaultgate.lease.kind": "token", "vaultgate.outcome": "revoked" });
    expect(log.unmatched.map((e) => e.type)).toEqual(["revocation"]);
  });
});
