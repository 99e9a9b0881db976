/**
 * commands/policy — `vaultgate policy`: writes the least-privilege trust for a job (jwt
 * mount config, one role per environment, one ACL policy) from the manifest and who may
 * use it, as bao/vault commands, policy HCL, Terraform or API JSON, or applies it to a
 * vault with an admin token (diff first; --dry-run writes nothing).
 */
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import {
  ConfigError,
  USER_AGENT,
  loadConfig,
  parseDuration,
  vaultOf,
  writeFileAtomic,
  type Env,
  type VaultgateConfig,
} from "@vaultgate/core";
import {
  DEFAULT_ISSUERS,
  POLICY_FORMATS,
  applyPlan,
  generateTrust,
  jenkinsIssuer,
  lookupGitHubIds,
  lookupGitLabIds,
  renderPlan,
  type KeySource,
  type PolicyFormat,
  type TrustPlatform,
  type TrustRequest,
  type TrustSubject,
} from "@vaultgate/core/policy";
import { CONFIG_OPTIONS, COMMON_OPTIONS, parseCommand, toInputs, type Parsed } from "../options.js";
import type { CommandContext } from "../context.js";
import { adminToken, withAdmin } from "../admin.js";

export const POLICY_HELP = `Usage: vaultgate policy --platform github|gitlab|jenkins [who] [options]

Writes the trust a job needs and nothing more: the jwt auth mount config, one role per
environment (or one for the refs), and one ACL policy with exactly the manifest's paths.
Every artefact carries a comment line per binding saying what it allows and why.

Who may log in:
      --platform P            github, gitlab or jenkins
      --repository OWNER/REPO GitHub repository; --repository-id N, --owner-id N (looked up with $GITHUB_TOKEN)
      --project GROUP/PROJECT GitLab project; --project-id N, --namespace-id N (looked up with $GITLAB_TOKEN)
      --jenkins-url URL, --job FOLDER/JOB   Jenkins controller and job paths (repeatable)
      --branch NAME, --tag NAME, --ref REF  refs allowed (repeatable; a * makes a glob)
      --environment NAME      one role per environment (repeatable)
      --workflow FILE         GitHub: bind job_workflow_ref to this workflow (or owner/repo/path@ref)
      --allow-unprotected     GitLab: do not require ref_protected / environment_protected
Vault side:
      --url URL, --namespace NS, --mount PATH (default jwt), --role NAME (default deploy)
      --audience AUD          the audience roles require (default: the vault URL)
      --policy-name NAME      default <mount>-<role>
      --issuer URL            GitHub Enterprise or self-managed GitLab issuer
      --discovery-url URL | --jwks-url URL | --public-key FILE (repeatable)   signing keys (default: discovery at the issuer)
      --ttl D, --max-ttl D    token_ttl (default 15m) and token_max_ttl (default 1h)
      --kv2 MOUNT             KV version 2 mounts (repeatable, default secret)
  -f, --manifest FILE, -s/--secret, --secrets   the secrets the job reads
Output:
      --format F              cli (bao/vault commands, default), hcl (the policy), terraform, json (API requests)
      --cli bao|vault         the binary the cli format calls (default bao)
  -o, --output FILE           write to FILE instead of stdout
      --apply                 write to the vault with $VAULT_TOKEN/$BAO_TOKEN (or --token-variable); shows the diff first
      --dry-run               with --apply: show the diff, write nothing
      --github-api-url URL    [VAULTGATE_GITHUB_API_URL] (default https://api.github.com)
      --gitlab-api-url URL    [VAULTGATE_GITLAB_API_URL] (default: the issuer)

Exit codes: 0 written, 2 usage or configuration error, 5 the vault could not be reached.`;

const OPTIONS = {
  ...COMMON_OPTIONS,
  ...CONFIG_OPTIONS,
  platform: { type: "string" },
  repository: { type: "string" },
  "repository-id": { type: "string" },
  "owner-id": { type: "string" },
  project: { type: "string" },
  "project-id": { type: "string" },
  "namespace-id": { type: "string" },
  "jenkins-url": { type: "string" },
  job: { type: "string", multiple: true },
  branch: { type: "string", multiple: true },
  tag: { type: "string", multiple: true },
  ref: { type: "string", multiple: true },
  environment: { type: "string", multiple: true },
  workflow: { type: "string" },
  "allow-unprotected": { type: "boolean" },
  "policy-name": { type: "string" },
  issuer: { type: "string" },
  "discovery-url": { type: "string" },
  "jwks-url": { type: "string" },
  "public-key": { type: "string", multiple: true },
  ttl: { type: "string" },
  "max-ttl": { type: "string" },
  kv2: { type: "string", multiple: true },
  format: { type: "string" },
  cli: { type: "string" },
  output: { type: "string", short: "o" },
  apply: { type: "boolean" },
  "dry-run": { type: "boolean" },
  "github-api-url": { type: "string" },
  "gitlab-api-url": { type: "string" },
} as const;

