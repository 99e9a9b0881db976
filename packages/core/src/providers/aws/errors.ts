/**
 * providers/aws/errors — turns AWS SDK errors into vaultgate's hierarchy, each with the
 * fix: a refused AssumeRoleWithWebIdentity names the trust policy's conditions next to
 * the token's non-secret claims; a refused read names the IAM action and resource. The
 * words and their stable ids are AWS_REASONS' (providers/aws/reasons.ts).
 */
import {
  AuthError,
  ConfigError,
  PermissionDeniedError,
  SecretNotFoundError,
  VaultUnavailableError,
  type VaultgateError,
} from "../../errors.js";
import { audiences, formatClaims, summarizeClaims, type Claims } from "../../identity/claims.js";
import { awsErrorParts } from "./reasons.js";

/** AwsErrorShape is what the SDK's service exceptions carry. */
interface AwsErrorShape {
  name: string;
  message: string;
  status: number | undefined;
  fault: string | undefined;
}

/** shapeOf reads the parts of an SDK error this module looks at. */
export function shapeOf(error: unknown): AwsErrorShape {
  const e = error as {
    name?: unknown;
    message?: unknown;
    code?: unknown;
    $metadata?: { httpStatusCode?: number };
    $fault?: string;
  };
  const name = typeof e?.name === "string" && e.name !== "Error" ? e.name : typeof e?.code === "string" ? e.code : "Error";
  const status = e?.$metadata?.httpStatusCode;
  // A 403 whose body the SDK could not parse (a proxy's or emulator's XML page) is still a denial.
  const unparsed = name === "SyntaxError" || name === "Error";
  return {
    name: status === 403 && unparsed ? "AccessDenied" : name,
    message: typeof e?.message === "string" ? (e.message.split("\n")[0] ?? "") : String(error),
    status,
    fault: e?.$fault,
  };
}

const NOT_FOUND = new Set([
  "ResourceNotFoundException",
  "ParameterNotFound",
  "ParameterVersionNotFound",
  "ParameterVersionLabelNotFound",
]);
const DENIED = new Set(["AccessDeniedException", "AccessDenied", "UnauthorizedOperation", "UnrecognizedClientException"]);
const KMS = new Set(["DecryptionFailure", "KMSAccessDeniedException", "KMSDisabledException", "KMSInvalidStateException"]);

/** AssumeContext names the role and the token a refused login used. */
export interface AssumeContext {
  roleArn: string;
  region: string;
  claims: Claims;
  tokenOrigin: string;
  audience: string;
}

/** mapAssumeError maps a failed AssumeRoleWithWebIdentity. */
export function mapAssumeError(error: unknown, ctx: AssumeContext): VaultgateError {
  const e = shapeOf(error);
  const claims = summarizeClaims(ctx.claims);
  const aud = audiences(ctx.claims);
  const code = e.name.replace(/Exception$/, "");
  const vars = {
    role: ctx.roleArn,
    detail: `${e.name}: ${e.message}`,
    origin: ctx.tokenOrigin,
    claims: formatClaims(ctx.claims),
    aud: aud.join(", ") || ctx.audience,
    sub: typeof ctx.claims.sub === "string" ? `"${ctx.claims.sub}"` : "the token's sub",
    issuer: typeof ctx.claims.iss === "string" ? ctx.claims.iss : "(iss)",
    audience: ctx.audience,
  };
  if (["AccessDenied", "InvalidIdentityToken", "IDPRejectedClaim", "ExpiredToken"].includes(code)) {
    const id =
      code === "ExpiredToken"
        ? "aws.login.token-expired"
        : code === "InvalidIdentityToken"
          ? "aws.login.untrusted-issuer"
          : "aws.login.trust-refused";
    const { message, hint, reasonId } = awsErrorParts(id, vars);
    return new AuthError(message, { hint, reasonId, claims, reasons: [e.message], cause: error });
  }
  if (["ValidationError", "InvalidParameterValue", "MalformedPolicyDocument", "PackedPolicyTooLarge"].includes(code)) {
    const { message, hint, reasonId } = awsErrorParts("aws.login.request-invalid", { ...vars, detail: e.message });
    return new ConfigError(message, { hint, reasonId, cause: error });
  }
  return unavailableAws(error, `assuming ${ctx.roleArn}`, `STS in ${ctx.region}`);
}

/** ReadContext names the reference and the role of a failed read. */
export interface AwsReadContext {
  what: string;
  origin: string | undefined;
  roleArn: string;
  region: string;
  action: string;
  resource: string;
}

/** mapAwsReadError maps a failed Secrets Manager or SSM read. */
export function mapAwsReadError(error: unknown, ctx: AwsReadContext): VaultgateError {
  const e = shapeOf(error);
  const what = `${ctx.what}${ctx.origin ? ` (${ctx.origin})` : ""}`;
  const vars = { what, region: ctx.region, role: ctx.roleArn, action: ctx.action, resource: ctx.resource };
  if (NOT_FOUND.has(e.name)) {
    const { message, hint, reasonId } = awsErrorParts("aws.read.not-found", vars);
    return new SecretNotFoundError(message, { hint, reasonId, cause: error });
  }
  if (e.name === "InvalidRequestException" && /deletion|deleted/i.test(e.message)) {
    const id = ctx.resource.replace(/^the secret /, "");
    const { message, hint, reasonId } = awsErrorParts("aws.read.scheduled-for-deletion", { ...vars, when: "", id });
    return new SecretNotFoundError(message, { hint, reasonId, cause: error });
  }
  if (DENIED.has(e.name)) {
    const { message, hint, reasonId } = awsErrorParts("aws.read.denied", vars);
    return new PermissionDeniedError(message, { hint, reasonId, cause: error });
  }
  if (KMS.has(e.name)) {
    const { message, hint, reasonId } = awsErrorParts("aws.read.kms-denied", { ...vars, detail: e.name });
    return new PermissionDeniedError(message, { hint, reasonId, cause: error });
  }
  if (e.fault === "client" && e.status !== undefined && e.status < 500 && e.status !== 429 && !/Throttl/.test(e.name)) {
    const { message, hint, reasonId } = awsErrorParts("aws.read.refused", { ...vars, detail: `${e.name}: ${e.message}` });
    return new ConfigError(message, { hint, reasonId, cause: error });
  }
  return unavailableAws(error, `reading ${what}`, `${ctx.action.split(":")[0] ?? "AWS"} in ${ctx.region}`);
}

/** unavailableAws maps network failures, throttling that outlasted the retries, and 5xx. */
export function unavailableAws(error: unknown, doing: string, service: string): VaultgateError {
  const e = shapeOf(error);
  const { message, hint, reasonId } = awsErrorParts("aws.unavailable", { service, doing, detail: `${e.name}: ${e.message}` });
  return new VaultUnavailableError(message, { hint, reasonId, cause: error });
}
