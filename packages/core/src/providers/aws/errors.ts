/**
 * providers/aws/errors — turns AWS SDK errors into vaultgate's hierarchy, each with the
 * fix: a refused AssumeRoleWithWebIdentity names the trust policy's conditions next to
 * the token's non-secret claims; a refused read names the IAM action and resource.
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
  const shown = formatClaims(ctx.claims);
  const aud = audiences(ctx.claims);
  const reason = `${e.name}: ${e.message}`;
  const code = e.name.replace(/Exception$/, "");
  if (["AccessDenied", "InvalidIdentityToken", "IDPRejectedClaim", "ExpiredToken"].includes(code)) {
    const hint =
      code === "ExpiredToken"
        ? "The ID token expired before AWS saw it: obtain it right before the step (GitLab id_tokens, Jenkins credential binding)."
        : code === "InvalidIdentityToken"
          ? `AWS could not verify the token: create an IAM OIDC identity provider for the issuer ${typeof ctx.claims.iss === "string" ? ctx.claims.iss : "(iss)"} with the audience ${ctx.audience}.`
          : `The trust policy of ${ctx.roleArn} must allow sts:AssumeRoleWithWebIdentity for this token: its Federated principal is the issuer's OIDC provider, its condition on "<issuer>:aud" must be ${aud.join(", ") || ctx.audience} and on "<issuer>:sub" must match ${typeof ctx.claims.sub === "string" ? `"${ctx.claims.sub}"` : "the token's sub"} (see docs/aws.md).`;
    return new AuthError(
      `AWS refused to let this job assume ${ctx.roleArn} (${reason}). Token from ${ctx.tokenOrigin}: ${shown}.`,
      {
        hint,
        claims,
        reasons: [e.message],
        cause: error,
      },
    );
  }
  if (["ValidationError", "InvalidParameterValue", "MalformedPolicyDocument", "PackedPolicyTooLarge"].includes(code)) {
    return new ConfigError(`AWS rejected the AssumeRoleWithWebIdentity request for ${ctx.roleArn}: ${e.message}.`, {
      hint: "Check role-arn, session-duration (900 s up to the role's MaximumSessionDuration) and session-name (2 to 64 of A-Z a-z 0-9 +=,.@_-).",
      cause: error,
    });
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
  if (NOT_FOUND.has(e.name)) {
    return new SecretNotFoundError(`Not found in ${ctx.region}: ${what}.`, {
      hint: "Check the name, the region and the version; or mark the secret `required: false`.",
      cause: error,
    });
  }
  if (e.name === "InvalidRequestException" && /deletion|deleted/i.test(e.message)) {
    return new SecretNotFoundError(`${what} is scheduled for deletion and cannot be read.`, {
      hint: "Restore it (aws secretsmanager restore-secret --secret-id ...) or point the manifest at its replacement.",
      cause: error,
    });
  }
  if (DENIED.has(e.name)) {
    return new PermissionDeniedError(`Permission denied reading ${what} as ${ctx.roleArn}.`, {
      hint: `Allow ${ctx.action} on ${ctx.resource} in a policy attached to the role ${ctx.roleArn}.`,
      cause: error,
    });
  }
  if (KMS.has(e.name)) {
    return new PermissionDeniedError(`${what} could not be decrypted as ${ctx.roleArn}: ${e.name}.`, {
      hint: "Allow kms:Decrypt on the secret's KMS key to the role (key policy or IAM policy).",
      cause: error,
    });
  }
  if (e.fault === "client" && e.status !== undefined && e.status < 500 && e.status !== 429 && !/Throttl/.test(e.name)) {
    return new ConfigError(`AWS refused the read of ${what}: ${e.name}: ${e.message}.`, { cause: error });
  }
  return unavailableAws(error, `reading ${what}`, `${ctx.action.split(":")[0] ?? "AWS"} in ${ctx.region}`);
}

/** unavailableAws maps network failures, throttling that outlasted the retries, and 5xx. */
export function unavailableAws(error: unknown, doing: string, service: string): VaultgateError {
  const e = shapeOf(error);
  return new VaultUnavailableError(`AWS (${service}) failed while ${doing}: ${e.name}: ${e.message}.`, {
    hint: "Check the region, the network and proxy settings, and the endpoint (sources.aws.endpoint) if one is set.",
    cause: error,
  });
}