type Values = Parsed<typeof OPTIONS>["values"];

/** policyCommand runs `vaultgate policy`. */
export async function policyCommand(argv: string[], ctx: CommandContext): Promise<number> {
  const { values } = parseCommand("policy", argv, OPTIONS);
  if (values.help) {
    ctx.stdout.write(`${POLICY_HELP}\n`);
    return 0;
  }
  const format = (values.format ?? "cli") as PolicyFormat;
  if (!POLICY_FORMATS.includes(format))
    throw new ConfigError(`--format must be one of ${POLICY_FORMATS.join(", ")}, got "${format}".`);
  const cli = values.cli ?? "bao";
  if (cli !== "bao" && cli !== "vault") throw new ConfigError(`--cli must be bao or vault, got "${cli}".`);
  if (values["dry-run"] && !values.apply) throw new ConfigError("--dry-run goes with --apply.", { hint: "Add --apply." });
  const { inputs, manifest } = toInputs(values, ctx.env);
  const config = loadConfig({ inputs, manifest, env: ctx.env, cwd: ctx.cwd });
  const request = await trustRequest(values, config, ctx);
  const plan = generateTrust(request);
  for (const warning of plan.warnings) ctx.stderr.write(`Warning: ${warning}\n`);
  if (!values.apply) {
    const text = renderPlan(plan, format, cli);
    if (values.output) writeFileAtomic(resolve(ctx.cwd, values.output), text, 0o644);
    else ctx.stdout.write(text);
    return 0;
  }
  const dryRun = values["dry-run"] ?? false;
  const token = adminToken(ctx.env, values["token-variable"], "policy --apply");
  const result = await withAdmin(config, token, "applying the trust", (client) => applyPlan(client, plan, { dryRun }));
  if (result.diff.length === 0)
    ctx.stdout.write(`No changes: ${vaultOf(config, "vaultgate policy").url} already holds this trust.\n`);
  else ctx.stdout.write(`${result.diff.join("\n")}\n`);
  if (dryRun) ctx.stdout.write(`Dry run: ${result.changes.length} change(s) shown, nothing written.\n`);
  else if (result.written.length > 0) ctx.stdout.write(`Wrote ${result.written.join(", ")}.\n`);
  return 0;
}

function list(values: readonly string[] | undefined): string[] {
  return [...(values ?? [])];
}

/** refsOf turns --branch/--tag/--ref into full refs. */
function refsOf(values: Values): string[] {
  return [
    ...list(values.branch).map((b) => `refs/heads/${b}`),
    ...list(values.tag).map((t) => `refs/tags/${t}`),
    ...list(values.ref).map((r) => (r.startsWith("refs/") ? r : `refs/heads/${r}`)),
  ];
}

function numericId(flag: string, value: string | undefined): string | undefined {
  if (value !== undefined && !/^\d+$/.test(value)) throw new ConfigError(`--${flag} must be a number, got "${value}".`);
  return value;
}

function requireFlag(value: string | undefined, flag: string, platform: string): string {
  if (!value) throw new ConfigError(`--platform ${platform} needs --${flag}.`, { hint: "Run `vaultgate policy --help`." });
  return value;
}

