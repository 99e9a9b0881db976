/**
 * telemetry/otel — the OpenTelemetry SDK behind a run with telemetry on: a tracer and a
 * meter provider exporting OTLP over HTTP (protobuf or JSON), subscribed to the run's
 * events. The end of the run flushes both within the bound (telemetry/settings.ts);
 * an export that fails or takes longer is one warning line and changes nothing else.
 * This module is imported only when telemetry is configured (telemetry/index.ts).
 */
import { ExportResultCode, type ExportResult } from "@opentelemetry/core";
import { OTLPMetricExporter as JsonMetricExporter } from "@opentelemetry/exporter-metrics-otlp-http";
import { OTLPMetricExporter as ProtoMetricExporter } from "@opentelemetry/exporter-metrics-otlp-proto";
import { OTLPTraceExporter as JsonTraceExporter } from "@opentelemetry/exporter-trace-otlp-http";
import { OTLPTraceExporter as ProtoTraceExporter } from "@opentelemetry/exporter-trace-otlp-proto";
import { resourceFromAttributes } from "@opentelemetry/resources";
import { MeterProvider, PeriodicExportingMetricReader, type PushMetricExporter } from "@opentelemetry/sdk-metrics";
import { BasicTracerProvider, BatchSpanProcessor, type SpanExporter } from "@opentelemetry/sdk-trace-base";
import { VERSION } from "../version.js";
import { allowed, ciAttributes } from "./attributes.js";
import { subscribeRunEvents } from "./events.js";
import type { RunTelemetry, TelemetryOptions } from "./index.js";
import { RunMetrics } from "./metrics.js";
import type { ExportTarget, TelemetrySettings } from "./settings.js";
import { RunTrace } from "./trace.js";

/** startOtel starts the providers and returns the run's telemetry. */
export function startOtel(settings: TelemetrySettings, options: TelemetryOptions): RunTelemetry {
  const failures = new Set<string>();
  const onFailure = (what: string, error: unknown) => failures.add(`${what}: ${describe(error)}`);
  const resource = resourceFromAttributes({
    ...settings.resource,
    ...allowed({ "service.version": VERSION, ...ciAttributes(options.platform, options.env) }),
    ...allowed({ "service.name": settings.serviceName }),
  });
  const timeoutMillis = settings.timeoutMs;

  let tracerProvider: BasicTracerProvider | undefined;
  let run: RunTrace | undefined;
  if (settings.traces) {
    const exporter = watched(traceExporter(settings.traces, timeoutMillis), (e) => onFailure("traces", e));
    tracerProvider = new BasicTracerProvider({
      resource,
      spanProcessors: [new BatchSpanProcessor(exporter, { exportTimeoutMillis: timeoutMillis, maxExportBatchSize: 1024 })],
    });
    run = new RunTrace(tracerProvider.getTracer("vaultgate", VERSION), options.command, settings);
  }
  let meterProvider: MeterProvider | undefined;
  let metrics: RunMetrics | undefined;
  if (settings.metrics) {
    const exporter = watched(metricExporter(settings.metrics, timeoutMillis), (e) => onFailure("metrics", e));
    meterProvider = new MeterProvider({
      resource,
      readers: [
        new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 60_000, exportTimeoutMillis: timeoutMillis }),
      ],
    });
    metrics = new RunMetrics(meterProvider.getMeter("vaultgate", VERSION), options.command);
  }
  const unsubscribe = subscribeRunEvents((event) => {
    run?.add(event);
    metrics?.record(event);
  });

  return {
    enabled: true,
    childEnv: () => run?.childEnv() ?? {},
    childExited: (exitCode) => run?.childExited(exitCode),
    async end(exitCode: number): Promise<void> {
      unsubscribe();
      run?.end(exitCode);
      let timer: NodeJS.Timeout | undefined;
      const flushed = Promise.allSettled([tracerProvider?.shutdown(), meterProvider?.shutdown()]).then((results) => {
        for (const [i, r] of results.entries()) if (r.status === "rejected") onFailure(i === 0 ? "traces" : "metrics", r.reason);
        return true;
      });
      const late = new Promise<false>((resolve) => {
        timer = setTimeout(() => resolve(false), timeoutMillis + 100);
      });
      const inTime = await Promise.race([flushed, late]);
      clearTimeout(timer);
      const target = settings.traces?.url ?? settings.metrics?.url ?? "";
      if (!inTime)
        options.warn(`telemetry: the export to ${origin(target)} took longer than ${timeoutMillis} ms; not waiting for it.`);
      else if (failures.size > 0) options.warn(`telemetry: could not export to ${origin(target)} (${[...failures].join("; ")}).`);
    },
  };
}

function traceExporter(target: ExportTarget, timeoutMillis: number): SpanExporter {
  const config = { url: target.url, headers: target.headers, timeoutMillis };
  return target.protocol === "http/json" ? new JsonTraceExporter(config) : new ProtoTraceExporter(config);
}

function metricExporter(target: ExportTarget, timeoutMillis: number): PushMetricExporter {
  const config = { url: target.url, headers: target.headers, timeoutMillis };
  return target.protocol === "http/json" ? new JsonMetricExporter(config) : new ProtoMetricExporter(config);
}

/** watched reports the exporter's failed exports to `onFailure`. */
function watched<T extends { export(items: never, done: (result: ExportResult) => void): void }>(
  exporter: T,
  onFailure: (error: unknown) => void,
): T {
  const original = exporter.export.bind(exporter) as (items: unknown, done: (result: ExportResult) => void) => void;
  (exporter as unknown as { export: typeof original }).export = (items, done) =>
    original(items, (result) => {
      if (result.code !== ExportResultCode.SUCCESS) onFailure(result.error);
      done(result);
    });
  return exporter;
}

/** describe names an export failure in a few words: a network code or the first line of the message. */
function describe(error: unknown): string {
  const code = (error as { code?: unknown } | undefined)?.code;
  if (typeof code === "string" && code) return code;
  if (typeof code === "number") return `HTTP ${code}`;
  const message = error instanceof Error ? error.message : typeof error === "string" ? error : "unknown error";
  const line = message.split("\n")[0] ?? "";
  return line.length > 120 ? `${line.slice(0, 120)}…` : line;
}

/** origin is the URL's scheme, host and port only. */
function origin(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return "the collector";
  }
}
