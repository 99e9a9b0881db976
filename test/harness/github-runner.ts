/**
 * github-runner — runs an action's committed dist/ the way the GitHub Actions runner
 * does: a node process with INPUT_<NAME> for every input action.yml declares (the
 * given value, else its default, else empty), fresh GITHUB_OUTPUT / GITHUB_ENV /
 * GITHUB_STATE / GITHUB_STEP_SUMMARY files per step, RUNNER_TEMP, GITHUB_ACTIONS=true,
 * and for a post step the main step's state as STATE_<name>. It then reads the file
 * commands and the workflow commands back with the runner's own rules.
 */
import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseManifest } from "@vaultgate/core";
import { baseEnv } from "./cli.js";

const repo = fileURLToPath(new URL("../..", import.meta.url));

/** ACTIONS names the two actions and the entry points action.yml runs. */
export const ACTIONS = {
  secrets: {
    dir: join(repo, "actions/secrets"),
    main: join(repo, "actions/secrets/dist/index.js"),
    post: join(repo, "actions/secrets/dist/post/index.js"),
  },
  check: { dir: join(repo, "actions/check"), main: join(repo, "actions/check/dist/index.js"), post: undefined },
} as const;

/** REPO_ROOT is the repository's root directory. */
export const REPO_ROOT = repo;

/** actionMetadata reads an action's action.yml. */
export function actionMetadata(action: keyof typeof ACTIONS): {
  inputs: Record<string, { default?: string; required?: boolean; description?: string }>;
  outputs: Record<string, { description?: string }>;
  runs: Record<string, string>;
} {
  const file = join(ACTIONS[action].dir, "action.yml");
  return parseManifest(readFileSync(file, "utf8"), file, {}) as ReturnType<typeof actionMetadata>;
}

/** RunnerJob is one job's directories: RUNNER_TEMP and the workspace (the steps' cwd). */
export interface RunnerJob {
  temp: string;
  workspace: string;
}

/** newRunnerJob creates a job's RUNNER_TEMP and workspace. */
export function newRunnerJob(): RunnerJob {
  const root = mkdtempSync(join(tmpdir(), "vaultgate-runner-"));
  const job = { temp: join(root, "temp"), workspace: join(root, "work") };
  mkdirSync(job.temp);
  mkdirSync(job.workspace);
  return job;
}

/** WorkflowCommand is one `::name props::message` line, unescaped. */
export interface WorkflowCommand {
  name: string;
  properties: Record<string, string>;
  message: string;
}

/** StepRun is a finished step: its process, its commands and its file commands. */
export interface StepRun {
  code: number | null;
  stdout: string;
  stderr: string;
  commands: WorkflowCommand[];
  /** The `::add-mask::` values, in order, unescaped. */
  masks: string[];
  /** Raw file command files as the step left them. */
  files: { output: string; env: string; state: string; summary: string };
  /** Every name<<delimiter record of each file, in order. */
  records: { output: [string, string][]; env: [string, string][]; state: [string, string][] };
  outputs: Record<string, string>;
  env: Record<string, string>;
  state: Record<string, string>;
}

/** StepOptions: the inputs (as written under `with:`), extra env, the main step's state for a post step. */
export interface StepOptions {
  inputs?: Record<string, string>;
  env?: Record<string, string | undefined>;
  state?: Record<string, string>;
  job?: RunnerJob;
  timeoutMs?: number;
}

/** runActionStep runs one entry point (main or post) of `action` as the runner would. */
export async function runActionStep(action: keyof typeof ACTIONS, entry: string, options: StepOptions = {}): Promise<StepRun> {
  const job = options.job ?? newRunnerJob();
  const declared = actionMetadata(action).inputs;
  const given = options.inputs ?? {};
  for (const name of Object.keys(given)) {
    if (!(name in declared))
      throw new Error(`${action}/action.yml declares no input "${name}" (the runner would warn: Unexpected input)`);
  }
  const commandDir = mkdtempSync(join(job.temp, "_runner_file_commands-"));
  const paths = {
    output: join(commandDir, "set_output"),
    env: join(commandDir, "set_env"),
    state: join(commandDir, "save_state"),
    summary: join(commandDir, "step_summary"),
  };
  for (const p of Object.values(paths)) writeFileSync(p, "");
  const env: Record<string, string | undefined> = {
    GITHUB_ACTIONS: "true",
    CI: "true",
    RUNNER_TEMP: job.temp,
    GITHUB_WORKSPACE: job.workspace,
    GITHUB_OUTPUT: paths.output,
    GITHUB_ENV: paths.env,
    GITHUB_STATE: paths.state,
    GITHUB_STEP_SUMMARY: paths.summary,
    GITHUB_RUN_ID: "7000000001",
    GITHUB_RUN_ATTEMPT: "1",
    GITHUB_JOB: "deploy",
    ...options.env,
  };
  for (const [name, spec] of Object.entries(declared)) {
    // A default that is an expression (`${{ github.token }}`) is the runner's to evaluate; here it is empty unless given.
    const fallback = spec.default?.includes("${{") ? "" : spec.default;
    env[`INPUT_${name.replaceAll(" ", "_").toUpperCase()}`] = given[name] ?? fallback ?? "";
  }
  for (const [name, value] of Object.entries(options.state ?? {})) env[`STATE_${name}`] = value;
  const { code, stdout, stderr } = await runNode(entry, baseEnv(env), job.workspace, options.timeoutMs ?? 30_000);
  const files = {
    output: readFileSync(paths.output, "utf8"),
    env: readFileSync(paths.env, "utf8"),
    state: readFileSync(paths.state, "utf8"),
    summary: readFileSync(paths.summary, "utf8"),
  };
  const records = {
    output: parseFileCommand(files.output),
    env: parseFileCommand(files.env),
    state: parseFileCommand(files.state),
  };
  const commands = parseWorkflowCommands(stdout);
  return {
    code,
    stdout,
    stderr,
    commands,
    masks: commands.filter((c) => c.name === "add-mask").map((c) => c.message),
    files,
    records,
    outputs: Object.fromEntries(records.output),
    env: Object.fromEntries(records.env),
    state: Object.fromEntries(records.state),
  };
}