async function subjectOf(values: Values, platform: TrustPlatform, issuer: string, env: Env): Promise<TrustSubject> {
  const refs = refsOf(values);
  const environments = list(values.environment);
  switch (platform) {
    case "github": {
      const repository = requireFlag(values.repository, "repository", platform);
      let repositoryId = numericId("repository-id", values["repository-id"]);
      let ownerId = numericId("owner-id", values["owner-id"]);
      const token = env.GITHUB_TOKEN || env.GH_TOKEN;
      if ((!repositoryId || !ownerId) && token) {
        const baseUrl = values["github-api-url"] ?? (env.VAULTGATE_GITHUB_API_URL || "https://api.github.com");
        const ids = await lookupGitHubIds(repository, { token, baseUrl, userAgent: USER_AGENT });
        repositoryId ??= ids.repositoryId;
        ownerId ??= ids.ownerId;
      }
      return { platform, repository, repositoryId, ownerId, refs, environments, workflow: values.workflow };
    }
    case "gitlab": {
      const project = requireFlag(values.project, "project", platform);
      let projectId = numericId("project-id", values["project-id"]);
      let namespaceId = numericId("namespace-id", values["namespace-id"]);
      const token = env.GITLAB_TOKEN;
      if ((!projectId || !namespaceId) && token) {
        const baseUrl = values["gitlab-api-url"] ?? (env.VAULTGATE_GITLAB_API_URL || issuer);
        const ids = await lookupGitLabIds(project, { token, baseUrl, userAgent: USER_AGENT });
        projectId ??= ids.projectId;
        namespaceId ??= ids.namespaceId;
      }
      const protectedOnly = !(values["allow-unprotected"] ?? false);
      return { platform, project, projectId, namespaceId, refs, environments, protectedOnly };
    }
    case "jenkins":
      return { platform, jenkinsUrl: requireFlag(values["jenkins-url"], "jenkins-url", platform), jobs: list(values.job) };
  }
}

function keysOf(values: Values, issuer: string, cwd: string): KeySource {
  const given = [values["discovery-url"], values["jwks-url"], values["public-key"]?.length ? "keys" : undefined].filter(Boolean);
  if (given.length > 1) throw new ConfigError("Give one of --discovery-url, --jwks-url and --public-key.");
  if (values["jwks-url"]) return { kind: "jwks", url: values["jwks-url"] };
  if (values["public-key"]?.length) {
    const pems = values["public-key"].map((file) => {
      try {
        return readFileSync(resolve(cwd, file), "utf8").trim();
      } catch (error) {
        throw new ConfigError(`Cannot read the public key ${file}.`, { cause: error });
      }
    });
    if (pems.some((p) => !p.includes("-----BEGIN PUBLIC KEY-----")))
      throw new ConfigError("--public-key needs PEM public keys (-----BEGIN PUBLIC KEY-----).");
    return { kind: "pubkeys", pems };
  }
  return { kind: "discovery", url: values["discovery-url"] ?? issuer };
}

async function trustRequest(values: Values, config: VaultgateConfig, ctx: CommandContext): Promise<TrustRequest> {
  const given = values.platform;
  if (given !== "github" && given !== "gitlab" && given !== "jenkins")
    throw new ConfigError(`--platform must be github, gitlab or jenkins${given ? `, got "${given}"` : ""}.`);
  const platform: TrustPlatform = given;
  const jenkinsUrl = values["jenkins-url"];
  const issuer = (
    values.issuer ?? (platform === "jenkins" && jenkinsUrl ? jenkinsIssuer(jenkinsUrl) : DEFAULT_ISSUERS[platform])
  )?.replace(/\/+$/, "");
  if (!issuer) throw new ConfigError(`--platform ${platform} needs --jenkins-url (or --issuer).`);
  const mount = config.auth.method === "jwt" ? config.auth.mount : "jwt";
  const role = values.role ?? (config.auth.method === "jwt" ? config.auth.role : undefined) ?? "deploy";
  const ttl = parseDuration(values.ttl ?? "15m");
  const maxTtl = parseDuration(values["max-ttl"] ?? "1h");
  if (ttl === undefined || maxTtl === undefined) throw new ConfigError("--ttl and --max-ttl must be durations such as 15m.");
  return {
    subject: await subjectOf(values, platform, issuer, ctx.env),
    mount,
    role,
    policyName: values["policy-name"] ?? `${mount.replace(/\//g, "-")}-${role}`,
    audience: (config.auth.method === "jwt" ? config.auth.audience : undefined) ?? vaultOf(config, "vaultgate policy").url,
    issuer,
    keys: keysOf(values, issuer, ctx.cwd),
    ttlSeconds: ttl,
    maxTtlSeconds: maxTtl,
    secrets: config.secrets.map((s) => ({ path: s.path, method: s.method, origin: s.origin })),
    kv2Mounts: values.kv2?.length ? values.kv2 : ["secret"],
  };
}
