/**
 * gitlab-ci-local — runs GitLab pipelines on this host with gitlab-ci-local (npm,
 * pinned in test/package.json) in shell-executor mode, against a throw-away git
 * repository laid out like the published component project (actions/gitlab copied to
 * its root, origin at COMPONENT_PROJECT). gitlab-ci-local expands `include: component:`
 * from that repository's own templates/ when the component's project path equals the
 * origin remote's group/project and its ref equals HEAD's SHA (ParserIncludes
 * .parseIncludeComponent in its source; the host is not compared).
 *
 * What it needs, provided here and never skipped: rsync (artifacts and
 * --shell-isolation copy with it; test/servers/gitlab-tools.sh installs it with apt-get
 * when missing) and Set.prototype.union, which its bundled execa calls at load time and
 * Node 20 lacks (gitlab-set-polyfill.mjs, loaded with `node --import`).
 */
import { execFile, spawn } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { promisify } from "node:util";
import { packCli as packCliInto, type CliTarball } from "./jenkins-pipeline.js";

const require = createRequire(import.meta.url);
const root = fileURLToPath(new URL("../..", import.meta.url));
const run = promisify(execFile);

/** GITLAB_CI_LOCAL_VERSION is the version the suites are written against. */
export const GITLAB_CI_LOCAL_VERSION = "4.75.1";

/** COMPONENT_PROJECT is where the test repository's origin points: the published project's place. */
export const COMPONENT_PROJECT = { host: "gitlab.example.com", path: "vaultgate/components" } as const;

/** COMPONENT_SOURCE is the component project in this repository. */
export const COMPONENT_SOURCE = join(root, "actions/gitlab");

const POLYFILL = pathToFileURL(fileURLToPath(new URL("./gitlab-set-polyfill.mjs", import.meta.url))).href;
const TOOLS_SCRIPT = fileURLToPath(new URL("../servers/gitlab-tools.sh", import.meta.url));

let ready: Promise<string> | undefined;

/**
 * ensureGitlabCiLocal makes sure rsync and git are on this host (installing rsync when
 * missing) and returns gitlab-ci-local's entry script, checked to be the pinned version.
 */
export function ensureGitlabCiLocal(): Promise<string> {
  ready ??= (async () => {
    try {
      await run("bash", [TOOLS_SCRIPT], { timeout: 10 * 60 * 1000, maxBuffer: 16 * 1024 * 1024 });
    } catch (error) {
      const stderr = (error as { stderr?: string }).stderr ?? String(error);
      throw new Error(`gitlab-ci-local's tools are missing (${TOOLS_SCRIPT}):\n${stderr.split("\n").slice(-10).join("\n")}`, {
        cause: error,
      });
    }
    const manifest = require.resolve("gitlab-ci-local/package.json");
    const { version, bin } = JSON.parse(readFileSync(manifest, "utf8")) as { version: string; bin: string };
    if (version !== GITLAB_CI_LOCAL_VERSION) {
      throw new Error(`gitlab-ci-local ${version} is installed, the suites expect ${GITLAB_CI_LOCAL_VERSION}: run pnpm install`);
    }
    return join(dirname(manifest), bin);
  })();
  return ready;
}

let packed: Promise<CliTarball> | undefined;

/**
 * packCli builds the installable `vaultgate` npm package once per process and returns its
 * tarball with its integrity (what the components' cli-package and cli-integrity take).
 */
export function packCli(): Promise<CliTarball> {
  packed ??= packCliInto(mkdtempSync(join(tmpdir(), "vaultgate-pack-")));
  return packed;
}

/** ComponentRepo is a committed copy of the component project. */
export interface ComponentRepo {
  dir: string;
  sha: string;
}

/**
 * createComponentRepo copies actions/gitlab into a new git repository, adds `files`
 * (relative path → content; executable when it starts with `#!`), commits, and points origin (and origin/HEAD) at
 * COMPONENT_PROJECT so that `$CI_SERVER_FQDN/vaultgate/components/<name>@$CI_COMMIT_SHA`
 * resolves to its templates/.
 */
export async function createComponentRepo(files: Record<string, string> = {}): Promise<ComponentRepo> {
  const dir = join(mkdtempSync(join(tmpdir(), "vaultgate-gitlab-")), "components");
  cpSync(COMPONENT_SOURCE, dir, { recursive: true, filter: (src) => !src.includes(`${COMPONENT_SOURCE}/.gitlab-ci-local`) });
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), content, { mode: content.startsWith("#!") ? 0o755 : 0o644 });
  }
  const git = (...args: string[]) => run("git", args, { cwd: dir });
  await git("init", "-q", "-b", "main");
  await git("config", "user.name", "vaultgate tests");
  await git("config", "user.email", "tests@vaultgate.invalid");
  await git("config", "commit.gpgsign", "false");
  await git("remote", "add", "origin", `https://${COMPONENT_PROJECT.host}/${COMPONENT_PROJECT.path}.git`);
  await git("add", "-A");
  await git("commit", "-q", "-m", "component project under test");
  await git("update-ref", "refs/remotes/origin/main", "HEAD");
  await git("symbolic-ref", "refs/remotes/origin/HEAD", "refs/remotes/origin/main");
  const { stdout } = await git("rev-parse", "HEAD");
  return { dir, sha: stdout.trim() };
}

