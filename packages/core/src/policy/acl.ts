/**
 * policy/acl — ACL policies: the least-privilege rules a manifest needs (exact paths;
 * read for KV data and GET engines, update only for engines that issue on POST; the
 * few token paths vaultgate's own lifecycle uses), their HCL text with one comment per
 * rule, and the parse of existing policy HCL for lint (hcl2-parser, loaded lazily).
 */
import { ConfigError } from "../errors.js";
import type { PolicyRule, SecretAccess } from "./model.js";

/**
 * LIFECYCLE_RULES are what a vaultgate session calls on its own token. The roles set
 * token_no_default_policy, so the generated policy carries these itself and a
 * permissive `default` policy grants the job nothing.
 */
export const LIFECYCLE_RULES: readonly PolicyRule[] = [
  { path: "auth/token/lookup-self", capabilities: ["read"], comment: "vaultgate reads its token's TTL (check, renewal)" },
  { path: "auth/token/renew-self", capabilities: ["update"], comment: "vaultgate renews its token during a long job" },
  {
    path: "auth/token/revoke-self",
    capabilities: ["update"],
    comment: "vaultgate revokes its token (and its leases) at job end",
  },
  {
    path: "sys/capabilities-self",
    capabilities: ["update"],
    comment: "vaultgate check asks what the token may do, reading nothing",
  },
  { path: "sys/leases/renew", capabilities: ["update"], comment: "vaultgate renews dynamic-secret leases during a long job" },
  { path: "sys/leases/lookup", capabilities: ["update"], comment: "vaultgate check looks up lease TTLs" },
];

/** apiPathOf is the path a manifest entry is read at: KV v2 mounts get `data/`. */
export function apiPathOf(path: string, kv2Mounts: readonly string[]): { apiPath: string; kv: boolean } {
  const clean = path.replace(/^\/+|\/+$/g, "");
  const mount = kv2Mounts.find((m) => clean === m || clean.startsWith(`${m}/`));
  if (!mount) return { apiPath: clean, kv: false };
  const rest = clean.slice(mount.length + 1);
  return { apiPath: rest.startsWith("data/") ? `${mount}/${rest}` : `${mount}/data/${rest}`, kv: true };
}

/** secretRules computes one exact rule per distinct path of the manifest's secrets. */
export function secretRules(secrets: readonly SecretAccess[], kv2Mounts: readonly string[]): PolicyRule[] {
  const byPath = new Map<string, { caps: Set<string>; origins: string[]; kv: boolean; post: boolean }>();
  for (const secret of secrets) {
    const { apiPath, kv } = apiPathOf(secret.path, kv2Mounts);
    if (/[*+]/.test(apiPath))
      throw new ConfigError(`${secret.origin}: the path ${secret.path} holds a wildcard; a policy is written for exact paths.`, {
        hint: "List each secret's path.",
      });
    const entry = byPath.get(apiPath) ?? { caps: new Set<string>(), origins: [], kv, post: false };
    entry.caps.add(secret.method === "POST" ? "update" : "read");
    entry.post ||= secret.method === "POST";
    entry.origins.push(secret.origin);
    byPath.set(apiPath, entry);
  }
  if (byPath.size === 0)
    throw new ConfigError("The manifest names no secrets, so there is nothing to grant.", {
      hint: "Pass -f vaultgate.yml or -s 'secret/data/app password'.",
    });
  return [...byPath.entries()].map(([path, e]) => ({
    path,
    capabilities: [...e.caps].sort(),
    comment: e.post
      ? `issue on POST for ${e.origins.join(", ")} (update only: the engine creates a credential)`
      : `read ${e.kv ? "this one KV secret" : "this one path"} for ${e.origins.join(", ")}`,
  }));
}

/** hclString quotes a string for HCL. */
export function hclString(value: string): string {
  return JSON.stringify(value).replace(/\$\{/g, "$${").replace(/%\{/g, "%%{");
}

/** renderPolicy writes rules as ACL policy HCL, a comment line above each rule. */
export function renderPolicy(header: readonly string[], rules: readonly PolicyRule[]): string {
  const lines = header.map((h) => `# ${h}`);
  for (const rule of rules) {
    lines.push("", `# ${rule.comment}`);
    lines.push(
      `path ${hclString(rule.path)} {`,
      `  capabilities = [${rule.capabilities.map((c) => hclString(c)).join(", ")}]`,
      "}",
    );
  }
  return `${lines.join("\n")}\n`;
}

/** ParsedRule is one path block of an existing policy. */
export interface ParsedRule {
  path: string;
  capabilities: string[];
}

/** parseHcl parses HCL text into JSON (lazily loads hcl2-parser); throws ConfigError with `label`. */
export async function parseHcl(text: string, label: string): Promise<Record<string, unknown>> {
  const hcl = (await import("hcl2-parser")) as unknown as { default?: HclModule } & HclModule;
  const parse = hcl.parseToObject ?? hcl.default?.parseToObject;
  if (!parse) throw new ConfigError("The HCL parser could not be loaded.");
  const [result, error] = parse(text) as [Record<string, unknown> | null, unknown];
  if (!result || (error !== null && typeof error === "object" && Object.keys(error).length > 0)) {
    const detail = typeof error === "object" && error !== null && "Summary" in error ? String(error.Summary) : "";
    throw new ConfigError(`${label} is not valid HCL${detail ? `: ${detail}` : ""}.`, {
      hint: "Run `terraform fmt` or `bao policy fmt` on it.",
    });
  }
  return result;
}

interface HclModule {
  parseToObject?: (input: string) => unknown;
}

/** parsePolicy reads the path blocks of an ACL policy. */
export async function parsePolicy(text: string, label: string): Promise<ParsedRule[]> {
  if (text.trim() === "") return [];
  const doc = await parseHcl(text, label);
  const paths = doc.path;
  const rules: ParsedRule[] = [];
  if (paths === null || typeof paths !== "object") return rules;
  for (const [path, blocks] of Object.entries(paths as Record<string, unknown>)) {
    for (const block of Array.isArray(blocks) ? blocks : [blocks]) {
      const caps = (block as { capabilities?: unknown; policy?: unknown } | null)?.capabilities;
      const legacy = (block as { policy?: unknown } | null)?.policy;
      const list = Array.isArray(caps) ? caps.map(String) : typeof legacy === "string" ? legacyCapabilities(legacy) : [];
      rules.push({ path, capabilities: list });
    }
  }
  return rules;
}

/** legacyCapabilities maps the old `policy = "write"` form to capabilities. */
function legacyCapabilities(policy: string): string[] {
  switch (policy) {
    case "read":
      return ["read", "list"];
    case "write":
      return ["create", "read", "update", "delete", "list"];
    case "sudo":
      return ["create", "read", "update", "delete", "list", "sudo"];
    default:
      return [];
  }
}
