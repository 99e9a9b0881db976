// actions/check from its committed dist/ publishing the gate through @actions/github to a
// loopback stand-in of the GitHub REST API: a completed "vaultgate check" check run on
// the pull request's head commit with one annotation per failing check (file and line of
// the workflow that names the secret), one pull-request comment updated in place on
// re-runs, a notice instead of a failure when `checks: write` is missing, the
// environment named on a deployment job — and no token of any kind in a request body.
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from "vitest";
import {
  ACTIONS,
  newRunnerJob,
  randomSecret,
  runActionStep,
  startGitHubApi,
  startGitHubOidc,
  type GitHubApi,
  type GitHubOidcServer,
  type StepRun,
} from "@vaultgate/test-harness";

const vault = inject("vault");
const HEAD_SHA = "1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b";
const WORKFLOW = [
  "name: deploy",
  "on: pull_request",
  "jobs:",
  "  gate:",
  "    runs-on: ubuntu-latest",
  "    steps:",
  "      - uses: vaultgate/vaultgate/actions/check@v1",
  "        with:",
  "          secrets: |",
  "            secret/data/app/db password | DB_PASSWORD",
  "            secret/data/app/nope password | MISSING",
  "",
].join("\n");

let oidc: GitHubOidcServer;
let api: GitHubApi | undefined;
const githubToken = `ghs_${randomSecret()}`;

beforeAll(async () => {
  oidc = await startGitHubOidc(vault.issuers.github);
});
afterAll(() => oidc.close());
afterEach(async () => {
  await api?.close();
  api = undefined;
});

/** pullRequestJob is a runner job for a pull_request event, with the workflow in its workspace. */
function pullRequestJob(number: number) {
  const job = newRunnerJob();
  mkdirSync(join(job.workspace, ".github", "workflows"), { recursive: true });
  writeFileSync(join(job.workspace, ".github", "workflows", "deploy.yml"), WORKFLOW);
  const eventPath = join(mkdtempSync(join(tmpdir(), "vaultgate-event-")), "event.json");
  writeFileSync(eventPath, JSON.stringify({ action: "synchronize", number, pull_request: { number, head: { sha: HEAD_SHA } } }));
  const env = {
    GITHUB_EVENT_NAME: "pull_request",
    GITHUB_EVENT_PATH: eventPath,
    GITHUB_REPOSITORY: "acme/app",
    GITHUB_SHA: "ffffffffffffffffffffffffffffffffffffffff",
    GITHUB_WORKFLOW_REF: `acme/app/.github/workflows/deploy.yml@refs/pull/${number}/merge`,
  };
  return { job, env };
}

async function gate(
  server: GitHubApi,
  secrets: string,
  extra: { comment?: string; oidc?: GitHubOidcServer; role?: string; number?: number } = {},
): Promise<StepRun> {
  const { job, env } = pullRequestJob(extra.number ?? 7);
  const run = await runActionStep("check", ACTIONS.check.main, {
    job,
    inputs: {
      url: vault.addr,
      role: extra.role ?? "deploy",
      audience: vault.audience,
      secrets,
      "github-token": githubToken,
      ...(extra.comment ? { comment: extra.comment } : {}),
    },
    env: { ...(extra.oidc ?? oidc).env, ...env, GITHUB_API_URL: server.url },
  });
  // No token of any kind in any request body, nor in the log outside the ::add-mask:: lines.
  const log = run.stdout
    .split("\n")
    .filter((l) => !l.startsWith("::add-mask::"))
    .join("\n");
  const tokens = [githubToken, ...run.masks.filter((m) => m.length >= 20)];
  for (const request of server.requests) {
    for (const token of tokens) expect(request.body.includes(token), `a token in ${request.method} ${request.path}`).toBe(false);
    for (const value of Object.values(vault.values)) expect(request.body.includes(value)).toBe(false);
  }
  for (const token of tokens) expect(log.includes(token)).toBe(false);
  return run;
}

const commandsNamed = (run: StepRun, name: string) => run.commands.filter((c) => c.name === name);

