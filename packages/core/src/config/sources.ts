/**
 * config/sources — the sources a manifest names and which one each secret comes from.
 * `sources.vault` is the vault (the same keys as the top-level `vault:`, which stays
 * valid), `sources.aws` is AWS Secrets Manager and SSM Parameter Store through STS. A
 * secret is read from the vault unless it names the AWS source: `source: aws` in its
 * mapping, or an `aws://` path (`aws://secretsmanager/<name>`, `aws://ssm/<path>`), a
 * prefix vault-action's `path key | NAME` syntax never produces (vault paths have no
 * scheme). AWS references are checked here, before anything is loaded or sent.
 */
import { ConfigError } from "../errors.js";
import { parseAwsRef } from "../providers/aws/refs.js";
import { expectObject, optionalBoolean, optionalDuration, optionalString, rejectUnknownKeys, type RawObject } from "./fields.js";
import type { NormalizeContext } from "./normalize.js";
import { normalizeIdToken } from "./normalize.js";
import { DEFAULT_AWS_AUDIENCE, MIN_AWS_SESSION_SECONDS, type AwsSourceConfig, type SecretSpec } from "./schema.js";

/** AWS_PREFIX marks an inline secret of the AWS source. */
export const AWS_PREFIX = "aws://";

/** SOURCE_NAMES are the sources a manifest may name. */
export const SOURCE_NAMES = ["vault", "aws"] as const;

const AWS_KEYS = [
  "role-arn",
  "region",
  "audience",
  "session-duration",
  "session-name",
  "id-token",
  "export-credentials",
  "endpoint",
] as const;

/** MAX_AWS_SESSION_SECONDS is the longest session STS grants (a role's MaxSessionDuration up to 12 h). */
const MAX_AWS_SESSION_SECONDS = 43_200;

/** splitSources returns the vault's raw mapping (sources.vault or the top-level vault) and the raw AWS mapping. */
export function splitSources(top: RawObject, ctx: NormalizeContext): { vault: RawObject; aws: RawObject | undefined } {
  const where = `${ctx.source} sources`;
  const sources = expectObject(top.sources, where);
  rejectUnknownKeys(sources, SOURCE_NAMES, where);
  if (sources.vault !== undefined && top.vault !== undefined) {
    throw new ConfigError(`${ctx.source} names the vault twice: in vault: and in sources.vault.`, {
      hint: "Keep one of them (sources.vault when the manifest has several sources).",
    });
  }
  const vault = expectObject(sources.vault ?? top.vault, sources.vault !== undefined ? `${where}.vault` : `${ctx.source} vault`);
  const aws = sources.aws === undefined || sources.aws === null ? undefined : expectObject(sources.aws, `${where}.aws`);
  return { vault, aws };
}

/** normalizeAws validates `sources.aws`. */
export function normalizeAws(obj: RawObject, ctx: NormalizeContext): AwsSourceConfig {
  const where = `${ctx.source} sources.aws`;
  rejectUnknownKeys(obj, AWS_KEYS, where);
  const roleArn = optionalString(obj, "role-arn", where);
  if (!roleArn) {
    throw new ConfigError(`${where} needs role-arn.`, {
      hint: "Name the IAM role the job assumes: role-arn: arn:aws:iam::123456789012:role/deploy (input aws-role-arn).",
    });
  }
  if (!/^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]+$/.test(roleArn)) {
    throw new ConfigError(`${where}.role-arn "${roleArn}" is not an IAM role ARN.`, {
      hint: "Write it as arn:aws:iam::<12-digit account>:role/<name>.",
    });
  }
  const region = optionalString(obj, "region", where) ?? ctx.env.AWS_REGION ?? ctx.env.AWS_DEFAULT_REGION;
  if (!region) {
    throw new ConfigError(`${where} needs a region.`, {
      hint: "Set region: (input aws-region) or the AWS_REGION variable.",
    });
  }
  if (!/^[a-z]{2}(-[a-z]+)+-\d+$/.test(region)) {
    throw new ConfigError(`${where}.region "${region}" is not an AWS region.`, { hint: "e.g. region: eu-west-1." });
  }
  const duration = optionalDuration(obj, "session-duration", where) ?? MIN_AWS_SESSION_SECONDS;
  if (duration < MIN_AWS_SESSION_SECONDS || duration > MAX_AWS_SESSION_SECONDS) {
    throw new ConfigError(`${where}.session-duration must be between 15m and 12h.`, {
      hint: "STS grants 900 to 43200 seconds, and at most the role's MaxSessionDuration.",
    });
  }
  const endpoint = optionalString(obj, "endpoint", where);
  if (endpoint !== undefined && !/^https?:\/\/[^\s/]+/.test(endpoint)) {
    throw new ConfigError(`${where}.endpoint "${endpoint}" is not a URL.`, {
      hint: "e.g. endpoint: https://vpce-….amazonaws.com.",
    });
  }
  return {
    roleArn,
    region,
    audience: optionalString(obj, "audience", where) ?? DEFAULT_AWS_AUDIENCE,
    idToken: normalizeIdToken(obj["id-token"], ctx, `${where}.id-token`),
    sessionDurationSeconds: duration,
    sessionName: optionalString(obj, "session-name", where),
    exportCredentials: optionalBoolean(obj, "export-credentials", where) ?? false,
    endpoint,
  };
}

/** sourceOf reads a secret mapping's `source:` key. */
export function sourceOf(obj: RawObject, origin: string): SecretSpec["source"] {
  const text = optionalString(obj, "source", origin);
  if (text === undefined) return undefined;
  if (text !== "vault" && text !== "aws") {
    throw new ConfigError(`${origin}.source "${text}" is not a source.`, { hint: "Write source: vault or source: aws." });
  }
  return text;
}

/**
 * assignSources gives each spec its source: an `aws://` path or `source: aws` is the AWS
 * source (its reference checked), everything else the vault. An AWS secret without
 * `sources.aws` is refused, naming the fix.
 */
export function assignSources(specs: readonly SecretSpec[], aws: AwsSourceConfig | undefined, label: string): SecretSpec[] {
  return specs.map((spec) => {
    const prefixed = spec.path.startsWith(AWS_PREFIX);
    if (prefixed && spec.source === "vault") {
      throw new ConfigError(`${spec.origin}: an aws:// path cannot have source: vault.`, {
        hint: "Remove source:, or write the vault path without aws://.",
      });
    }
    if (!prefixed && spec.source !== "aws") return spec;
    const path = prefixed ? spec.path.slice(AWS_PREFIX.length) : spec.path;
    if (!aws) {
      throw new ConfigError(`${spec.origin} reads from AWS, but ${label} names no AWS source.`, {
        hint: "Add sources.aws with role-arn and region to the manifest (inputs aws-role-arn and aws-region).",
      });
    }
    if (spec.method === "POST") {
      throw new ConfigError(`${spec.origin}: AWS secrets are read, never written (method: POST).`, {
        hint: "Remove method and params.",
      });
    }
    parseAwsRef(path, spec.origin);
    return { ...spec, path, source: "aws" as const };
  });
}