function runNode(entry: string, env: Record<string, string>, cwd: string, timeoutMs: number) {
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
    const child = spawn(process.execPath, [entry], { env, cwd, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c: Buffer) => (stdout += c.toString()));
    child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/**
 * parseFileCommand reads a file command file as the runner does: `name=value` lines, and
 * `name<<DELIMITER` records whose value runs up to a line that is exactly the delimiter.
 * A record that never ends is an error (the runner fails the step).
 */
export function parseFileCommand(text: string): [string, string][] {
  const lines = text.split("\n");
  if (lines.at(-1) === "") lines.pop();
  const records: [string, string][] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? "";
    if (line === "") continue;
    const eq = line.indexOf("=");
    const heredoc = line.indexOf("<<");
    if (eq >= 0 && (heredoc < 0 || eq < heredoc)) {
      records.push([line.slice(0, eq), line.slice(eq + 1)]);
      continue;
    }
    if (heredoc <= 0) throw new Error(`file command line ${i + 1} is neither name=value nor name<<delimiter: ${line}`);
    const name = line.slice(0, heredoc);
    const delimiter = line.slice(heredoc + 2);
    const value: string[] = [];
    for (i++; i < lines.length && lines[i] !== delimiter; i++) value.push(lines[i] ?? "");
    if (i >= lines.length) throw new Error(`file command record ${name} never ends (delimiter ${delimiter} missing)`);
    records.push([name, value.join("\n")]);
  }
  return records;
}

/** parseWorkflowCommands finds the `::name props::message` lines of a step's stdout and unescapes them. */
export function parseWorkflowCommands(stdout: string): WorkflowCommand[] {
  const commands: WorkflowCommand[] = [];
  for (const line of stdout.split(/\r?\n/)) {
    const m = /^::([A-Za-z-]+)(?: ([^:]*))?::(.*)$/.exec(line);
    if (!m) continue;
    const properties: Record<string, string> = {};
    for (const pair of (m[2] ?? "").split(",").filter(Boolean)) {
      const eq = pair.indexOf("=");
      properties[pair.slice(0, eq)] = unescapeProperty(pair.slice(eq + 1));
    }
    commands.push({ name: m[1] ?? "", properties, message: unescapeData(m[3] ?? "") });
  }
  return commands;
}

function unescapeData(text: string): string {
  return text.replaceAll("%0D", "\r").replaceAll("%0A", "\n").replaceAll("%25", "%");
}

function unescapeProperty(text: string): string {
  return unescapeData(text.replaceAll("%3A", ":").replaceAll("%2C", ","));
}

/**
 * runnerMasked masks `log` the way the runner masks a step's log: each registered
 * `::add-mask::` value (unescaped), and each trimmed line of a multi-line one, is
 * replaced by *** wherever it occurs within a log line (the runner masks line by line,
 * so a multi-line value as a whole never matches; its lines do).
 */
export function runnerMasked(log: string, masks: readonly string[]): string {
  const secrets = new Set<string>();
  for (const mask of masks) {
    if (mask.trim() === "") continue;
    secrets.add(mask);
    for (const line of mask.split(/\r?\n|\r/)) if (line.trim() !== "") secrets.add(line.trim());
  }
  const longestFirst = [...secrets].sort((a, b) => b.length - a.length);
  return log
    .split("\n")
    .map((line) => longestFirst.reduce((text, secret) => text.replaceAll(secret, "***"), line))
    .join("\n");
}
