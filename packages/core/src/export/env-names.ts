/**
 * export/env-names — the one environment-name safety rule. A secret's name can come from
 * vault data (every key of a `*`/`**` export becomes a variable), and a variable such as
 * PATH, LD_PRELOAD, BASH_ENV or HTTPS_PROXY decides which program runs or who it talks
 * to. So every exporter (exec's child, the dotenv/shell/JSON files, GITHUB_ENV, the GitLab
 * and Jenkins wrappers through the CLI) passes its names through `checkExportNames`:
 *
 *   - a name must be a plain variable name (letters, digits, `_`, not starting with a digit);
 *   - a name taken from vault keys (a wildcard export) that is on PROTECTED_ENV_NAMES
 *     fails the run before anything is exported;
 *   - a name the user wrote (`| NAME`, `name:`) that is on the list is refused unless the
 *     user opts in to exactly that name with `allow-env-names`;
 *   - two secrets that produce the same name are a configuration error.
 *
 * Names are compared case-insensitively: Windows environments are, and some shells tie
 * lower-case names to upper-case ones (zsh's `path`).
 */
import { ConfigError } from "../errors.js";

/** ProtectedName is one entry of the list: a name, or a `PREFIX*` / `*SUFFIX` pattern, and why. */
export interface ProtectedName {
  pattern: string;
  why: string;
}

/**
 * PROTECTED_ENV_NAMES lists the names that change how programs run or whom they talk to.
 * docs/configuration.md ("Environment names vaultgate refuses") shows the same table.
 */
export const PROTECTED_ENV_NAMES: readonly ProtectedName[] = [
  { pattern: "PATH", why: "chooses which program runs" },
  { pattern: "LD_*", why: "the dynamic linker loads libraries from it (LD_PRELOAD, LD_LIBRARY_PATH)" },
  { pattern: "DYLD_*", why: "the macOS dynamic linker loads libraries from it" },
  { pattern: "BASH_ENV", why: "bash runs this file before every script" },
  { pattern: "ENV", why: "sh runs this file at start-up" },
  { pattern: "BASH_FUNC_*", why: "bash imports functions from it" },
  { pattern: "SHELLOPTS", why: "sets shell options (xtrace prints commands and values)" },
  { pattern: "BASHOPTS", why: "sets shell options" },
  { pattern: "PS4", why: "bash expands it on every traced command" },
  { pattern: "PROMPT_COMMAND", why: "bash runs it" },
  { pattern: "IFS", why: "changes how the shell splits words" },
  { pattern: "CDPATH", why: "changes where `cd` goes" },
  { pattern: "HOME", why: "moves every tool's configuration (.gitconfig, .npmrc, .ssh)" },
  { pattern: "TMPDIR", why: "moves every program's temporary files" },
  { pattern: "SHELL", why: "chooses the shell programs start" },
  { pattern: "EDITOR", why: "a command some tools run" },
  { pattern: "PAGER", why: "a command some tools run" },
  { pattern: "GIT_*", why: "git runs commands from it (GIT_SSH_COMMAND) and reads its configuration from it" },
  { pattern: "SSH_AUTH_SOCK", why: "ssh signs with the agent it names" },
  { pattern: "SSH_ASKPASS", why: "ssh runs it" },
  { pattern: "*_PROXY", why: "sends HTTP traffic (and tokens) through another host" },
  { pattern: "NODE_*", why: "node loads code and CAs from it (NODE_OPTIONS, NODE_EXTRA_CA_CERTS)" },
  { pattern: "NPM_CONFIG_*", why: "npm reads its registry, scripts and token from it" },
  { pattern: "PYTHON*", why: "python loads code from it (PYTHONPATH, PYTHONSTARTUP)" },
  { pattern: "PERL5*", why: "perl loads code from it (PERL5LIB, PERL5OPT)" },
  { pattern: "PERLLIB", why: "perl loads code from it" },
  { pattern: "RUBY*", why: "ruby loads code from it (RUBYOPT, RUBYLIB)" },
  { pattern: "GEM_HOME", why: "ruby loads gems from it" },
  { pattern: "GEM_PATH", why: "ruby loads gems from it" },
  { pattern: "JAVA_TOOL_OPTIONS", why: "every JVM takes options (agents) from it" },
  { pattern: "_JAVA_OPTIONS", why: "every JVM takes options from it" },
  { pattern: "JDK_JAVA_OPTIONS", why: "the java launcher takes options from it" },
  { pattern: "CLASSPATH", why: "the JVM loads classes from it" },
  { pattern: "SSL_CERT_*", why: "replaces the trusted certificate authorities" },
  { pattern: "CURL_CA_BUNDLE", why: "replaces curl's trusted certificate authorities" },
  { pattern: "REQUESTS_CA_BUNDLE", why: "replaces python requests' trusted certificate authorities" },
  { pattern: "GITHUB_*", why: "GitHub Actions' runner files and API token" },
  { pattern: "RUNNER_*", why: "GitHub Actions' runner settings" },
  { pattern: "ACTIONS_*", why: "GitHub Actions' ID-token and cache services" },
  { pattern: "CI_*", why: "GitLab CI's job settings and tokens" },
  { pattern: "VAULT_*", why: "the vault address and token the next step uses" },
  { pattern: "BAO_*", why: "the OpenBao address and token the next step uses" },
  { pattern: "VAULTGATE_*", why: "vaultgate's own settings" },
];

