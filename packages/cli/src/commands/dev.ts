/**
 * commands/dev — `vaultgate dev`: starts devvault (the embedded dev vault and its OIDC
 * issuer) on 127.0.0.1, prints the environment a shell needs to run vaultgate against
 * it, and serves until SIGINT or SIGTERM. Everything lives in memory and is gone when
 * it stops.
 */
import { resolve } from "node:path";
import { ConfigError, parseDuration, shellQuote, writeSecureFile } from "@vaultgate/core";
import {
  DEFAULT_SEED,
  DEV_AUDIENCE,
  DEV_ROLES,
  loadSeedFile,
  parseSeed,
  startDevVault,
  type DevVault,
  type Seed,
} from "@vaultgate/devvault";
import { COMMON_OPTIONS, parseCommand } from "../options.js";
import type { CommandContext } from "../context.js";

export const DEV_HELP = `Usage: vaultgate dev [options]

Starts devvault on 127.0.0.1: an in-memory vault speaking the Vault API vaultgate uses,
with a local OIDC issuer. Prints the environment a shell needs, then serves until
Ctrl-C (SIGINT) or SIGTERM. Nothing is kept when it stops.

Options:
      --port N                port to listen on (default: any free port)
      --seed FILE             YAML seed: policies, jwt roles, secrets (default: a built-in demo)
      --identity KIND         the ID token to hand out: local (VAULTGATE_ID_TOKEN, default),
                              github (ACTIONS_ID_TOKEN_REQUEST_URL/_TOKEN), gitlab, jenkins
      --role NAME             role to log in as (default: from the seed)
      --audience AUD          audience of the ID token (default: the role's first bound audience)
      --token-ttl DURATION    lifetime of a printed ID token (default 1h)
      --env-out FILE          also write the exports to FILE (mode 0600) to \`source\` it
  -v, --verbose               log each request (method, path, status) to stderr
  -q, --quiet                 print only the exports

Exit codes: 0 stopped by a signal, 2 usage or seed error.`;

const OPTIONS = {
  ...COMMON_OPTIONS,
  port: { type: "string" },
  seed: { type: "string" },
  identity: { type: "string" },
  role: { type: "string" },
  audience: { type: "string" },
  "token-ttl": { type: "string" },
  "env-out": { type: "string" },
} as const;

const IDENTITIES = ["local", "github", "gitlab", "jenkins"] as const;
type Identity = (typeof IDENTITIES)[number];

/** RunningDev is a started dev vault and what was printed for it. */
export interface RunningDev {
  devvault: DevVault;
  /** The environment a shell needs (also printed as `export` lines). */
  env: Record<string, string>;
  stop(): Promise<void>;
}

/** devCommand runs `vaultgate dev` until SIGINT or SIGTERM. */
export async function devCommand(argv: string[], ctx: CommandContext): Promise<number> {
  // Listen first: a Ctrl-C during start-up still ends in an orderly stop.
  let onSignal: (signal: NodeJS.Signals) => void = () => undefined;
  const stopped = new Promise<NodeJS.Signals>((done) => (onSignal = done));
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  let running: RunningDev | undefined;
  try {
    running = await startDev(argv, ctx);
  } finally {
    if (!running) {
      process.off("SIGINT", onSignal);
      process.off("SIGTERM", onSignal);
    }
  }
  if (!running) return 0;
  const signal = await stopped;
  process.off("SIGINT", onSignal);
  process.off("SIGTERM", onSignal);
  await running.stop();
  ctx.platform({}).log.info(`devvault stopped (${signal}); its tokens, leases and secrets are gone`);
  return 0;
}

