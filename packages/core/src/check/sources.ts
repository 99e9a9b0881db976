/**
 * check/sources — the gate's checks of the sources besides the vault (AWS): the login
 * (for AWS, AssumeRoleWithWebIdentity with the job's token), whether the session
 * outlives the deploy, and each secret the source serves, validated without exporting a
 * value. One cause fails one check; the checks it prevents are skipped.
 */
import { authenticateOthers } from "../providers/registry.js";
import type { AuthenticateOptions, ProviderSession } from "../providers/types.js";
import { push, secretCheck, timed, type Ctx } from "./context.js";
import { say } from "./reasons.js";
import { checkSecrets } from "./secrets.js";

/** SessionTtlCheck is the gate's TTL check, with the check's id and what it names. */
type SessionTtlCheck = (ctx: Ctx, session: ProviderSession, id: string, what: string) => Promise<void>;

/** checkOtherSources checks the AWS source when the run uses it; returns the sessions to close. */
export async function checkOtherSources(
  ctx: Ctx,
  connect: AuthenticateOptions,
  ttl: SessionTtlCheck,
): Promise<ProviderSession[]> {
  const aws = ctx.config.aws;
  const specs = ctx.config.secrets.filter((s) => s.source === "aws");
  if (!aws || (specs.length === 0 && !aws.exportCredentials)) return [];
  let sessions: ProviderSession[] = [];
  const login = await timed(
    ctx,
    { id: "aws.login", kind: "login", title: `Login (AWS, role ${aws.roleArn})`, fallbackId: "login.credentials" },
    async () => {
      sessions = await authenticateOthers(ctx.config, connect);
      const who = sessions[0]?.identity;
      const name = who?.details.sessionName;
      const assumed = `Assumed ${aws.roleArn}${typeof name === "string" ? ` as session ${name}` : ""}.`;
      return { status: "pass", reason: assumed, details: { role: aws.roleArn, region: aws.region } };
    },
  );
  const session = sessions[0];
  if (!session) {
    const why = login.status === "skip" ? "the AWS login was not attempted" : "the AWS login did not succeed (aws.login)";
    for (const spec of specs) push(ctx, secretCheck(spec, say("secret.not-checked", { why })));
    return sessions;
  }
  await ttl(ctx, session, "aws.session.ttl", "AWS session");
  await checkSecrets(ctx, session, specs);
  return sessions;
}
