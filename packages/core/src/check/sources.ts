/**
 * check/sources — the gate's checks of the sources besides the vault (AWS; in an
 * AWS-only run the only source): the login
 * (for AWS, AssumeRoleWithWebIdentity with the job's token), whether the session
 * outlives the deploy, and each secret the source serves, validated without exporting a
 * value. One cause fails one check; the checks it prevents are skipped.
 */
import { authenticateOthers } from "../providers/registry.js";
import type { IdToken } from "../identity/sources.js";
import { awsVerdict } from "../providers/aws/reasons.js";
import type { AuthenticateOptions, ProviderSession } from "../providers/types.js";
import { push, secretCheck, skippedCheck, timed, type Ctx } from "./context.js";
import { say } from "./reasons.js";
import { checkSecrets } from "./secrets.js";

/** SessionTtlCheck is the gate's TTL check, with the check's id and what it names. */
type SessionTtlCheck = (ctx: Ctx, session: ProviderSession, id: string, what: string) => Promise<void>;

/**
 * checkOtherSources checks the AWS source when the run uses it (an AWS-only run always);
 * `id` is the identity check's token, which an AWS-only run logs in with. Returns the
 * sessions to close.
 */
export async function checkOtherSources(
  ctx: Ctx,
  connect: AuthenticateOptions,
  ttl: SessionTtlCheck,
  id?: { token: IdToken; usable: boolean },
): Promise<ProviderSession[]> {
  const aws = ctx.config.aws;
  const only = ctx.config.vault === undefined;
  const specs = ctx.config.secrets.filter((s) => s.source === "aws");
  if (!aws || (specs.length === 0 && !aws.exportCredentials && !only)) return [];
  let sessions: ProviderSession[] = [];
  const head = { id: "aws.login", kind: "login", title: `Login (AWS, role ${aws.roleArn})` } as const;
  if (only && !id?.usable) {
    // A token the identity rule refuses is never sent to STS.
    push(ctx, skippedCheck(head, say("login.not-attempted", { why: "no usable ID token (identity.token)" })));
    push(ctx, skippedCheck({ id: "aws.session.ttl", kind: "token", title: "AWS session" }, say("token.no-token")));
    const why = "the AWS login was not attempted";
    for (const spec of specs) push(ctx, secretCheck(spec, say("secret.not-checked", { why })));
    return sessions;
  }
  const login = await timed(ctx, { ...head, fallbackId: "login.credentials" }, async () => {
    sessions = await authenticateOthers(ctx.config, { ...connect, idToken: id?.token });
    const name = sessions[0]?.identity.details.sessionName;
    const session = typeof name === "string" ? name : "(unnamed)";
    return awsVerdict("aws.login.ok", { role: aws.roleArn, session }, { role: aws.roleArn, region: aws.region });
  });
  const session = sessions[0];
  if (!session) {
    const why = login.status === "skip" ? "the AWS login was not attempted" : "the AWS login did not succeed (aws.login)";
    for (const spec of specs) push(ctx, secretCheck(spec, say("secret.not-checked", { why })));
    return sessions;
  }
  await ttl(ctx, session, "aws.session.ttl", "AWS session");
  await checkSecrets(ctx, session, only ? ctx.config.secrets : specs);
  return sessions;
}
