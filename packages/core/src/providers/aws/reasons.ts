/**
 * providers/aws/reasons — what an AWS answer means, as data: each entry's `text` is an
 * error's message (or a gate verdict's finding) and its `fix` the hint.
 * providers/aws/errors.ts and validate.ts build their errors and verdicts from these
 * entries, the gate records the id in each check's details, and docs/check.md lists
 * them. No SDK code here: the gate's reason table imports it in every build.
 */
import { defineReasons, fill, sentence, type ReasonSpec, type ReasonVars } from "../../reasons.js";
import type { Verdict } from "../types.js";

/** NOT_REVOCABLE is what docs, logs and the audit record say about revoking STS credentials. */
export const NOT_REVOCABLE = "AWS cannot revoke STS credentials; they expire at the end of the session";

/** AWS_REASONS are the reasons the AWS source gives its login, its session and each of its secrets. */
export const AWS_REASONS = defineReasons([
  { id: "aws.login.ok", check: "aws.login", status: "pass", text: "Assumed {role} as session {session}" },
  {
    id: "aws.login.trust-refused",
    check: "aws.login",
    status: "fail",
    text: "AWS refused to let this job assume {role} ({detail}). Token from {origin}: {claims}",
    fix: 'The trust policy of {role} must let this token assume it: its Federated principal is the issuer\'s OIDC provider, its condition on "<issuer>:aud" must be {aud} and on "<issuer>:sub" must match {sub} (see docs/aws.md)',
  },
  {
    id: "aws.login.untrusted-issuer",
    check: "aws.login",
    status: "fail",
    text: "AWS refused to let this job assume {role} ({detail}). Token from {origin}: {claims}",
    fix: "AWS could not verify the token: create an IAM OIDC identity provider for the issuer {issuer} with the audience {audience}",
  },
  {
    id: "aws.login.token-expired",
    check: "aws.login",
    status: "fail",
    text: "AWS refused to let this job assume {role} ({detail}). Token from {origin}: {claims}",
    fix: "The ID token expired before AWS saw it: obtain it right before the step (GitLab id_tokens, Jenkins credential binding)",
  },
  {
    id: "aws.login.request-invalid",
    check: "aws.login",
    status: "fail",
    text: "STS rejected the web identity request for {role}: {detail}",
    fix: "Check role-arn, session-duration (900 s up to the role's MaxSessionDuration) and session-name (2 to 64 of A-Z a-z 0-9 +=,.@_-)",
  },
  {
    id: "aws.unavailable",
    check: "aws.login, secret.<NAME>",
    status: "fail",
    text: "AWS ({service}) failed while {doing}: {detail}",
    fix: "Check the region, the network and proxy settings, and the endpoint (sources.aws.endpoint) if one is set",
  },
  { id: "aws.session.ok", check: "aws.session.ttl", status: "pass", text: "Session {ttl} ≥ {min}" },
  {
    id: "aws.session.too-short",
    check: "aws.session.ttl",
    status: "fail",
    text: "The AWS session lasts {ttl}, shorter than the deploy ({min})",
    fix: "raise sources.aws.session-duration (input aws-session-duration) and the role's MaxSessionDuration, or run the deploy under vaultgate exec, which re-assumes the role while the ID token allows",
  },
  {
    id: "aws.read.not-found",
    check: "secret.<NAME>",
    status: "fail",
    text: "Not found in {region}: {what}",
    fix: "Check the name, the region and the version; or mark the secret `required: false`",
  },
  {
    id: "aws.read.scheduled-for-deletion",
    check: "secret.<NAME>",
    status: "fail",
    text: "{what} is scheduled for deletion{when} and cannot be read",
    fix: "Restore it (aws secretsmanager restore-secret --secret-id {id}) or point the manifest at its replacement",
  },
  {
    id: "aws.read.denied",
    check: "secret.<NAME>",
    status: "fail",
    text: "Permission denied reading {what} as {role}",
    fix: "Allow {action} on {resource} in a policy attached to the role {role}",
  },
  {
    id: "aws.read.kms-denied",
    check: "secret.<NAME>",
    status: "fail",
    text: "{what} could not be decrypted as {role}: {detail}",
    fix: "Allow kms:Decrypt on the secret's KMS key to the role (key policy or IAM policy)",
  },
  {
    id: "aws.read.refused",
    check: "secret.<NAME>",
    status: "fail",
    text: "AWS refused the read of {what}: {detail}",
    fix: "Check the reference against docs/aws.md (secretsmanager/<name or ARN>, ssm/<parameter path>) and the role's policy",
  },
  {
    id: "aws.secret.no-version",
    check: "secret.<NAME>",
    status: "fail",
    text: "{what} has no version {version}",
    fix: "Name an existing version (aws secretsmanager list-secret-version-ids), or drop ?version-id",
  },
  {
    id: "aws.secret.no-stage",
    check: "secret.<NAME>",
    status: "fail",
    text: "No version of {what} carries the stage {stage}",
    fix: "Name a stage the secret has (AWSCURRENT, AWSPREVIOUS, or your own), or drop ?version-stage",
  },
  {
    id: "aws.secret.key-missing",
    check: "secret.<NAME>",
    status: "fail",
    text: 'The key "{key}" is missing from {path}; it has: {keys}',
    fix: "fix the key's name, or add the key to the secret's JSON",
  },
  {
    id: "aws.secret.no-keys",
    check: "secret.<NAME>",
    status: "fail",
    text: "{path} has no keys",
    fix: "store a value, or for an SSM path parameters below it",
  },
  { id: "aws.secret.readable", check: "secret.<NAME>", status: "pass", text: "Readable{version}{keys}" },
] as const satisfies readonly ReasonSpec[]);

/** AwsReasonId names one of AWS_REASONS. */
export type AwsReasonId = keyof typeof AWS_REASONS;

/** awsErrorParts renders a reason as an error's message and hint, with its id. */
export function awsErrorParts(id: AwsReasonId, vars: ReasonVars): { message: string; hint: string; reasonId: string } {
  const spec = AWS_REASONS[id];
  const end = (s: string) => (/[.?!]$/.test(s) ? s : `${s}.`);
  const fix = fill(spec.fix ?? "", vars);
  return { message: end(fill(spec.text, vars)), hint: end(fix.charAt(0).toUpperCase() + fix.slice(1)), reasonId: id };
}

/** awsVerdict renders a reason as a gate verdict, its id in the details. */
export function awsVerdict(id: AwsReasonId, vars: ReasonVars = {}, details: Verdict["details"] = {}): Verdict {
  const spec = AWS_REASONS[id];
  return { status: spec.status, reason: sentence(spec, vars), details: { ...details, reason: id } };
}
