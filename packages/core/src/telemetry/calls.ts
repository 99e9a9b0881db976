/**
 * telemetry/calls — turns the run's events into the vault calls they describe: the
 * attempts of one request (first attempt, retries) become one call with its retries;
 * a read, renewal or revocation reported afterwards is matched to its call, so each
 * call knows what it was for. Pure data, no OpenTelemetry code; telemetry/trace.ts
 * makes spans of the result.
 */
import { allowed, type Attributes } from "./attributes.js";
import type { RunEvent } from "./events.js";

/** Operation names a vault call by what it does. */
export type Operation = "login" | "lookup" | "mount" | "read" | "renew" | "revoke" | "capabilities" | "health";

/** Call is one vault request with all its attempts. */
export interface Call {
  operation: Operation;
  method: string;
  path: string;
  start: number;
  end: number;
  attempts: number;
  status: number | undefined;
  errorType: string | undefined;
  retries: { at: number; attrs: Attributes }[];
  /** What the call was for (secret path, lease kind, outcome...), once matched. */
  attrs: Attributes;
  matched: boolean;
}

/** operationOf classifies an API path. */
export function operationOf(path: string): Operation {
  if (/^auth\/[^/]+(\/.*)?\/login(\/|$)/.test(path)) return "login";
  if (path === "auth/token/lookup-self") return "lookup";
  if (path === "auth/token/renew-self" || path === "sys/leases/renew") return "renew";
  if (path === "auth/token/revoke-self" || path === "sys/leases/revoke") return "revoke";
  if (path.startsWith("sys/internal/ui/mounts/")) return "mount";
  if (path === "sys/capabilities-self") return "capabilities";
  if (path === "sys/health") return "health";
  return "read";
}

/** errorTypeOf names a failed attempt: its HTTP status or its network error code. */
export function errorTypeOf(status: number | undefined, error: string | undefined): string | undefined {
  if (error) return error;
  if (status !== undefined && (status < 200 || status >= 300)) return String(status);
  return undefined;
}

/** CallLog collects calls from request, retry and outcome events. */
export class CallLog {
  readonly calls: Call[] = [];
  /** Outcome events that matched no call (e.g. a token kept, so never revoked). */
  readonly unmatched: RunEvent[] = [];

  /** add takes one event; returns the call it touched, if any. */
  add(event: RunEvent): Call | undefined {
    switch (event.type) {
      case "request":
        return this.#attempt(event.at, event.request);
      case "retry": {
        const call = this.#latest((c) => c.path === event.retry.path && c.attempts === event.retry.attempt);
        call?.retries.push({
          at: event.at,
          attrs: allowed({
            "vaultgate.retry.attempt": event.retry.attempt + 1,
            "vaultgate.retry.delay_ms": event.retry.delayMs,
            "error.type": call.errorType,
          }),
        });
        return call;
      }
      case "read":
        return this.#match(event, (c) => c.path === event.apiPath && c.operation === "read", {
          "vaultgate.secret.path": event.path,
          "vaultgate.secret.kv_version": event.kv,
          "vaultgate.secret.leased": event.leased,
          "vaultgate.outcome": event.outcome,
        });
      case "renewal":
        return this.#match(event, (c) => c.operation === "renew" && c.path === renewPath(event.kind), {
          "vaultgate.lease.kind": event.kind,
          "vaultgate.outcome": event.ok ? (event.capped ? "capped" : "ok") : "failed",
          "vaultgate.renewal.capped": event.capped,
          "vaultgate.renewal.ttl_seconds": event.ttlSeconds,
        });
      case "revocation": {
        // Credentials a backend cannot revoke made no request.
        const kind = event.kind;
        if (kind === "credentials") return undefined;
        return this.#match(event, (c) => c.operation === "revoke" && c.path === revokePath(kind), {
          "vaultgate.lease.kind": event.kind,
          "vaultgate.outcome": event.outcome,
        });
      }
      default:
        return undefined;
    }
  }

  #attempt(at: number, r: Extract<RunEvent, { type: "request" }>["request"]): Call {
    const start = at - r.ms;
    const errorType = errorTypeOf(r.status, r.error);
    const previous =
      r.attempt > 1 ? this.#latest((c) => c.method === r.method && c.path === r.path && c.attempts === r.attempt - 1) : undefined;
    if (previous) {
      Object.assign(previous, { end: at, attempts: r.attempt, status: r.status, errorType });
      return previous;
    }
    const call: Call = {
      operation: operationOf(r.path),
      method: r.method,
      path: r.path,
      start,
      end: at,
      attempts: r.attempt,
      status: r.status,
      errorType,
      retries: [],
      attrs: {},
      matched: false,
    };
    this.calls.push(call);
    return call;
  }

  #latest(test: (c: Call) => boolean): Call | undefined {
    for (let i = this.calls.length - 1; i >= 0; i--) {
      const call = this.calls[i];
      if (call && test(call)) return call;
    }
    return undefined;
  }

  /** #match gives the outcome to the earliest call of its kind that has none yet (calls end before their outcome). */
  #match(event: RunEvent, test: (c: Call) => boolean, attrs: Record<string, string | number | boolean | undefined>) {
    const call = this.calls.find((c) => !c.matched && c.end <= event.at && test(c));
    if (!call) {
      this.unmatched.push(event);
      return undefined;
    }
    call.matched = true;
    call.attrs = { ...call.attrs, ...allowed(attrs) };
    return call;
  }
}

function renewPath(kind: "token" | "lease"): string {
  return kind === "token" ? "auth/token/renew-self" : "sys/leases/renew";
}

function revokePath(kind: "token" | "lease"): string {
  return kind === "token" ? "auth/token/revoke-self" : "sys/leases/revoke";
}
