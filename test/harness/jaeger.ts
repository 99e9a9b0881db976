/**
 * jaeger — a real Jaeger v2 (an OpenTelemetry Collector distribution) for the telemetry
 * suites, built once from the Go module proxy (test/servers/build-jaeger.sh) and started
 * on free loopback ports with its own config file. One OTLP/HTTP receiver feeds two
 * pipelines: traces into Jaeger's in-memory storage (read back through the query API)
 * and metrics into a Prometheus exporter (read back by scraping it); both also go to the
 * debug exporter, whose detailed log is everything the server received, decoded.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ensureTool } from "./github-tools.js";
import { freePort } from "./ports.js";
import { stopProcess } from "./processes.js";

/** Jaeger is a running server. */
export interface Jaeger {
  /** The OTLP/HTTP base URL: set it as OTEL_EXPORTER_OTLP_ENDPOINT. */
  otlp: string;
  /** The query API base URL (GET /api/traces?service=…, /api/traces/<id>). */
  query: string;
  /** The Prometheus exporter's scrape URL (the metrics it received). */
  metrics: string;
  /** The server's log so far, with the debug exporter's view of every received batch. */
  log(): string;
  stop(): Promise<void>;
}

/** JaegerSpan is a span as the query API returns it. */
export interface JaegerSpan {
  traceID: string;
  spanID: string;
  operationName: string;
  references: { refType: string; traceID: string; spanID: string }[];
  startTime: number;
  duration: number;
  tags: { key: string; value: unknown }[];
  logs: { timestamp: number; fields: { key: string; value: unknown }[] }[];
  processID: string;
}

/** JaegerTrace is a trace as the query API returns it. */
export interface JaegerTrace {
  traceID: string;
  spans: JaegerSpan[];
  processes: Record<string, { serviceName: string; tags: { key: string; value: unknown }[] }>;
}

function config(ports: { otlp: number; query: number; grpc: number; health: number; prom: number }): string {
  return `service:
  extensions: [jaeger_storage, jaeger_query, healthcheckv2]
  pipelines:
    traces:
      receivers: [otlp]
      exporters: [jaeger_storage_exporter, debug]
    metrics:
      receivers: [otlp]
      exporters: [prometheus, debug]
  telemetry:
    metrics:
      level: none
    logs:
      level: info
extensions:
  healthcheckv2:
    use_v2: true
    http:
      endpoint: 127.0.0.1:${ports.health}
  jaeger_storage:
    backends:
      memstore:
        memory:
          max_traces: 10000
  jaeger_query:
    storage:
      traces: memstore
    http:
      endpoint: 127.0.0.1:${ports.query}
    grpc:
      endpoint: 127.0.0.1:${ports.grpc}
receivers:
  otlp:
    protocols:
      http:
        endpoint: 127.0.0.1:${ports.otlp}
exporters:
  jaeger_storage_exporter:
    trace_storage: memstore
  debug:
    verbosity: detailed
  prometheus:
    endpoint: 127.0.0.1:${ports.prom}
    resource_to_telemetry_conversion:
      enabled: true
`;
}

/** startJaeger builds (once) and starts Jaeger; fails when it cannot be built or does not come up. */
export async function startJaeger(): Promise<Jaeger> {
  const bin = await ensureTool("jaeger");
  const dir = mkdtempSync(join(tmpdir(), "vaultgate-jaeger-"));
  const ports = {
    otlp: await freePort(),
    query: await freePort(),
    grpc: await freePort(),
    health: await freePort(),
    prom: await freePort(),
  };
  writeFileSync(join(dir, "config.yaml"), config(ports));
  const logFile = join(dir, "jaeger.log");
  const out = openSync(logFile, "a");
  const child: ChildProcess = spawn(bin, ["--config", join(dir, "config.yaml")], { stdio: ["ignore", out, out] });
  const jaeger: Jaeger = {
    otlp: `http://127.0.0.1:${ports.otlp}`,
    query: `http://127.0.0.1:${ports.query}`,
    metrics: `http://127.0.0.1:${ports.prom}/metrics`,
    log: () => readFileSync(logFile, "utf8"),
    stop: async () => {
      await stopProcess(child);
      rmSync(dir, { recursive: true, force: true });
    },
  };
  const until = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`Jaeger exited with ${child.exitCode}:\n${jaeger.log().slice(-3000)}`);
    if ((await ok(`${jaeger.query}/api/services`)) && (await ok(`http://127.0.0.1:${ports.health}/status`))) return jaeger;
    if (Date.now() > until) {
      await jaeger.stop();
      throw new Error("Jaeger did not come up within 60 s");
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function ok(url: string): Promise<boolean> {
  try {
    return (await fetch(url, { signal: AbortSignal.timeout(2000) })).ok;
  } catch {
    return false;
  }
}

/** findTraces returns the traces of `service`, waiting (bounded) until `until` holds for them. */
export async function findTraces(
  jaeger: Jaeger,
  service: string,
  until: (traces: JaegerTrace[]) => boolean,
  timeoutMs = 15_000,
): Promise<JaegerTrace[]> {
  const deadline = Date.now() + timeoutMs;
  let traces: JaegerTrace[] = [];
  while (Date.now() < deadline) {
    const res = await fetch(`${jaeger.query}/api/traces?service=${encodeURIComponent(service)}&limit=50&lookback=1h`);
    if (res.ok) {
      traces = ((await res.json()) as { data: JaegerTrace[] | null }).data ?? [];
      if (until(traces)) return traces;
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`Jaeger has no matching traces of ${service} after ${timeoutMs} ms: ${JSON.stringify(traces).slice(0, 2000)}`);
}

/** scrapeMetrics returns the Prometheus samples whose line mentions `service`, waiting (bounded) until `until` holds. */
export async function scrapeMetrics(
  jaeger: Jaeger,
  service: string,
  until: (lines: string[]) => boolean,
  timeoutMs = 15_000,
): Promise<string[]> {
  const deadline = Date.now() + timeoutMs;
  let lines: string[] = [];
  while (Date.now() < deadline) {
    const res = await fetch(jaeger.metrics).catch(() => undefined);
    if (res?.ok) {
      lines = (await res.text()).split("\n").filter((l) => !l.startsWith("#") && l.includes(`"${service}"`));
      if (until(lines)) return lines;
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`no matching metrics of ${service} after ${timeoutMs} ms:\n${lines.join("\n").slice(0, 3000)}`);
}

/** tag returns a span's (or process's) tag value. */
export function tag(tags: { key: string; value: unknown }[], key: string): unknown {
  return tags.find((t) => t.key === key)?.value;
}
