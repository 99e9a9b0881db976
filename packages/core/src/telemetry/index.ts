/**
 * telemetry — OpenTelemetry traces and metrics of a run, off unless an OTLP endpoint is
 * configured (OTEL_EXPORTER_OTLP_ENDPOINT and the other standard OTEL_* variables).
 * startTelemetry is the one entry: with telemetry off it returns a no-op and loads no
 * OpenTelemetry code; with it on it imports telemetry/otel.js (a separate chunk in the
 * actions' bundles). Nothing here can fail a run or change its exit code.
 */
import type { Env, PlatformName } from "../platform.js";
import { telemetrySettings } from "./settings.js";

export { ALLOWED_ATTRIBUTES, allowed, ciAttributes } from "./attributes.js";
export { publishRunEvent, subscribeRunEvents, withRunEvents, timedIdToken, type RunEvent } from "./events.js";
export { DEFAULT_TIMEOUT_MS, telemetrySettings, type TelemetrySettings } from "./settings.js";

/** TelemetryOptions: which command this run is, where it runs, and where a warning goes. */
export interface TelemetryOptions {
  /** The root span's name: fetch, exec, check, revoke, github-secrets... */
  command: string;
  env: Env;
  platform: PlatformName;
  /** Receives the one warning line of a telemetry problem. */
  warn(message: string): void;
  /** Registers an exporter header value (an API key) as a secret to mask. */
  mask?(value: string): void;
}

/** RunTelemetry is one run's telemetry. */
export interface RunTelemetry {
  readonly enabled: boolean;
  /** TRACEPARENT (and TRACESTATE) for the command exec runs; {} with telemetry off. */
  childEnv(): Record<string, string>;
  /** childExited ends the command's span. */
  childExited(exitCode: number): void;
  /** end exports the run's spans and metrics, waiting at most the configured bound. */
  end(exitCode: number): Promise<void>;
}

/** TELEMETRY_OFF is the run's telemetry when none is configured. */
export const TELEMETRY_OFF: RunTelemetry = {
  enabled: false,
  childEnv: () => ({}),
  childExited: () => {},
  end: async () => {},
};

/** startTelemetry starts the run's telemetry when the environment asks for it. */
export async function startTelemetry(options: TelemetryOptions): Promise<RunTelemetry> {
  const settings = telemetrySettings(options.env, (message) => options.warn(message));
  if (!settings) return TELEMETRY_OFF;
  for (const target of [settings.traces, settings.metrics])
    for (const value of Object.values(target?.headers ?? {})) options.mask?.(value);
  try {
    const { startOtel } = await import("./otel.js");
    return startOtel(settings, options);
  } catch (error) {
    options.warn(`telemetry is off: ${error instanceof Error ? error.message : String(error)}`);
    return TELEMETRY_OFF;
  }
}
