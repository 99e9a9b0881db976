/**
 * run-shell — runs one document's `run shell` and `run file` blocks in order, in the
 * document's own scratch directory, against the target a block names (devvault,
 * OpenBao in the document's namespace, or nothing). Background blocks (`vaultgate dev`)
 * stay up until the document ends and must then stop cleanly on SIGTERM.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { dirname, join } from "node:path";
import { REPO_ROOT, baseEnv } from "@vaultgate/test-harness";
import { option, type DocBlock } from "./blocks.js";
import type { DocWorld } from "./world.js";

/**
 * STUB is the `./deploy.sh` (and build.sh, notify.sh) every document's directory starts
 * with: it prints the secrets the docs name, so a run shows whether they were set and masked.
 */
const STUB = `#!/bin/sh
for name in DB_USER DB_PASSWORD DB_DYNAMIC_PASSWORD API_TOKEN API_KEY LEGACY; do
  eval "value=\\\${$name:-}"
  [ -n "$value" ] && echo "$(basename "$0"): $name=$value"
done
echo "$(basename "$0"): done"
`;

/** BlockRun is an exited (or, for background blocks, stopped) block. */
export interface BlockRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  output: string;
}

/** DocSession is the scratch directory and background processes of one document. */
export class DocSession {
  readonly dir: string;
  /** cwd is where the next block starts: where the last one ended, as in a terminal. */
  private cwd: string;
  private readonly background: { child: ChildProcess; done: Promise<BlockRun>; block: DocBlock }[] = [];

  constructor(
    readonly world: DocWorld,
    readonly doc: string,
    dir: string,
  ) {
    this.dir = dir;
    this.cwd = dir;
    mkdirSync(join(dir, "home"), { recursive: true });
    for (const name of ["deploy.sh", "build.sh", "notify.sh"]) writeFileSync(join(dir, name), STUB, { mode: 0o755 });
  }

  /** namespace is the OpenBao namespace of this document. */
  get namespace(): string {
    return `docs-${this.doc.replace(/[^a-z0-9]+/gi, "-").toLowerCase()}`;
  }

  /** env is the environment of a block: the target's variables, the shims first on PATH. */
  async env(block: DocBlock): Promise<Record<string, string>> {
    const target = option(block.marking, "target") ?? "devvault";
    const extra =
      target === "devvault" ? this.world.devEnv : target === "openbao" ? await this.world.openbao(this.namespace) : {};
    if (!["devvault", "openbao", "none"].includes(target)) throw new Error(`${where(block)}: unknown target "${target}"`);
    // `npm install -g` goes to the document's own prefix, whose bin/ comes before the shims.
    // HOME is the document's own; the machine's caches stay shared, as on a laptop.
    const prefix = join(this.dir, "npm-global");
    const home = homedir();
    return baseEnv({
      ...extra,
      HOME: join(this.dir, "home"),
      XDG_CACHE_HOME: process.env.XDG_CACHE_HOME ?? join(home, ".cache"),
      XDG_DATA_HOME: process.env.XDG_DATA_HOME ?? join(home, ".local", "share"),
      npm_config_cache: process.env.npm_config_cache ?? join(home, ".npm"),
      npm_config_userconfig: process.env.npm_config_userconfig ?? join(home, ".npmrc"),
      npm_config_update_notifier: "false",
      ...passThrough(),
      GOPATH: process.env.GOPATH ?? join(home, "go"),
      NPM_CONFIG_PREFIX: prefix,
      REPO_CHECKOUT: REPO_ROOT,
      PATH: `${join(prefix, "bin")}:${this.world.bin}:${process.env.PATH ?? "/usr/bin:/bin"}`,
    });
  }

  /** writeFile handles a `run file path=NAME` block. */
  writeFile(block: DocBlock): void {
    const path = option(block.marking, "path");
    if (!path) throw new Error(`${where(block)}: run file needs path=NAME`);
    mkdirSync(dirname(join(this.cwd, path)), { recursive: true });
    writeFileSync(join(this.cwd, path), block.text, { mode: block.text.startsWith("#!") ? 0o755 : 0o644 });
  }

