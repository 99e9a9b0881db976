/**
 * config/sources — the sources a configuration names and which one each secret comes
 * from. `sources.vault` is the vault (the same keys as the top-level `vault:`, which
 * stays valid), `sources.aws` is AWS Secrets Manager and SSM Parameter Store through STS.
 * The rule: a secret is read from the configuration's only source; with both, from the
 * vault unless it names AWS (`source: aws`, or an `aws://` path, a prefix vault-action's
 * `path key | NAME` syntax never produces: vault paths have no scheme). The vault is a
 * source when the configuration names it (`vault:`, `sources.vault`, url input or flag)
 * or VAULT_ADDR does; one known only from VAULT_ADDR that no secret reads from is not
 * contacted. So `sources.aws` alone is AWS-only. AWS references are checked here, before
 * anything is loaded or sent.
 */
import { ConfigError } from "../errors.js";
import { parseAwsRef } from "../providers/aws/refs.js";
import { expectObject, optionalBoolean, optionalDuration, optionalString, rejectUnknownKeys, type RawObject } from "./fields.js";
import type { NormalizeContext } from "./normalize.js";
import { normalizeIdToken } from "./normalize.js";
import {
  DEFAULT_AWS_AUDIENCE,
  MIN_AWS_SESSION_SECONDS,
  type AwsSourceConfig,
  type SecretSpec,
  type VaultConfig,
  type VaultgateConfig,
} from "./schema.js";

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

/**
 * splitSources returns the vault's raw mapping (sources.vault or the top-level vault;
 * undefined when the configuration names no vault) and the raw AWS mapping.
 */
export function splitSources(
  top: RawObject,
  ctx: NormalizeContext,
): { vault: RawObject | undefined; aws: RawObject | undefined } {
  const where = `${ctx.source} sources`;
  const sources = expectObject(top.sources, where);
  rejectUnknownKeys(sources, SOURCE_NAMES, where);
  if (sources.vault !== undefined && top.vault !== undefined) {
    throw new ConfigError(`${ctx.source} names the vault twice: in vault: and in sources.vault.`, {
      hint: "Keep one of them (sources.vault when the manifest has several sources).",
    });
  }
  const named = sources.vault ?? top.vault;
  const vault =
    named === undefined || named === null
      ? undefined
      : expectObject(named, sources.vault !== undefined ? `${where}.vault` : `${ctx.source} vault`);
  const aws = sources.aws === undefined || sources.aws === null ? undefined : expectObject(sources.aws, `${where}.aws`);
  return { vault, aws };
}

/**
 * normalizeAws validates `sources.aws`. `idTokenFallback` is the login's token source
 * (auth.id-token, flag --id-token-variable) an AWS-only configuration lends the AWS source
 * when it names none of its own.
 */
export function normalizeAws(obj: RawObject, ctx: NormalizeContext, idTokenFallback?: unknown): AwsSourceConfig {
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
    idToken:
      obj["id-token"] === undefined && idTokenFallback !== undefined
        ? normalizeIdToken(idTokenFallback, ctx)
        : normalizeIdToken(obj["id-token"], ctx, `${where}.id-token`),
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

/** readsFromVault tells whether a spec reads from the vault when the configuration has one (no aws://, no source: aws). */
export function readsFromVault(spec: SecretSpec): boolean {
  return !spec.path.startsWith(AWS_PREFIX) && spec.source !== "aws";
}

/**
 * assignSources gives each spec its source. With a vault, an `aws://` path or
 * `source: aws` is the AWS source and everything else the vault; without one (AWS-only)
 * every spec is AWS's, `aws://` optional. Each AWS reference is checked; a secret that
 * names a source the configuration lacks is refused, naming the fix.
 */
export function assignSources(
  specs: readonly SecretSpec[],
  sources: { vault: boolean; aws: AwsSourceConfig | undefined },
  label: string,
): SecretSpec[] {
  const { aws } = sources;
  return specs.map((spec) => {
    const prefixed = spec.path.startsWith(AWS_PREFIX);
    if (prefixed && spec.source === "vault") {
      throw new ConfigError(`${spec.origin}: an aws:// path cannot have source: vault.`, {
        hint: "Remove source:, or write the vault path without aws://.",
      });
    }
    if (!sources.vault && (spec.source === "vault" || spec.method === "POST")) {
      throw new ConfigError(
        `${spec.origin} ${spec.method === "POST" ? "issues from a vault engine (method: POST, pki)" : "reads from the vault"}, but ${label} names no vault (only sources.aws).`,
        { hint: "Name the vault too: sources.vault.url in the manifest (input url, flag --url), or read the secret from AWS." },
      );
    }
    const fromAws = prefixed || spec.source === "aws" || !sources.vault;
    if (!fromAws) return spec;
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
    if (prefixed || spec.source === "aws") parseAwsRef(path, spec.origin);
    else checkDefaultRef(path, spec.origin, label);
    return { ...spec, path, source: "aws" as const };
  });
}

/** checkDefaultRef checks a path that is AWS's only because AWS is the one source, saying so when it names no AWS service. */
function checkDefaultRef(path: string, origin: string, label: string): void {
  const service = path.split("/")[0] ?? "";
  if (!["secretsmanager", "sm", "ssm"].includes(service) || !path.includes("/")) {
    throw new ConfigError(
      `"${path}" (${origin}) is read from AWS, the only source ${label} names, but it is not an AWS secret reference.`,
      {
        hint: "Write secretsmanager/<secret name or ARN> or ssm/<parameter path> (aws:// optional); for a vault path, name the vault too (sources.vault.url, input url, flag --url).",
      },
    );
  }
  parseAwsRef(path, origin);
}

/** vaultOf returns the configuration's vault for a command that only speaks to a vault; an AWS-only one is refused. */
export function vaultOf(config: VaultgateConfig, command: string): VaultConfig {
  if (config.vault) return config.vault;
  throw new ConfigError(`${command} works on a vault, and this configuration names none (only sources.aws).`, {
    hint: "Name the vault (manifest `vault.url` or `sources.vault.url`, flag --url); AWS IAM trust is set up as docs/aws.md shows.",
  });
}