/** protectedEntry returns the list entry `name` falls under, if any. */
export function protectedEntry(name: string): ProtectedName | undefined {
  const upper = name.toUpperCase();
  return PROTECTED_ENV_NAMES.find(({ pattern }) => {
    if (pattern.endsWith("*")) return upper.startsWith(pattern.slice(0, -1));
    if (pattern.startsWith("*")) return upper.endsWith(pattern.slice(1));
    return upper === pattern;
  });
}

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** assertEnvName refuses names a shell or env file cannot carry. */
export function assertEnvName(name: string, origin: string): void {
  if (!ENV_NAME.test(name)) {
    throw new ConfigError(`"${name}" (${origin}) is not a valid environment variable name.`, {
      hint: "Rename it with `| NAME` using only letters, digits and _, not starting with a digit.",
    });
  }
}

/** ExportName is one name about to be exported and where it came from. */
export interface ExportName {
  name: string;
  /** Where the spec was written, e.g. `secrets line 2`. */
  origin: string;
  /** The secret's path, named in errors. */
  path: string;
  /** Set when the name was made from a vault key (a `*`/`**` export): that key. */
  vaultKey?: string | undefined;
}

/** assertAllowedName applies the list to one name (vault-made or written by the user). */
export function assertAllowedName(entry: ExportName, allowed: ReadonlySet<string>): void {
  const hit = protectedEntry(entry.name);
  if (!hit) return;
  if (entry.vaultKey !== undefined) {
    throw new ConfigError(
      `The key "${entry.vaultKey}" of ${entry.path} (${entry.origin}) would set ${entry.name}, which ${hit.why} (${hit.pattern}); nothing was exported.`,
      {
        hint: `Export the keys under a prefix (manifest \`prefix: APP_\`, or \`${entry.path} * | APP_\`), or select the keys you need by name.`,
      },
    );
  }
  if (allowed.has(entry.name.toUpperCase())) return;
  throw new ConfigError(`${entry.name} (${entry.origin}) is a protected environment name: it ${hit.why} (${hit.pattern}).`, {
    hint: `Choose another name with \`| NAME\`, or, if the secret really must set it, opt in with allow-env-names: ${entry.name}.`,
  });
}

/**
 * checkExportNames checks every name before the first export: a valid name, not on the
 * protected list (unless explicitly named and allowed), and no two alike. `syntax: false`
 * skips the valid-name test, for configuration time, when a name may still be only a step
 * output's (outputs may contain `-`).
 */
export function checkExportNames(
  entries: readonly ExportName[],
  allowEnvNames: readonly string[] = [],
  options: { syntax?: boolean } = {},
): void {
  const allowed = new Set(allowEnvNames.map((n) => n.toUpperCase()));
  const seen = new Map<string, ExportName>();
  for (const entry of entries) {
    if (options.syntax !== false)
      assertEnvName(entry.name, entry.vaultKey === undefined ? entry.origin : `key "${entry.vaultKey}" of ${entry.path}`);
    assertAllowedName(entry, allowed);
    const key = entry.name.toUpperCase();
    const previous = seen.get(key);
    // `path *` and `path **` both export each key (FOO and foo), as vault-action does: one value, two names.
    const sameKey = previous?.vaultKey !== undefined && previous.vaultKey === entry.vaultKey && previous.path === entry.path;
    if (previous && !sameKey) throw duplicateName(entry, previous);
    seen.set(key, entry);
  }
}

/** NamedSecret is the shape of a fetched secret the rule needs (fetch/run's FetchedSecret). */
export interface NamedSecret {
  envName: string;
  origin: string;
  path: string;
  vaultKey?: string | undefined;
}

/**
 * checkSecretNames applies checkExportNames to fetched secrets, under the names they
 * will be exported as: `suffix` gives the `NAME_FILE` variables of file exports.
 */
export function checkSecretNames(
  secrets: readonly NamedSecret[],
  allowEnvNames: readonly string[],
  options: { suffixes?: readonly string[]; syntax?: boolean } = {},
): void {
  const suffixes = options.suffixes ?? [""];
  checkExportNames(
    secrets.flatMap((s) => suffixes.map((suffix) => ({ ...s, name: s.envName + suffix }))),
    allowEnvNames,
    { syntax: options.syntax ?? true },
  );
}

function duplicateName(entry: ExportName, previous: ExportName): ConfigError {
  const describe = (e: ExportName) => (e.vaultKey === undefined ? e.origin : `key "${e.vaultKey}" of ${e.path} (${e.origin})`);
  return new ConfigError(`Two secrets would both be exported as ${entry.name}: ${describe(previous)} and ${describe(entry)}.`, {
    hint: "Give one of them another name with `| NAME`, or export a wildcard under a prefix (`prefix: APP_`).",
  });
}

/** parseAllowEnvNames reads `allow-env-names` (a list, or names separated by commas, spaces or lines). */
export function parseAllowEnvNames(value: unknown, where: string): string[] {
  if (value === undefined || value === null || value === "") return [];
  const items = Array.isArray(value) ? value : typeof value === "string" ? value.split(/[\s,]+/) : undefined;
  if (!items) throw new ConfigError(`${where} must be a list of environment variable names.`);
  const names: string[] = [];
  for (const item of items) {
    if (item === "") continue;
    if (typeof item !== "string" || !ENV_NAME.test(item)) {
      throw new ConfigError(`${where}: "${String(item)}" is not an environment variable name.`, {
        hint: "List each protected name a secret may set, e.g. allow-env-names: [GIT_SSH_COMMAND].",
      });
    }
    if (!protectedEntry(item)) {
      throw new ConfigError(`${where}: ${item} is not a protected name, so it needs no opt-in.`, {
        hint: `Remove ${item} from allow-env-names.`,
      });
    }
    names.push(item);
  }
  return names;
}
