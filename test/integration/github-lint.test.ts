// actionlint over this repository's workflows and, through them, both actions'
// action.yml (inputs, runs.using node24, the dist/ files they name), plus a workflow
// that passes every hashicorp/vault-action input: each is declared, so a migrated step
// gets no "Unexpected input" warning. actionlint is built from the Go module proxy
// (test/servers/build-actionlint.sh); a missing tool fails the suite.
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { CHECK_INPUTS, CONNECTION_INPUTS, SECRETS_INPUTS } from "@vaultgate/github-actions";
import { REPO_ROOT, actionMetadata, ensureTool, runTool } from "@vaultgate/test-harness";

/** VAULT_ACTION_INPUTS lists every input of hashicorp/vault-action v3's action.yml. */
const VAULT_ACTION_INPUTS = [
  "url", "secrets", "pki", "namespace", "method", "role", "path", "token", "roleId", "secretId", "githubToken",
  "kubernetesTokenPath", "username", "password", "authPayload", "extraHeaders", "exportEnv", "exportToken", "outputToken",
  "caCertificate", "clientCertificate", "clientKey", "tlsSkipVerify", "jwtPrivateKey", "jwtKeyPassword", "jwtGithubAudience",
  "jwtTtl", "secretEncodingType", "ignoreNotFound",
]; // prettier-ignore

let actionlint: string;
beforeAll(
  async () => {
    actionlint = await ensureTool("actionlint");
  },
  20 * 60 * 1000,
);

const lint = (cwd: string) => runTool(actionlint, ["-no-color", "-oneline", "-shellcheck=", "-pyflakes="], { cwd });

/** project makes a scratch repository whose actions/ is this one's, with one workflow. */
function project(workflow: string): string {
  const dir = mkdtempSync(join(tmpdir(), "vaultgate-actionlint-"));
  mkdirSync(join(dir, ".github/workflows"), { recursive: true });
  mkdirSync(join(dir, ".git"));
  symlinkSync(join(REPO_ROOT, "actions"), join(dir, "actions"));
  writeFileSync(join(dir, ".github/workflows/migrated.yml"), workflow);
  return dir;
}

const job = (steps: string) =>
  `on: push\npermissions:\n  contents: read\n  id-token: write\njobs:\n  deploy:\n    runs-on: ubuntu-latest\n    steps:\n${steps}`;

describe("actionlint", () => {
  it("passes this repository's workflows and the action.yml files they use", async () => {
    const result = await lint(REPO_ROOT);
    expect(result.stdout + result.stderr).toBe("");
    expect(result.code).toBe(0);
  });

  it("accepts every hashicorp/vault-action input on actions/secrets", async () => {
    const declared = Object.keys(actionMetadata("secrets").inputs);
    expect(VAULT_ACTION_INPUTS.filter((name) => !declared.includes(name))).toEqual([]);
    const withBlock = VAULT_ACTION_INPUTS.map((name) => `          ${name}: "x"`).join("\n");
    const result = await lint(project(job(`      - uses: ./actions/secrets\n        with:\n${withBlock}\n`)));
    expect(result.stdout + result.stderr).toBe("");
    expect(result.code).toBe(0);
  });

  it("reads the actions' metadata: an undeclared input is reported", async () => {
    const result = await lint(project(job("      - uses: ./actions/check\n        with:\n          exportEnv: true\n")));
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/input "exportEnv" is not defined in action "vaultgate check"/);
  });

  it("declares exactly the inputs the code reads, and runs node24 with a post step that always runs", () => {
    const secrets = actionMetadata("secrets");
    const check = actionMetadata("check");
    const sorted = (names: Iterable<string>) => [...new Set(names)].sort();
    expect(sorted(Object.keys(secrets.inputs))).toEqual(sorted([...CONNECTION_INPUTS, ...SECRETS_INPUTS]));
    expect(sorted(Object.keys(check.inputs))).toEqual(sorted([...CONNECTION_INPUTS, ...CHECK_INPUTS]));
    // No defaults: an alias pair with a default on one name would always disagree with the other. The one
    // exception has no alias: the check action's github-token is the job's token unless given.
    for (const meta of [secrets, check]) {
      const defaults = Object.entries(meta.inputs).filter(([, i]) => i.default !== undefined);
      expect(defaults).toEqual(
        meta === check ? [["github-token", expect.objectContaining({ default: "${{ github.token }}" })]] : [],
      );
    }
    expect(secrets.runs).toEqual({ using: "node24", main: "dist/index.js", post: "dist/post/index.js", "post-if": "always()" });
    expect(check.runs).toEqual({ using: "node24", main: "dist/index.js" });
    expect(Object.keys(check.outputs).sort()).toEqual(["check-run-id", "comment-id", "ok", "report"]);
  });
});
