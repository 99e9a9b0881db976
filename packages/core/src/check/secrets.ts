/**
 * check/secrets — the gate's per-secret checks: each source's session validates the
 * secrets it serves (exists, readable, the key is there, a lease outlives the deploy)
 * without exporting a value, and the gate records one check per secret, in order.
 */
import type { ProviderSession, Verdict } from "../providers/types.js";
import { push, secretCheck, type Ctx } from "./context.js";
import { say } from "./reasons.js";

/** checkSecrets checks every configured secret the session serves (`specs`, default all of them). */
export async function checkSecrets(ctx: Ctx, session: ProviderSession, specs = ctx.config.secrets): Promise<void> {
  if (ctx.config.secrets.length === 0) {
    const said = say("secrets.none");
    push(ctx, { id: "secrets", kind: "secret", title: "Secrets", required: false, ...said, durationMs: 0 });
    return;
  }
  if (specs.length === 0) return;
  const verdicts = await session.validate(specs, {
    minTtlSeconds: ctx.options.minTtlSeconds,
    issueDynamic: ctx.options.issueDynamic,
    concurrency: ctx.config.fetch.concurrency,
    budget: ctx.budget,
  });
  specs.forEach((spec, i) => {
    const verdict: Verdict = verdicts[i] ?? say("secret.not-checked", { why: "no answer" });
    const result = secretCheck(spec, verdict);
    result.durationMs = verdict.ms ?? 0;
    push(ctx, result);
  });
}
