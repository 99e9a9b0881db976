/**
 * telemetry/trace — the run's trace: the root span (the command) lives from the start,
 * joining an incoming TRACEPARENT; the child spans (ID-token request, login, mount
 * resolution, each read, renewals, revocations, each gate check) are made from the
 * run's events when it ends, with their real start and end times, retries as span
 * events. Loaded only with telemetry on.
 */
import { ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, type Context, type Span, type Tracer } from "@opentelemetry/api";
import { W3CTraceContextPropagator } from "@opentelemetry/core";
import { allowed, type Attributes } from "./attributes.js";
import { CallLog, type Call } from "./calls.js";
import type { RunEvent } from "./events.js";

const propagator = new W3CTraceContextPropagator();

const carrierGetter = {
  get: (carrier: Record<string, string>, key: string) => carrier[key],
  keys: (carrier: Record<string, string>) => Object.keys(carrier),
};

/** RunTrace collects one run's events and makes its spans. */
export class RunTrace {
  readonly #tracer: Tracer;
  readonly #root: Span;
  readonly #rootContext: Context;
  readonly #calls = new CallLog();
  readonly #others: RunEvent[] = [];
  #child: Span | undefined;
  #server: Attributes = {};

  constructor(tracer: Tracer, command: string, incoming: { traceparent?: string | undefined; tracestate?: string | undefined }) {
    this.#tracer = tracer;
    const carrier: Record<string, string> = {};
    if (incoming.traceparent) carrier.traceparent = incoming.traceparent;
    if (incoming.tracestate) carrier.tracestate = incoming.tracestate;
    const parent = propagator.extract(ROOT_CONTEXT, carrier, carrierGetter);
    this.#root = tracer.startSpan(
      `vaultgate ${command}`,
      { kind: SpanKind.INTERNAL, attributes: allowed({ "vaultgate.command": command }) },
      parent,
    );
    this.#rootContext = trace.setSpan(parent, this.#root);
  }

  /** add takes one event of the run. */
  add(event: RunEvent): void {
    switch (event.type) {
      case "request":
      case "retry":
      case "read":
      case "renewal":
      case "revocation":
        this.#calls.add(event);
        break;
      case "run":
        this.#root.setAttributes(allowed({ "vaultgate.run.id": event.runId }));
        this.#server = serverOf(event.address);
        break;
      case "login":
        this.#root.setAttributes(
          allowed({
            "vaultgate.auth.method": event.method,
            "vaultgate.auth.mount": event.mount,
            "vaultgate.auth.role": event.role,
            "vaultgate.token.accessor": event.accessor,
          }),
        );
        break;
      case "failure":
        this.#root.setAttributes(allowed({ "vaultgate.failure": event.error }));
        break;
      default:
        this.#others.push(event);
    }
  }

  /** childEnv starts the span of the command `exec` runs and returns its TRACEPARENT (and TRACESTATE). */
  childEnv(): Record<string, string> {
    this.#child ??= this.#tracer.startSpan("exec command", { kind: SpanKind.INTERNAL }, this.#rootContext);
    const carrier: Record<string, string> = {};
    propagator.inject(trace.setSpan(this.#rootContext, this.#child), carrier, {
      set: (c: Record<string, string>, key: string, value: string) => {
        c[key] = value;
      },
    });
    const env: Record<string, string> = {};
    if (carrier.traceparent) env.TRACEPARENT = carrier.traceparent;
    if (carrier.tracestate) env.TRACESTATE = carrier.tracestate;
    return env;
  }

  /** childExited ends the command's span. */
  childExited(exitCode: number): void {
    if (!this.#child) return;
    this.#child.setAttributes(allowed({ "vaultgate.exit_code": exitCode }));
    if (exitCode !== 0) this.#child.setStatus({ code: SpanStatusCode.ERROR });
    this.#child.end();
    this.#child = undefined;
  }

  /** end makes the child spans and ends the root span. */
  end(exitCode: number): void {
    const server = this.#server;
    this.childExited(exitCode);
    for (const call of this.#calls.calls) this.#callSpan(call, server);
    for (const event of [...this.#others, ...this.#calls.unmatched]) this.#eventSpan(event);
    this.#root.setAttributes(
      allowed({ ...server, "vaultgate.exit_code": exitCode, "vaultgate.outcome": exitCode === 0 ? "success" : "failure" }),
    );
    if (exitCode !== 0) this.#root.setStatus({ code: SpanStatusCode.ERROR, message: `exit code ${exitCode}` });
    this.#root.end();
  }

  #callSpan(call: Call, server: Attributes): void {
    const span = this.#tracer.startSpan(
      `vault ${call.operation}`,
      {
        kind: SpanKind.CLIENT,
        startTime: call.start,
        attributes: {
          ...allowed({
            ...server,
            "vaultgate.vault.operation": call.operation,
            "http.request.method": call.method,
            "http.response.status_code": call.status,
            "url.path": `/v1/${call.path}`,
            "error.type": call.errorType,
            "vaultgate.request.attempts": call.attempts,
            "vaultgate.secret.path": call.operation === "mount" ? call.path.slice("sys/internal/ui/mounts/".length) : undefined,
          }),
          ...call.attrs,
        },
      },
      this.#rootContext,
    );
    for (const retry of call.retries) span.addEvent("retry", retry.attrs, retry.at);
    if (call.errorType && !expectedFailure(call)) span.setStatus({ code: SpanStatusCode.ERROR });
    span.end(call.end);
  }

  #eventSpan(event: RunEvent): void {
    let name: string;
    let attrs: Attributes;
    let ok: boolean;
    let ms: number;
    switch (event.type) {
      case "id-token":
        name = "id-token";
        attrs = allowed({ "vaultgate.id_token.source": event.source, "vaultgate.outcome": event.ok ? "ok" : "failed" });
        ok = event.ok;
        ms = event.ms;
        break;
      case "check":
        name = `check ${event.id}`;
        attrs = allowed({
          "vaultgate.check.id": event.id,
          "vaultgate.check.kind": event.kind,
          "vaultgate.check.status": event.status,
          "vaultgate.check.required": event.required,
        });
        ok = event.status !== "fail" || !event.required;
        ms = event.ms;
        break;
      case "revocation":
        // No request of its own: a token kept (vaultgate did not create it), a lease ended with its token.
        this.#root.addEvent(
          "revocation",
          allowed({ "vaultgate.lease.kind": event.kind, "vaultgate.outcome": event.outcome }),
          event.at,
        );
        return;
      default:
        return;
    }
    const span = this.#tracer.startSpan(name, { startTime: event.at - ms, attributes: attrs }, this.#rootContext);
    if (!ok) span.setStatus({ code: SpanStatusCode.ERROR });
    span.end(event.at);
  }
}

/** expectedFailure: answers that are outcomes, not errors (a lease revocation left to the token, a health answer). */
function expectedFailure(call: Call): boolean {
  return call.attrs["vaultgate.outcome"] === "with-token" || call.operation === "health";
}

/** serverOf is the vault's host and port (never its userinfo). */
function serverOf(address: string): Attributes {
  try {
    const url = new URL(address);
    const port = url.port ? Number(url.port) : url.protocol === "https:" ? 443 : 80;
    return allowed({ "server.address": url.hostname, "server.port": port });
  } catch {
    return {};
  }
}