  /** runShell runs a shell block and checks its exit code and expected output. */
  async runShell(block: DocBlock): Promise<void> {
    if (block.marking.kind !== "run") return;
    const env = await this.env(block);
    const background = block.marking.flags.has("background");
    const cwdFile = join(this.dir, ".cwd");
    const script = background ? substitute(block, env) : `trap 'pwd > "${cwdFile}"' EXIT\n${substitute(block, env)}`;
    const timeoutMs = Number(option(block.marking, "timeout") ?? 60) * 1000;
    const child = spawn("bash", ["-euo", "pipefail", "-c", script], {
      cwd: this.cwd,
      env,
      detached: true,
      stdio: ["ignore", "pipe", "pipe"],
    });
    live.add(child);
    child.once("exit", () => live.delete(child));
    let output = "";
    const collect = (c: Buffer) => (output += c.toString());
    child.stdout.on("data", collect);
    child.stderr.on("data", collect);
    const done = new Promise<BlockRun>((resolve) => child.on("close", (code, signal) => resolve({ code, signal, output })));
    if (background) {
      const ready = option(block.marking, "ready");
      if (!ready) throw new Error(`${where(block)}: background needs ready="TEXT"`);
      const until = Date.now() + timeoutMs;
      while (!output.includes(ready)) {
        const exited = await Promise.race([done, new Promise((r) => setTimeout(r, 100))]);
        if (exited || Date.now() > until) {
          killGroup(child, "SIGKILL");
          throw new Error(`${where(block)}: never printed "${ready}" (exit ${String((exited as BlockRun)?.code)}):\n${output}`);
        }
      }
      this.background.push({ child, done, block });
      return;
    }
    const timer = setTimeout(() => killGroup(child, "SIGKILL"), timeoutMs);
    const run = await done.finally(() => clearTimeout(timer));
    if (existsSync(cwdFile)) this.cwd = readFileSync(cwdFile, "utf8").trim() || this.cwd;
    check(block, run);
  }

  /** end stops the background blocks with SIGTERM: each must exit 0 within 10 s. */
  async end(): Promise<void> {
    const problems: string[] = [];
    for (const { child, done, block } of this.background.splice(0)) {
      killGroup(child, "SIGTERM");
      const timer = setTimeout(() => killGroup(child, "SIGKILL"), 10_000);
      const run = await done.finally(() => clearTimeout(timer));
      // bash runs the block's one command in its place, so the exit is the command's own.
      if (run.code !== 0) problems.push(`${where(block)}: exit ${String(run.code ?? run.signal)} after SIGTERM:\n${run.output}`);
    }
    if (problems.length > 0) throw new Error(problems.join("\n"));
  }
}

/** PASS_THROUGH are the machine's network settings (proxy, CA bundle) npm and git need to reach a registry. */
const PASS_THROUGH =
  /^(https?_proxy|no_proxy|HTTPS?_PROXY|NO_PROXY|NODE_EXTRA_CA_CERTS|SSL_CERT_(FILE|DIR)|GIT_SSL_CAINFO|CURL_CA_BUNDLE)$/;

function passThrough(): Record<string, string> {
  return Object.fromEntries(Object.entries(process.env).filter(([k, v]) => PASS_THROUGH.test(k) && v !== undefined)) as Record<
    string,
    string
  >;
}

/** live holds every block process still running, so a timed-out suite can end them. */
const live = new Set<ChildProcess>();

/** killAll ends what blocks left running (a test that timed out never reaches its cleanup). */
export function killAll(): void {
  for (const child of live) killGroup(child, "SIGKILL");
  live.clear();
}

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  try {
    if (child.pid) process.kill(-child.pid, signal);
  } catch {
    // already gone
  }
}

/** substitute applies the block's `replace="FROM=>$VAR"` options. */
export function substitute(block: DocBlock, env: Record<string, string>): string {
  let text = block.text;
  for (const rule of block.marking.kind === "run" ? (block.marking.options.get("replace") ?? []) : []) {
    const [from, to] = rule.split("=>");
    if (!from || to === undefined) throw new Error(`${where(block)}: replace needs "FROM=>TO"`);
    const value = to.replace(/\$([A-Z_]+)/g, (_, name: string) => {
      const v = env[name];
      if (v === undefined) throw new Error(`${where(block)}: replace names $${name}, which the target does not set`);
      return v;
    });
    if (!text.includes(from)) throw new Error(`${where(block)}: replace "${from}" is not in the block`);
    text = text.replaceAll(from, value);
  }
  return text;
}

function check(block: DocBlock, run: BlockRun): void {
  const expected = Number(option(block.marking, "exit") ?? 0);
  if (run.code !== expected) {
    throw new Error(
      `${where(block)}: exit ${String(run.code ?? run.signal)}, expected ${expected}:\n${block.text}\n--- output:\n${run.output}`,
    );
  }
  for (const text of block.marking.kind === "run" ? (block.marking.options.get("stdout") ?? []) : []) {
    if (!run.output.includes(text)) throw new Error(`${where(block)}: output lacks "${text}":\n${run.output}`);
  }
  for (const text of block.marking.kind === "run" ? (block.marking.options.get("no-stdout") ?? []) : []) {
    if (run.output.includes(text)) throw new Error(`${where(block)}: output has "${text}", which it must not:\n${run.output}`);
  }
}

/** where names a block as file:line. */
export function where(block: DocBlock): string {
  return `${block.doc}:${block.line}`;
}
