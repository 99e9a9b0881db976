// `vaultgate check --gitlab-note` in a GitLab merge-request pipeline, through
// @gitbeaker/rest to a loopback stand-in of the GitLab REST API: one merge-request note
// with the report, updated in place on re-runs (found past the first page), skipped with
// a notice without a token or outside a merge request, a rejected token reported without
// changing the gate's exit code — and no token of any kind in a request body or the log.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, inject, it } from "vitest";
import { gitlabJobEnv, randomSecret, runCli, startGitLabApi, type GitLabApi } from "@vaultgate/test-harness";

const vault = inject("vault");
const gitlabToken = `glpat-${randomSecret()}`;
let api: GitLabApi | undefined;
afterEach(async () => {
  await api?.close();
  api = undefined;
});

async function check(server: GitLabApi | undefined, secrets: string[], extra: Record<string, string> = {}) {
  const { env, token } = await gitlabJobEnv(vault, {
    VAULTGATE_MOUNT: "jwt-gitlab",
    CI_PROJECT_ID: "4242",
    CI_MERGE_REQUEST_IID: "17",
    CI_PIPELINE_URL: "https://gitlab.example.com/acme/app/-/pipelines/901",
    ...(server ? { CI_API_V4_URL: server.url } : {}),
    VAULTGATE_GITLAB_TOKEN: gitlabToken,
    ...extra,
  });
  const dir = mkdtempSync(join(tmpdir(), "vaultgate-note-"));
  const args = ["check", "--role", "deploy", "--report", join(dir, "report.json"), "--gitlab-note"];
  for (const s of secrets) args.push("-s", s);
  const result = await runCli(args, env, { cwd: dir });
  for (const text of [result.stdout, result.stderr, ...(server?.requests.map((r) => r.body) ?? [])]) {
    expect(text.includes(token), "the ID token leaked").toBe(false);
    expect(text.includes(gitlabToken), "the GitLab token leaked").toBe(false);
    for (const value of Object.values(vault.values)) expect(text.includes(value)).toBe(false);
  }
  return result;
}

const MARKER = "<!-- vaultgate-check-report -->";

describe("vaultgate check --gitlab-note", () => {
  it("posts one note on a failing gate and updates it in place when the gate is re-run", async () => {
    const others = Array.from({ length: 45 }, (_, i) => ({ id: 10 + i, project: "4242", mergeRequest: 17, body: `LGTM ${i}` }));
    api = await startGitLabApi({ token: gitlabToken, notes: others });
    const failed = await check(api, ["secret/app/nope password | MISSING"]);
    expect(failed.code).toBe(1);
    expect(failed.stderr).toMatch(/vaultgate: merge-request note posted \(!17, note \d+\)\./);
    const passed = await check(api, ["secret/app/db password | DB_PASSWORD"]);
    expect(passed.code).toBe(0);
    expect(passed.stderr).toMatch(/vaultgate: merge-request note updated \(!17, note \d+\)\./);
    const mine = api.notes.filter((n) => n.body.includes(MARKER));
    expect(mine).toHaveLength(1);
    expect(mine[0]?.body).toContain("### ✅ vaultgate check passed");
    expect(mine[0]?.body).toContain("_Pipeline https://gitlab.example.com/acme/app/-/pipelines/901");
    expect(api.notes).toHaveLength(46);
    expect(api.requests.filter((r) => r.method === "POST")).toHaveLength(1);
    expect(api.requests.filter((r) => r.method === "PUT")).toHaveLength(1);
    expect(api.requests.every((r) => r.token === gitlabToken)).toBe(true);
  });

  it("is skipped with a notice without a token, or outside a merge-request pipeline", async () => {
    api = await startGitLabApi({ token: gitlabToken });
    const noToken = await check(api, ["secret/app/db password | DB_PASSWORD"], { VAULTGATE_GITLAB_TOKEN: "" });
    expect(noToken.code).toBe(0);
    expect(noToken.stderr).toContain("Notice: VAULTGATE_GITLAB_TOKEN is not set: no merge-request note.");
    const branch = await check(api, ["secret/app/db password | DB_PASSWORD"], { CI_MERGE_REQUEST_IID: "" });
    expect(branch.code).toBe(0);
    expect(branch.stderr).toContain("Notice: not a merge-request pipeline");
    expect(api.requests).toEqual([]);
  });

  it("a rejected token is a warning naming the scope, and the gate's exit code stands", async () => {
    api = await startGitLabApi({ token: `glpat-${randomSecret()}` });
    const result = await check(api, ["secret/app/nope password | MISSING"]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      "Warning: could not post the merge-request note (HTTP 401: VAULTGATE_GITLAB_TOKEN needs the api scope",
    );
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });

  it("finds its note past the first page of 100", async () => {
    const others = Array.from({ length: 150 }, (_, i) => ({ id: 10 + i, project: "4242", mergeRequest: 17, body: `note ${i}` }));
    const old = { id: 999, project: "4242", mergeRequest: 17, body: `${MARKER}\nold report` };
    api = await startGitLabApi({ token: gitlabToken, notes: [...others, old] });
    const result = await check(api, ["secret/app/db password | DB_PASSWORD"]);
    expect(result.stderr).toContain("vaultgate: merge-request note updated (!17, note 999).");
    expect(api.notes.find((n) => n.id === 999)?.body).toContain("### ✅ vaultgate check passed");
    expect(api.requests.filter((r) => r.method === "GET")).toHaveLength(2);
  });
});
