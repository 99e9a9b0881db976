/**
 * telemetry/metrics — the run's metrics, recorded as its events arrive: vault requests
 * by operation and outcome, their durations, retries, renewals and revocations by
 * outcome, gate checks by status, and secrets read by source. Loaded only with
 * telemetry on.
 */
import type { Meter } from "@opentelemetry/api";
import { allowed } from "./attributes.js";
import { errorTypeOf, operationOf } from "./calls.js";
import type { RunEvent } from "./events.js";

/** RunMetrics owns the instruments of one run. */
export class RunMetrics {
  readonly #requests;
  readonly #duration;
  readonly #retries;
  readonly #renewals;
  readonly #revocations;
  readonly #checks;
  readonly #secrets;
  readonly #command: string;

  constructor(meter: Meter, command: string) {
    this.#command = command;
    this.#requests = meter.createCounter("vaultgate.vault.requests", {
      description: "HTTP requests to the vault (each attempt), by operation and outcome",
      unit: "{request}",
    });
    this.#duration = meter.createHistogram("vaultgate.vault.request.duration", {
      description: "Duration of each HTTP request to the vault",
      unit: "s",
      advice: { explicitBucketBoundaries: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30] },
    });
    this.#retries = meter.createCounter("vaultgate.vault.retries", {
      description: "Retried vault requests, by operation",
      unit: "{retry}",
    });
    this.#renewals = meter.createCounter("vaultgate.renewals", {
      description: "Token and lease renewals, by kind and outcome (ok, capped, failed)",
      unit: "{renewal}",
    });
    this.#revocations = meter.createCounter("vaultgate.revocations", {
      description: "Token and lease revocations, by kind and outcome",
      unit: "{revocation}",
    });
    this.#checks = meter.createCounter("vaultgate.checks", {
      description: "Pre-deploy gate checks, by kind and status",
      unit: "{check}",
    });
    this.#secrets = meter.createCounter("vaultgate.secrets.read", {
      description: "Secret paths read, by source and outcome",
      unit: "{read}",
    });
  }

  /** record updates the instruments for one event. */
  record(event: RunEvent): void {
    const command = this.#command;
    switch (event.type) {
      case "request": {
        const r = event.request;
        const errorType = errorTypeOf(r.status, r.error);
        const attrs = allowed({
          "vaultgate.command": command,
          "vaultgate.vault.operation": operationOf(r.path),
          "vaultgate.outcome": errorType ? "error" : "ok",
          "error.type": errorType,
        });
        this.#requests.add(1, attrs);
        this.#duration.record(r.ms / 1000, attrs);
        break;
      }
      case "retry":
        this.#retries.add(
          1,
          allowed({ "vaultgate.command": command, "vaultgate.vault.operation": operationOf(event.retry.path) }),
        );
        break;
      case "renewal":
        this.#renewals.add(
          1,
          allowed({
            "vaultgate.command": command,
            "vaultgate.lease.kind": event.kind,
            "vaultgate.outcome": event.ok ? (event.capped ? "capped" : "ok") : "failed",
          }),
        );
        break;
      case "revocation":
        this.#revocations.add(
          1,
          allowed({ "vaultgate.command": command, "vaultgate.lease.kind": event.kind, "vaultgate.outcome": event.outcome }),
        );
        break;
      case "check":
        this.#checks.add(
          1,
          allowed({ "vaultgate.command": command, "vaultgate.check.kind": event.kind, "vaultgate.check.status": event.status }),
        );
        break;
      case "read":
        this.#secrets.add(
          1,
          allowed({
            "vaultgate.command": command,
            "vaultgate.secret.source": sourceOf(event.kv),
            "vaultgate.outcome": event.outcome,
          }),
        );
        break;
      default:
        break;
    }
  }
}

/** sourceOf names where a read came from: the vault's KV engine (v1, v2) or another engine. */
function sourceOf(kv: number | undefined): string {
  return kv === 2 ? "vault.kv2" : kv === 1 ? "vault.kv1" : "vault.engine";
}
