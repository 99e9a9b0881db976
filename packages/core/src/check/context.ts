/**
 * check/context — what every check of one gate run shares: the configuration, the
 * budget, the list of results; and `timed`, which runs one check, turns
 * whatever it throws into a reason (a budget cut-off into a skip), and records it.
 */
import type { SecretSpec, VaultgateConfig } from "../config/schema.js";
import { InternalError, toVaultgateError, type VaultgateError } from "../errors.js";
import type { Platform } from "../platform.js";
import { publishRunEvent } from "../telemetry/events.js";
import type { BudgetWatch } from "./budget.js";
import type { CheckKind, CheckResult } from "./model.js";
import type { Said } from "./reasons.js";

/** CheckOptions: the deploy's planned duration, whether to issue dynamic secrets, the time budget. */
export interface CheckOptions {
  /** The token and every lease must live at least this long (the planned deploy duration). */
  minTtlSeconds: number;
  /** Issue one credential from each dynamic engine (then revoke its lease at once). */
  issueDynamic: boolean;
  /** Overall time budget of the whole gate. */
  budgetSeconds: number;
}

/** Ctx is one gate run. */
export interface Ctx {
  config: VaultgateConfig;
  platform: Platform;
  options: CheckOptions;
  budget: BudgetWatch;
  checks: CheckResult[];
}

/** Outcome is what a check found; `details.reason` names the reason's id. */
export type Outcome = Pick<Said, "status" | "reason"> & { details?: CheckResult["details"] };

/**
 * errorOutcome turns a thrown value into a check's outcome: a budget cut-off is a skip,
 * never a bug; the reason id is the error's own, else `fallbackId`.
 */
export function errorOutcome(ctx: Ctx, error: unknown, fallbackId = "internal"): Outcome {
  if (ctx.budget.cutOff(error)) return ctx.budget.skipped();
  // A provider answers in vaultgate's errors; anything else is a bug.
  const e: VaultgateError = toVaultgateError(error);
  return {
    status: "fail",
    reason: `${e.message}${e.hint ? ` ${e.hint}` : ""}`,
    details: { reason: e.reasonId ?? (e instanceof InternalError ? "internal" : fallbackId) },
  };
}

/** timed runs one check, records its duration and result; a check that cannot start in time is skipped. */
export async function timed(
  ctx: Ctx,
  head: { id: string; kind: CheckKind; title: string; required?: boolean; fallbackId?: string },
  run: () => Promise<Outcome>,
): Promise<CheckResult> {
  const started = Date.now();
  let outcome: Outcome;
  if (ctx.budget.spent) outcome = ctx.budget.skipped();
  else {
    try {
      outcome = await run();
    } catch (error) {
      outcome = errorOutcome(ctx, error, head.fallbackId);
    }
  }
  const result: CheckResult = {
    id: head.id,
    kind: head.kind,
    title: head.title,
    required: head.required ?? true,
    status: outcome.status,
    reason: outcome.reason,
    details: outcome.details ?? {},
    durationMs: Date.now() - started,
  };
  push(ctx, result);
  return result;
}

/** push records a result; a failing optional check only warns. */
export function push(ctx: Ctx, result: CheckResult): void {
  if (!result.required && result.status === "fail") result.status = "warn";
  ctx.checks.push(result);
  const { id, kind, status, required, durationMs: ms } = result;
  publishRunEvent({ type: "check", id, kind, status, required, ms });
}

/** secretCheck is the result of one secret's check. */
export function secretCheck(spec: SecretSpec, outcome: Outcome): CheckResult {
  const key = spec.selector.kind === "all" ? "*" : spec.selector.kind === "key" ? spec.selector.key : spec.selector.text;
  const name = spec.selector.kind === "all" ? `${spec.path} *` : spec.envName;
  return {
    id: `secret.${name}`,
    kind: "secret",
    title: `Secret ${spec.selector.kind === "all" ? spec.path : spec.envName} (${spec.path} ${key})`,
    status: outcome.status,
    required: spec.required,
    reason: outcome.reason,
    details: { path: spec.path, key, ...outcome.details },
    durationMs: 0,
  };
}

/** skippedCheck is a check that was not run, and why. */
export function skippedCheck(head: { id: string; kind: CheckKind; title: string }, said: Outcome): CheckResult {
  return {
    ...head,
    required: true,
    status: said.status,
    reason: said.reason,
    details: said.details ?? {},
    durationMs: 0,
  };
}