/** startDev parses `argv`, starts devvault and prints the environment; undefined after --help. */
export async function startDev(argv: string[], ctx: CommandContext): Promise<RunningDev | undefined> {
  const { values } = parseCommand("dev", argv, OPTIONS);
  if (values.help) {
    ctx.stdout.write(`${DEV_HELP}\n`);
    return undefined;
  }
  const platform = ctx.platform(values);
  const identity = (values.identity ?? "local") as Identity;
  if (!IDENTITIES.includes(identity)) {
    throw new ConfigError(`vaultgate dev: --identity must be one of ${IDENTITIES.join(", ")}, not "${identity}".`);
  }
  const port = values.port === undefined ? 0 : Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new ConfigError(`vaultgate dev: --port "${values.port}" is not a port.`, {
      hint: "Give a port from 1 to 65535, or leave --port out to take any free one.",
    });
  const ttl = parseDuration(values["token-ttl"] ?? "1h");
  if (ttl === undefined || ttl <= 0)
    throw new ConfigError(`vaultgate dev: --token-ttl "${values["token-ttl"]}" is not a duration.`);
  const seed = values.seed ? loadSeedFile(resolve(ctx.cwd, values.seed)) : parseSeed(DEFAULT_SEED, "(built-in demo)");
  const login = loginOf(seed, values.seed === undefined, identity);
  if (!login.trusted) {
    platform.log.warn("no jwt mount of the seed sets local_issuer: true, so the printed ID token will not be accepted");
  }
  const role = values.role ?? login.role;
  const audience = values.audience ?? login.audience ?? DEV_AUDIENCE;

  const devvault = await startDevVault({
    seed,
    ...(port ? { port } : {}),
    ...(values.verbose ? { onRequest: (e) => platform.log.debug(`${e.method} ${e.path} ${e.status} ${e.ms} ms`) } : {}),
  }).catch((error: unknown) => {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== "EADDRINUSE" && code !== "EACCES") throw error;
    throw new ConfigError(
      `vaultgate dev: cannot listen on 127.0.0.1:${port}: ${code === "EADDRINUSE" ? "the port is in use" : "permission denied"}.`,
      {
        hint: "Choose another --port, or leave --port out to take any free one.",
      },
    );
  });
  try {
    const env: Record<string, string> = { VAULT_ADDR: devvault.addr, VAULTGATE_MOUNT: login.mount };
    if (role) env.VAULTGATE_ROLE = role;
    env.VAULTGATE_AUDIENCE = audience;
    const mint = (shape: "github" | "gitlab" | "jenkins") => devvault.issuer.platformToken(shape, audience, { ttl });
    switch (identity) {
      case "local":
        env.VAULTGATE_ID_TOKEN = await mint("github");
        break;
      case "github":
        // Only the ID-token request variables: GITHUB_ACTIONS=true would make this shell look like a
        // runner step. The CLI picks the GitHub token source from these variables alone.
        Object.assign(env, devvault.githubEnv());
        break;
      case "gitlab":
        Object.assign(env, { GITLAB_CI: "true", VAULT_ID_TOKEN: await mint("gitlab") });
        break;
      case "jenkins":
        Object.assign(env, { JENKINS_URL: "https://jenkins.example.com/", VAULTGATE_ID_TOKEN: await mint("jenkins") });
        break;
    }
    const exports = Object.entries(env).map(([name, value]) => `export ${name}=${shellQuote(value)}`);
    if (values["env-out"]) writeSecureFile(resolve(ctx.cwd, values["env-out"]), `${exports.join("\n")}\n`);
    const banner = values.quiet
      ? []
      : [
          `# devvault on ${devvault.addr}: in memory, for this machine only. Ctrl-C stops it and forgets everything.`,
          `# Paste into a shell${values["env-out"] ? `, or: source ${values["env-out"]}` : ""}:`,
        ];
    const footer = values.quiet
      ? []
      : [
          `# Admin (dev only): export VAULT_TOKEN=${shellQuote(devvault.rootToken)}`,
          `# OIDC discovery: ${devvault.issuer.url}/.well-known/openid-configuration`,
          ...(values.seed ? [] : ["# Try: vaultgate check -s 'secret/app/db password' -s 'kv/app/legacy password | LEGACY'"]),
        ];
    ctx.stdout.write(`${[...banner, ...exports, ...footer].join("\n")}\n`);
    return { devvault, env, stop: () => devvault.close() };
  } catch (error) {
    await devvault.close();
    throw error;
  }
}

/** loginOf finds the jwt mount trusting devvault's issuer, its role for `identity` and that role's audience. */
function loginOf(
  seed: Seed,
  builtIn: boolean,
  identity: Identity,
): { mount: string; role: string | undefined; audience: string | undefined; trusted: boolean } {
  const entries = Object.entries(seed.auth ?? {});
  const [mount, auth] = entries.find(([, a]) => a.local_issuer === true) ?? entries[0] ?? ["jwt", undefined];
  const roles = auth?.roles ?? {};
  const role = builtIn ? DEV_ROLES[identity === "local" ? "github" : identity] : (auth?.default_role ?? Object.keys(roles)[0]);
  const bound = role === undefined ? undefined : roles[role]?.bound_audiences;
  const audience =
    Array.isArray(bound) && typeof bound[0] === "string" ? bound[0] : typeof bound === "string" ? bound.split(",")[0] : undefined;
  return { mount, role, audience, trusted: auth?.local_issuer === true };
}