/** PipelineRun is a finished gitlab-ci-local run. */
export interface PipelineRun {
  code: number | null;
  stdout: string;
  stderr: string;
  /** Final status per job that ran (PASS, FAIL, WARN: failed but allowed to), from gitlab-ci-local's summary. */
  jobs: Record<string, string>;
  /** log returns the job's own output (script and after_script), undefined when it never started. */
  log(job: string): string | undefined;
  /** artifacts is the directory gitlab-ci-local exported the job's artifacts to. */
  artifacts(job: string): string;
}

/** PipelineOptions: the pipeline file in the repository and the CI/CD variables to set. */
export interface PipelineOptions {
  file?: string;
  variables?: Record<string, string>;
  /**
   * Jobs that declare `image:`. With --force-shell-executor gitlab-ci-local runs them on
   * the host but still sets CI_PROJECT_DIR to the container path /builds/<project>; a
   * shell runner sets the job's own checkout, so these jobs get that back (through
   * .gitlab-ci-local.yml, gitlab-ci-local's local override file).
   */
  imageJobs?: string[];
  /** More gitlab-ci-local arguments, e.g. ["--list"]. */
  args?: string[];
  timeoutMs?: number;
}

/**
 * runPipeline runs the repository's pipeline with gitlab-ci-local: shell executor (a
 * job's `image:` is ignored), each job in its own copy of the repository
 * (--shell-isolation, as a runner clones per job), GITLAB_CI=true as on GitLab, and a
 * private HOME so no user configuration of gitlab-ci-local leaks in.
 */
export async function runPipeline(repo: ComponentRepo, options: PipelineOptions = {}): Promise<PipelineRun> {
  const entry = await ensureGitlabCiLocal();
  const home = join(dirname(repo.dir), "home");
  mkdirSync(home, { recursive: true });
  const variables = { GITLAB_CI: "true", ...options.variables };
  const state = join(repo.dir, ".gitlab-ci-local");
  const overrides = (options.imageJobs ?? []).map((job) => {
    const checkout = JSON.stringify(join(state, "builds", job));
    return `${JSON.stringify(job)}:\n  variables:\n    CI_PROJECT_DIR: ${checkout}\n    CI_BUILDS_DIR: ${checkout}\n`;
  });
  if (overrides.length > 0) writeFileSync(join(repo.dir, ".gitlab-ci-local.yml"), overrides.join(""));
  const args = [
    "--import",
    POLYFILL,
    entry,
    "--file",
    options.file ?? ".gitlab-ci.yml",
    "--shell-isolation",
    "--force-shell-executor",
    "--no-artifacts-to-source",
    "--no-color",
    "--home",
    home,
    "--ignore-predefined-vars",
    "GITLAB_CI,CI_PROJECT_DIR,CI_BUILDS_DIR",
    ...Object.entries(variables).flatMap(([k, v]) => ["--variable", `${k}=${v}`]),
    ...(options.args ?? []),
  ];
  const env = {
    PATH: `${dirname(process.execPath)}:${process.env.PATH ?? "/usr/bin:/bin"}`,
    HOME: home,
    LANG: "C.UTF-8",
    NO_COLOR: "1",
  };
  const { code, stdout, stderr } = await new Promise<{ code: number | null; stdout: string; stderr: string }>(
    (resolve, reject) => {
      const child = spawn(process.execPath, args, { cwd: repo.dir, env, stdio: ["ignore", "pipe", "pipe"] });
      let out = "";
      let err = "";
      child.stdout.on("data", (c: Buffer) => (out += c.toString()));
      child.stderr.on("data", (c: Buffer) => (err += c.toString()));
      const timer = setTimeout(() => child.kill("SIGKILL"), options.timeoutMs ?? 120_000);
      child.on("error", reject);
      child.on("close", (exit) => {
        clearTimeout(timer);
        resolve({ code: exit, stdout: out, stderr: err });
      });
    },
  );
  const jobs: Record<string, string> = {};
  // Summary lines: " PASS  name", " WARN  name   pre_script" (job names without spaces here).
  for (const match of stdout.matchAll(/^ (PASS|FAIL|WARN) +(\S+)/gm)) jobs[match[2]!] = match[1]!;
  return {
    code,
    stdout,
    stderr,
    jobs,
    log: (job) => {
      const file = join(state, "output", `${job}.log`);
      return existsSync(file) ? readFileSync(file, "utf8") : undefined;
    },
    artifacts: (job) => join(state, "artifacts", job),
  };
}

/** filesUnder lists every regular file below `dir` (for leak scans). */
export function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    const stat = statSync(path, { throwIfNoEntry: false });
    if (stat?.isDirectory()) out.push(...filesUnder(path));
    else if (stat?.isFile()) out.push(path);
  }
  return out;
}
