// A workflow with `uses: ./actions/check` and `uses: ./actions/secrets` run by nektos/act
// on this host (-P ubuntu-latest=-self-hosted), with the OIDC variables passed in and
// the real OpenBao: act runs the committed dist/ (main and post), masks what the action
// registered, exports to the next step, and the post step revokes the token. act is
// built from the Go module proxy (test/servers/build-act.sh); a missing tool fails.
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import {
  REPO_ROOT,
  VaultAdmin,
  baseEnv,
  ensureTool,
  runTool,
  startGitHubOidc,
  type GitHubOidcServer,
} from "@vaultgate/test-harness";

const vault = inject("vault");
const admin = new VaultAdmin(vault.addr, vault.rootToken);
let act: string;
let oidc: GitHubOidcServer;

beforeAll(
  async () => {
    act = await ensureTool("act");
    oidc = await startGitHubOidc(vault.issuers.github);
  },
  20 * 60 * 1000,
);
afterAll(() => oidc?.close());

function workflow(): string {
  return `name: act-self-test
on: push
permissions:
  contents: read
  id-token: write
jobs:
  deploy:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - id: gate
        uses: ./actions/check
        with:
          url: ${vault.addr}
          role: deploy
          audience: ${vault.audience}
          min-ttl: 2m
          secrets: secret/data/app/db password | DB_PASSWORD
      - id: vault
        uses: ./actions/secrets
        with:
          url: ${vault.addr}
          method: jwt
          role: deploy
          jwtGithubAudience: ${vault.audience}
          exportToken: true
          secrets: |
            secret/data/app/db password | DB_PASSWORD ;
            secret/data/app/cert pem | TLS_KEY ;
      - name: use the secrets
        run: |
          test "\${{ steps.gate.outputs.ok }}" = true
          printf '%s' "$DB_PASSWORD" > "$OUT_DIR/db"
          printf '%s' "$VAULT_TOKEN" > "$OUT_DIR/token"
          echo "password: $DB_PASSWORD"
          echo "output: \${{ steps.vault.outputs.DB_PASSWORD }}"
          echo "$TLS_KEY"
`;
}

describe("act (host mode)", () => {
  it("runs check → secrets → a step using them, and the post step revokes", async () => {
    const dir = mkdtempSync(join(tmpdir(), "vaultgate-act-"));
    writeFileSync(join(dir, "workflow.yml"), workflow());
    for (const f of ["env", "vars", "secrets", "input"]) writeFileSync(join(dir, f), "");
    const result = await runTool(
      act,
      [
        "push",
        "-C", REPO_ROOT,
        "-W", join(dir, "workflow.yml"),
        "-P", "ubuntu-latest=-self-hosted",
        "--action-cache-path", join(dir, "cache"),
        "--action-offline-mode",
        "--no-cache-server",
        "--env-file", join(dir, "env"),
        "--var-file", join(dir, "vars"),
        "--secret-file", join(dir, "secrets"),
        "--input-file", join(dir, "input"),
        "--env", `ACTIONS_ID_TOKEN_REQUEST_URL=${oidc.env.ACTIONS_ID_TOKEN_REQUEST_URL}`,
        "--env", `ACTIONS_ID_TOKEN_REQUEST_TOKEN=${oidc.env.ACTIONS_ID_TOKEN_REQUEST_TOKEN}`,
        "--env", `OUT_DIR=${dir}`,
      ], // prettier-ignore
      { cwd: REPO_ROOT, env: baseEnv(), timeoutMs: 120_000 },
    );
    const log = result.stdout + result.stderr;
    expect(result.code, log).toBe(0);
    expect(log).toContain("🏁  Job succeeded");
    expect(log).toMatch(/Success - Main \.\/actions\/check/);
    expect(log).toMatch(/Success - Post \.\/actions\/secrets/);
    expect(log).toContain("| password: ***");
    expect(log).toContain("| output: ***");
    expect(readFileSync(join(dir, "db"), "utf8")).toBe(vault.values.dbPassword);
    for (const value of [vault.values.dbPassword!, ...vault.values.multiline!.split("\n").slice(1, 3)]) {
      expect(log.includes(value), "act printed a value the action masked").toBe(false);
    }
    const token = readFileSync(join(dir, "token"), "utf8");
    expect(token).toMatch(/^s\./);
    expect(await admin.tokenWorks(token)).toBe(false);
  });
});
