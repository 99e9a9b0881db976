/**
 * run-ci — runs the CI-file blocks of the docs with the tools the other suites use:
 * GitHub workflows through actionlint and act (the published `uses:` address rewritten
 * to this repository's actions), GitLab pipelines through gitlab-ci-local with the
 * component project served locally, Jenkinsfiles through the Jenkins harness's
 * pipelines, and blocks another suite runs (`covered-by`).
 */
import { execFileSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { parse } from "yaml";
import { JENKINS_TEST_DIR, REPO_ROOT, baseEnv, ensureTool, runTool, type ToolRun } from "@vaultgate/test-harness";
import { COMPONENT_PROJECT, createComponentRepo, runPipeline } from "../harness/gitlab-ci-local.js";
import { option, type DocBlock } from "./blocks.js";
import { substitute, where, type DocSession } from "./run-shell.js";

/** PUBLISHED_ACTION matches the address users write for this repository's actions. */
const PUBLISHED_ACTION = /vaultgate\/vaultgate\/actions\/(secrets|check)@[\w.-]+/g;
/** PUBLISHED_COMPONENT matches the component address the docs give (the GitLab.com project). */
const PUBLISHED_COMPONENT = /gitlab\.com\/vaultgate\/components\/(secrets|check)@[\w.-]+/g;

/** actionsCopy is a folder holding this repository's actions (metadata and dist/ only). */
function actionsCopy(dir: string): string {
  for (const name of ["secrets", "check"]) {
    if (!existsSync(join(dir, "actions", name))) {
      cpSync(join(REPO_ROOT, "actions", name), join(dir, "actions", name), {
        recursive: true,
        filter: (src) => !/^(node_modules|src|test)\b/.test(relative(join(REPO_ROOT, "actions", name), src)),
      });
    }
  }
  return dir;
}

/** workflowFile writes a workflow block into the session's .github/workflows. */
function workflowFile(session: DocSession, block: DocBlock, text: string, suffix: string): string {
  mkdirSync(join(session.dir, ".github/workflows"), { recursive: true });
  const file = join(session.dir, ".github/workflows", `doc-${block.line}${suffix}.yml`);
  writeFileSync(file, text);
  return file;
}

function fail(block: DocBlock, what: string, run: ToolRun): never {
  throw new Error(`${where(block)}: ${what} (exit ${String(run.code)}):\n${block.text}\n--- output:\n${run.stdout}${run.stderr}`);
}

/** lintWorkflow runs actionlint on a workflow block; returns the file it wrote. */
export async function lintWorkflow(session: DocSession, block: DocBlock, env: Record<string, string>): Promise<string> {
  // actionlint reads a local action's action.yml: lint the published address as ./actions/NAME.
  actionsCopy(session.dir);
  if (!existsSync(join(session.dir, ".git"))) execFileSync("git", ["init", "-q", session.dir]);
  const file = workflowFile(session, block, substitute(block, env).replace(PUBLISHED_ACTION, "./actions/$1"), "-lint");
  const actionlint = await ensureTool("actionlint");
  const run = await runTool(actionlint, ["-no-color", "-oneline", "-shellcheck=", "-pyflakes=", file], { cwd: session.dir });
  if (run.code !== 0 || run.stdout + run.stderr !== "") fail(block, "actionlint", run);
  return file;
}

/** actWorkflow lints a workflow block, then runs it with act against devvault's GitHub identity. */
export async function actWorkflow(session: DocSession, block: DocBlock): Promise<void> {
  const env = await session.env(block);
  await lintWorkflow(session, block, env);
  const act = await ensureTool("act");
  const scratch = `${session.dir}-act`;
  mkdirSync(scratch, { recursive: true });
  // act runs the workflow as written: the published repository is served from a local copy.
  const file = workflowFile(session, block, substitute(block, env), "");
  const repoCopy = actionsCopy(join(scratch, "vaultgate"));
  const published = [...new Set([...block.text.matchAll(/vaultgate\/vaultgate\/actions\/\w+@([\w.-]+)/g)].map((m) => m[1]!))];
  for (const f of ["env", "vars", "secrets", "input"]) writeFileSync(join(scratch, f), "");
  const github = session.world.devvault.devvault.githubEnv();
  const job = option(block.marking, "job");
  const run = await runTool(
    act,
    [
      "push",
      "-C", session.dir,
      "-W", file,
      ...(job ? ["-j", job] : []),
      "-P", "ubuntu-latest=-self-hosted",
      "--action-cache-path", join(scratch, "cache"),
      "--action-offline-mode",
      "--no-cache-server",
      "--env-file", join(scratch, "env"),
      "--var-file", join(scratch, "vars"),
      "--secret-file", join(scratch, "secrets"),
      "--input-file", join(scratch, "input"),
      ...published.flatMap((ref) => ["--local-repository", `vaultgate/vaultgate@${ref}=${repoCopy}`]),
      "--env", `ACTIONS_ID_TOKEN_REQUEST_URL=${github.ACTIONS_ID_TOKEN_REQUEST_URL}`,
      "--env", `ACTIONS_ID_TOKEN_REQUEST_TOKEN=${github.ACTIONS_ID_TOKEN_REQUEST_TOKEN}`,
    ], // prettier-ignore
    { cwd: session.dir, env: baseEnv({ PATH: env.PATH, HOME: env.HOME }), timeoutMs: 180_000 },
  );
  if (run.code !== 0 || !(run.stdout + run.stderr).includes("Job succeeded")) fail(block, "act", run);
  for (const text of block.marking.kind === "run" ? (block.marking.options.get("stdout") ?? []) : []) {
    if (!(run.stdout + run.stderr).includes(text)) fail(block, `act output lacks "${text}"`, run);
  }
}

/** gitlabPipeline expands (or runs) a pipeline block with the component project served locally. */
export async function gitlabPipeline(session: DocSession, block: DocBlock): Promise<void> {
  const text = substitute(block, await session.env(block)).replace(
    PUBLISHED_COMPONENT,
    `$CI_SERVER_FQDN/${COMPONENT_PROJECT.path}/$1@$CI_COMMIT_SHA`,
  );
  const repo = await createComponentRepo({ "doc.gitlab-ci.yml": text });
  const mode = option(block.marking, "mode") ?? "preview";
  if (mode !== "preview") throw new Error(`${where(block)}: gitlab-ci-local mode=${mode} is not supported here`);
  const preview = await runPipeline(repo, { file: "doc.gitlab-ci.yml", args: ["--preview"] });
  if (preview.code !== 0) fail(block, "gitlab-ci-local --preview", preview);
  const jobs = parse(preview.stdout.slice(preview.stdout.indexOf("---"))) as Record<string, unknown> | null;
  if (!jobs || Object.keys(jobs).length === 0) fail(block, "gitlab-ci-local expanded no job", preview);
}

/** jenkinsfile checks that the block is one of the pipelines the Jenkins harness runs. */
export function jenkinsfile(block: DocBlock): void {
  const dir = join(JENKINS_TEST_DIR, "pipelines");
  const pipelines = readdirSync(dir).filter((f) => f.endsWith(".jenkinsfile"));
  if (!pipelines.some((f) => readFileSync(join(dir, f), "utf8") === block.text)) {
    throw new Error(
      `${where(block)}: this Jenkinsfile is not one the Jenkins harness runs; add it to ${dir} (and its test) or mark it illustrative`,
    );
  }
}

/** coveredBy checks that the named suite exists and reads this document. */
export function coveredBy(block: DocBlock): void {
  const file = option(block.marking, "covered-by");
  if (!file || !existsSync(join(REPO_ROOT, file))) throw new Error(`${where(block)}: covered-by names no test file ("${file}")`);
  const source = readFileSync(join(REPO_ROOT, file), "utf8");
  if (!source.includes(block.doc.split("/").pop()!)) {
    throw new Error(`${where(block)}: ${file} does not read ${block.doc}`);
  }
}
