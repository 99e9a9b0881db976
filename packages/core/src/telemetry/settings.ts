/**
 * telemetry/settings — decides from the standard OpenTelemetry environment variables
 * whether a run exports telemetry, and where to. Telemetry is on only when an OTLP
 * endpoint is set; everything here is plain parsing, so a run without telemetry loads
 * no OpenTelemetry code. A setting vaultgate cannot honour turns telemetry off with one
 * warning; it never fails the run.
 */
import type { Env } from "../platform.js";

/** Protocol is the OTLP encoding over HTTP. */
export type Protocol = "http/protobuf" | "http/json";

/** ExportTarget is where one signal (traces or metrics) goes. */
export interface ExportTarget {
  url: string;
  protocol: Protocol;
  headers: Record<string, string>;
}

/** TelemetrySettings is what a run with telemetry on exports, and how long its end may wait. */
export interface TelemetrySettings {
  traces: ExportTarget | undefined;
  metrics: ExportTarget | undefined;
  serviceName: string;
  /** OTEL_RESOURCE_ATTRIBUTES, as the user set them. */
  resource: Record<string, string>;
  /** The most the end of a run waits for the export (OTEL_EXPORTER_OTLP_TIMEOUT, default 2000 ms). */
  timeoutMs: number;
  /** An incoming W3C trace context to join (TRACEPARENT, TRACESTATE). */
  traceparent: string | undefined;
  tracestate: string | undefined;
}

/** DEFAULT_TIMEOUT_MS bounds the export at the end of a run unless OTEL_EXPORTER_OTLP_TIMEOUT says otherwise. */
export const DEFAULT_TIMEOUT_MS = 2000;

/** telemetrySettings reads the environment; undefined means telemetry is off. */
export function telemetrySettings(env: Env, warn: (message: string) => void): TelemetrySettings | undefined {
  const v = (name: string) => env[name]?.trim() || undefined;
  if (v("OTEL_SDK_DISABLED")?.toLowerCase() === "true") return undefined;
  const base = v("OTEL_EXPORTER_OTLP_ENDPOINT");
  if (!base && !v("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT") && !v("OTEL_EXPORTER_OTLP_METRICS_ENDPOINT")) return undefined;
  try {
    const settings: TelemetrySettings = {
      traces: target(env, "TRACES", "v1/traces"),
      metrics: target(env, "METRICS", "v1/metrics"),
      serviceName: v("OTEL_SERVICE_NAME") ?? "vaultgate",
      resource: keyValues(v("OTEL_RESOURCE_ATTRIBUTES"), "OTEL_RESOURCE_ATTRIBUTES"),
      timeoutMs: timeout(v("OTEL_EXPORTER_OTLP_TIMEOUT")),
      traceparent: v("TRACEPARENT"),
      tracestate: v("TRACESTATE"),
    };
    return settings.traces || settings.metrics ? settings : undefined;
  } catch (error) {
    warn(`telemetry is off: ${error instanceof Error ? error.message : String(error)}`);
    return undefined;
  }
}

function target(env: Env, signal: "TRACES" | "METRICS", path: string): ExportTarget | undefined {
  const v = (name: string) => env[name]?.trim() || undefined;
  const exporter = (v(`OTEL_${signal}_EXPORTER`) ?? "otlp").toLowerCase();
  if (exporter === "none") return undefined;
  if (exporter !== "otlp") throw new Error(`OTEL_${signal}_EXPORTER=${exporter} is not supported (use otlp or none).`);
  const own = v(`OTEL_EXPORTER_OTLP_${signal}_ENDPOINT`);
  const base = v("OTEL_EXPORTER_OTLP_ENDPOINT");
  if (!own && !base) return undefined;
  const url = own ?? `${base?.replace(/\/+$/, "")}/${path}`;
  const name = own ? `OTEL_EXPORTER_OTLP_${signal}_ENDPOINT` : "OTEL_EXPORTER_OTLP_ENDPOINT";
  checkUrl(url, name);
  const protocol = v(`OTEL_EXPORTER_OTLP_${signal}_PROTOCOL`) ?? v("OTEL_EXPORTER_OTLP_PROTOCOL") ?? "http/protobuf";
  if (protocol !== "http/protobuf" && protocol !== "http/json")
    throw new Error(`OTEL_EXPORTER_OTLP_PROTOCOL=${protocol} is not supported (use http/protobuf or http/json).`);
  return {
    url,
    protocol,
    headers: {
      ...keyValues(v("OTEL_EXPORTER_OTLP_HEADERS"), "OTEL_EXPORTER_OTLP_HEADERS"),
      ...keyValues(v(`OTEL_EXPORTER_OTLP_${signal}_HEADERS`), `OTEL_EXPORTER_OTLP_${signal}_HEADERS`),
    },
  };
}

function checkUrl(text: string, name: string): void {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new Error(`${name} is not a URL.`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") throw new Error(`${name} must be an http(s) URL.`);
  if (url.username || url.password) throw new Error(`${name} must not hold a user or password (use OTEL_EXPORTER_OTLP_HEADERS).`);
}

/** keyValues parses the W3C-baggage-like `k=v,k2=v2` lists of the OTEL_* variables (values percent-decoded). */
export function keyValues(text: string | undefined, name: string): Record<string, string> {
  const out: Record<string, string> = {};
  if (!text) return out;
  for (const part of text.split(",")) {
    if (part.trim() === "") continue;
    const at = part.indexOf("=");
    const key = at > 0 ? part.slice(0, at).trim() : "";
    if (!key) throw new Error(`${name} must be a list of key=value pairs separated by commas.`);
    try {
      out[key] = decodeURIComponent(part.slice(at + 1).trim());
    } catch {
      throw new Error(`${name} has a badly percent-encoded value for ${key}.`);
    }
  }
  return out;
}

function timeout(text: string | undefined): number {
  if (text === undefined) return DEFAULT_TIMEOUT_MS;
  const ms = Number(text);
  if (!Number.isInteger(ms) || ms <= 0) throw new Error("OTEL_EXPORTER_OTLP_TIMEOUT must be a positive number of milliseconds.");
  return ms;
}
