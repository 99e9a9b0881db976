/**
 * options — the flags every command that talks to a vault shares, parsed with
 * node:util parseArgs (strict: unknown flags and missing values are errors) and mapped
 * onto the core's inline inputs, so flags, VAULTGATE_* variables and manifests meet one
 * schema.
 */
import { parseArgs, type ParseArgsConfig } from "node:util";
import { ConfigError, type Env, type Inputs } from "@vaultgate/core";

type OptionSpec = NonNullable<ParseArgsConfig["options"]>;

/** CONFIG_OPTIONS are the vault, auth and fetch flags. */
export const CONFIG_OPTIONS = {
  manifest: { type: "string", short: "f" },
  url: { type: "string" },
  namespace: { type: "string" },
  method: { type: "string" },
  mount: { type: "string" },
  role: { type: "string" },
  audience: { type: "string" },
  secrets: { type: "string" },
  secret: { type: "string", multiple: true, short: "s" },
  "id-token-from": { type: "string" },
  "id-token-variable": { type: "string" },
  "id-token-file": { type: "string" },
  "token-variable": { type: "string" },
  "role-id": { type: "string" },
  "secret-id-variable": { type: "string" },
  "ca-cert": { type: "string" },
  "client-cert": { type: "string" },
  "client-key": { type: "string" },
  "tls-skip-verify": { type: "boolean" },
  "allow-insecure-http": { type: "boolean" },
  concurrency: { type: "string" },
  timeout: { type: "string" },
  "request-timeout": { type: "string" },
  attempts: { type: "string" },
  "allow-env-names": { type: "string" },
  "min-mask-length": { type: "string" },
} as const satisfies OptionSpec;

/** COMMON_OPTIONS apply to every command. */
export const COMMON_OPTIONS = {
  help: { type: "boolean", short: "h" },
  quiet: { type: "boolean", short: "q" },
  verbose: { type: "boolean", short: "v" },
} as const satisfies OptionSpec;

/** CONFIG_HELP documents CONFIG_OPTIONS for every command's --help. */
export const CONFIG_HELP = `Vault and identity (flags win over VAULTGATE_* variables, which win over the manifest):
  -f, --manifest FILE         vaultgate.yml manifest                     [VAULTGATE_MANIFEST]
      --url URL               vault address                 [VAULTGATE_URL, VAULT_ADDR]
      --namespace NS          vault namespace            [VAULTGATE_NAMESPACE, VAULT_NAMESPACE]
      --method M              jwt (default), token, approle, kubernetes     [VAULTGATE_METHOD]
      --mount PATH            auth mount (default: the method's name)       [VAULTGATE_MOUNT]
      --role NAME             role to log in as                              [VAULTGATE_ROLE]
      --audience AUD          audience to request (GitHub) and to expect    [VAULTGATE_AUDIENCE]
      --id-token-from SRC     auto, github, gitlab, jenkins, file, env
      --id-token-variable VAR variable holding the OIDC ID token (e.g. VAULT_ID_TOKEN)
      --id-token-file FILE    file holding the OIDC ID token
      --token-variable VAR    variable holding a vault token (method token)
      --role-id ID, --secret-id-variable VAR   AppRole login
      --ca-cert PEM|FILE, --client-cert PEM|FILE, --client-key PEM|FILE, --tls-skip-verify
      --allow-insecure-http   allow plain http:// to a host other than this machine (warned)
Secrets:
  -s, --secret "PATH KEY [| NAME]"   one secret (repeatable)
      --secrets "A ; B"       several, in hashicorp/vault-action syntax     [VAULTGATE_SECRETS]
      --allow-env-names N,M   protected names (PATH, GIT_*, ...) a named secret may set
                                                                 [VAULTGATE_ALLOW_ENV_NAMES]
Reads:
      --concurrency N         parallel reads (default 16)
      --timeout DURATION      deadline of the whole run (default 60s)
      --request-timeout D     per request (default 10s)
      --attempts N            cap the attempts per request (default: retry until --timeout)
Masking:
      --min-mask-length N     values (and their lines, JSON fields, encodings) shorter than N are not
                              masked, with a warning naming the secret (default 4; 0 masks all)
                                                                 [VAULTGATE_MIN_MASK_LENGTH]`;

/** ENV_INPUTS maps VAULTGATE_* variables to input names. */
const ENV_INPUTS: Readonly<Record<string, string>> = {
  VAULTGATE_URL: "url",
  VAULTGATE_NAMESPACE: "namespace",
  VAULTGATE_METHOD: "method",
  VAULTGATE_MOUNT: "mount",
  VAULTGATE_ROLE: "role",
  VAULTGATE_AUDIENCE: "audience",
  VAULTGATE_SECRETS: "secrets",
  VAULTGATE_ID_TOKEN_VARIABLE: "id-token-variable",
  VAULTGATE_ID_TOKEN_FILE: "id-token-file",
  VAULTGATE_CA_CERT: "ca-cert",
  VAULTGATE_ALLOW_ENV_NAMES: "allow-env-names",
  VAULTGATE_MIN_MASK_LENGTH: "min-mask-length",
};

/** ParsedCommand is a command's parsed flags and positionals. */
export interface ParsedCommand<V> {
  values: V;
  positionals: string[];
}

/** Parsed is what parseArgs returns for the options O. */
export type Parsed<O extends OptionSpec> = ReturnType<
  typeof parseArgs<{ args: string[]; options: O; strict: true; allowPositionals: boolean }>
>;

/** parseCommand parses `argv` for a command with its own extra options. */
export function parseCommand<O extends OptionSpec>(
  command: string,
  argv: string[],
  options: O,
  allowPositionals = false,
): Parsed<O> {
  try {
    return parseArgs({ args: argv, options, strict: true, allowPositionals });
  } catch (error) {
    const message = error instanceof Error ? error.message.split("\n")[0] : String(error);
    throw new ConfigError(`vaultgate ${command}: ${message}`, { hint: `Run \`vaultgate ${command} --help\` for the options.` });
  }
}

/** ConfigValues are the parsed CONFIG_OPTIONS. */
export type ConfigValues = Partial<Record<keyof typeof CONFIG_OPTIONS, string | boolean | string[] | undefined>>;

/** toInputs merges VAULTGATE_* variables and flags into core inputs, plus the manifest path. */
export function toInputs(values: ConfigValues, env: Env): { inputs: Inputs; manifest: string | undefined } {
  const inputs: Record<string, string | undefined> = {};
  for (const [variable, input] of Object.entries(ENV_INPUTS)) {
    if (env[variable]) inputs[input] = env[variable];
  }
  for (const [key, value] of Object.entries(values)) {
    if (key === "manifest" || key === "secret" || value === undefined) continue;
    inputs[key] = typeof value === "boolean" ? String(value) : Array.isArray(value) ? value.join("\n") : value;
  }
  const single = values.secret;
  if (Array.isArray(single) && single.length > 0) {
    inputs.secrets = [inputs.secrets, ...single].filter(Boolean).join("\n");
  }
  const manifest = typeof values.manifest === "string" ? values.manifest : env.VAULTGATE_MANIFEST || undefined;
  return { inputs, manifest };
}