describe("actions/check: check run and pull-request comment through @actions/github", () => {
  it("a failing gate creates a completed check run with conclusion failure and an annotation per failing check", async () => {
    api = await startGitHubApi({ token: githubToken });
    const run = await gate(api, "secret/data/app/db password | DB_PASSWORD\nsecret/data/app/nope password | MISSING");
    expect(run.code).toBe(1);
    expect(run.outputs.ok).toBe("false");
    const [checkRun] = [...api.checkRuns.values()];
    expect(api.checkRuns.size).toBe(1);
    expect(run.outputs["check-run-id"]).toBe(String(checkRun?.id));
    expect(checkRun).toMatchObject({ name: "vaultgate check", head_sha: HEAD_SHA, status: "completed", conclusion: "failure" });
    const output = checkRun?.output as { title: string; summary: string; annotations: Record<string, unknown>[] };
    expect(output.title).toBe("vaultgate check failed: 1 check(s)");
    expect(output.summary).toContain("### ❌ vaultgate check failed");
    expect(output.annotations).toEqual([
      expect.objectContaining({
        path: ".github/workflows/deploy.yml",
        start_line: 11,
        end_line: 11,
        annotation_level: "failure",
        title: "vaultgate check: Secret MISSING (secret/data/app/nope password)",
        message: expect.stringMatching(/^Secret not found: secret\/data\/app\/nope/) as unknown,
      }),
    ]);
    // Without `comment: true` there is no comment.
    expect(api.comments).toEqual([]);
    expect(api.requests.every((r) => r.authorization === `token ${githubToken}`)).toBe(true);
  });

  it("a re-run updates the one pull-request comment in place, found past the first page", async () => {
    const others = Array.from({ length: 130 }, (_, i) => ({ id: 100 + i, issue: 8, body: `review comment ${i}` }));
    api = await startGitHubApi({ token: githubToken, comments: others });
    const first = await gate(api, "secret/data/app/nope password | MISSING", { comment: "true", number: 8 });
    const second = await gate(api, "secret/data/app/db password | DB_PASSWORD", { comment: "true", number: 8 });
    const mine = api.comments.filter((c) => c.body.includes("<!-- vaultgate-check-report -->"));
    expect(mine).toHaveLength(1);
    expect(first.outputs["comment-id"]).toBe(String(mine[0]?.id));
    expect(second.outputs["comment-id"]).toBe(first.outputs["comment-id"]);
    expect(mine[0]?.body).toContain("### ✅ vaultgate check passed");
    expect(api.comments).toHaveLength(131);
    expect(api.requests.filter((r) => r.method === "POST" && r.path.endsWith("/comments"))).toHaveLength(1);
    expect(api.requests.filter((r) => r.method === "PATCH" && r.path.includes("/issues/comments/"))).toHaveLength(1);
  });

  it("without checks: write, a notice says how to enable it and the gate's own result stands", async () => {
    api = await startGitHubApi({ token: githubToken, deny: ["checks"] });
    const run = await gate(api, "secret/data/app/db password | DB_PASSWORD");
    expect(run.code, run.stdout).toBe(0);
    expect(run.outputs.ok).toBe("true");
    expect(run.outputs["check-run-id"]).toBeUndefined();
    const notices = commandsNamed(run, "notice").map((c) => c.message);
    expect(notices.some((m) => m.includes("HTTP 403") && m.includes("permissions: checks: write"))).toBe(true);
    expect(commandsNamed(run, "error")).toEqual([]);
  });

  it("on a deployment job the summary, the check run and the comment name the environment", async () => {
    const production = await startGitHubOidc(vault.issuers.github, { environment: "production" });
    try {
      api = await startGitHubApi({ token: githubToken });
      const run = await gate(api, "secret/data/app/db password | DB_PASSWORD", {
        oidc: production,
        role: "production",
        comment: "true",
      });
      expect(run.code, run.stdout).toBe(0);
      expect(run.files.summary).toContain("### ✅ vaultgate check passed for environment `production`");
      const [checkRun] = [...api.checkRuns.values()];
      expect((checkRun?.output as { title: string }).title).toBe("vaultgate check passed for production");
      expect(api.comments[0]?.body).toContain("Deploy to environment `production`.");
    } finally {
      await production.close();
    }
  });
});
