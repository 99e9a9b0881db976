// Docs as tests: every shell, YAML and Groovy block of README.md, docs/*.md and
// actions/*/README.md is either marked illustrative or run, as docs/contributing.md
// says. Run blocks go, in document order, against one shared devvault and one shared
// OpenBao (each document in its own namespace), through actionlint and act,
// gitlab-ci-local, or the Jenkins harness's pipelines. A block with no marking fails.
// VAULTGATE_DOCS=docs/devvault.md (comma-separated) limits the run to some documents.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { REPO_ROOT } from "@vaultgate/test-harness";
import { documentedFiles, needsMarking, parseBlocks, type DocBlock } from "./blocks.js";
import { actWorkflow, coveredBy, gitlabPipeline, jenkinsfile, lintWorkflow } from "./run-ci.js";
import { DocSession, killAll, where } from "./run-shell.js";
import { startWorld, type DocWorld } from "./world.js";

const only = process.env.VAULTGATE_DOCS?.split(",").filter(Boolean);
const docs = documentedFiles(REPO_ROOT).filter((doc) => !only || only.includes(doc));
const blocksOf = (doc: string) => parseBlocks(doc, readFileSync(join(REPO_ROOT, doc), "utf8"));

let world: DocWorld | undefined;
beforeAll(async () => {
  world = await startWorld();
}, 120_000);
afterAll(async () => {
  killAll();
  await world?.stop();
});

describe("every code block in the docs is marked", () => {
  it.each(docs)("%s", (doc) => {
    const problems = blocksOf(doc)
      .filter(needsMarking)
      .flatMap((b) =>
        b.marking.kind === "none"
          ? [`${where(b)}: \`\`\`${b.lang} block with no doc-test marking (docs/contributing.md)`]
          : b.marking.kind === "invalid"
            ? [`${where(b)}: ${b.marking.problem}`]
            : [],
      );
    expect(problems).toEqual([]);
  });
});

/** runBlock runs one marked block in its document's session. */
async function runBlock(session: DocSession, block: DocBlock): Promise<void> {
  if (block.marking.kind !== "run") return;
  switch (block.marking.runner) {
    case "file":
      return session.writeFile(block);
    case "shell":
      return session.runShell(block);
    case "actionlint":
      await lintWorkflow(session, block, await session.env(block));
      return;
    case "act":
      return actWorkflow(session, block);
    case "gitlab-ci-local":
      return gitlabPipeline(session, block);
    case "jenkins":
      return jenkinsfile(block);
    case "covered-by":
      return coveredBy(block);
  }
}

const runnable = docs.filter((doc) => blocksOf(doc).some((b) => b.marking.kind === "run"));

describe.each(runnable)("the run blocks of %s", (doc) => {
  it("run as written, in order", async () => {
    const dir = mkdtempSync(join(tmpdir(), "vaultgate-doc-"));
    const session = new DocSession(world!, doc, dir);
    try {
      for (const block of blocksOf(doc)) await runBlock(session, block);
    } finally {
      await session.end();
    }
    // Kept when a block failed, to look at; a clone with its node_modules is large.
    for (const path of [dir, `${dir}-act`]) rmSync(path, { recursive: true, force: true });
  }, 600_000);
});

it("counts: run vs illustrative", () => {
  const all = documentedFiles(REPO_ROOT).flatMap(blocksOf).filter(needsMarking);
  const run = all.filter((b) => b.marking.kind === "run").length;
  const illustrative = all.filter((b) => b.marking.kind === "illustrative").length;
  console.log(`doc blocks: ${run} run, ${illustrative} illustrative, ${all.length - run - illustrative} unmarked`);
  expect(run + illustrative).toBeGreaterThan(0);
});
