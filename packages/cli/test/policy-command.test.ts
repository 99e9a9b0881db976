// `vaultgate policy` (packages/cli/src/commands/policy.ts) without a vault: the safe
// defaults in every output format, one comment per binding, id lookups against a
// loopback stand-in answering GitHub's and GitLab's documented REST shapes, and the
// warnings when only names are bound.
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { PassThrough } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { nullLogger, type Platform } from "@vaultgate/core";
import { main } from "../src/main.js";
import type { CommandContext } from "../src/context.js";

async function run(args: string[], env: Record<string, string> = {}) {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = "";
  let err = "";
  stdout.on("data", (c: Buffer) => (out += c.toString()));
  stderr.on("data", (c: Buffer) => (err += c.toString()));
  const ctx: CommandContext = {
    env,
    cwd: "/",
    stdout,
    stderr,
    platform: (): Platform => ({ name: "local", env, mask: () => undefined, log: nullLogger }),
  };
  const code = await main(["policy", "--url", "https://vault.example.com", "-s", "secret/app/db password", ...args], ctx);
  return { code, out, err };
}

const GITHUB = ["--platform", "github", "--repository", "acme/app", "--branch", "main"];

interface Requests {
  jsonBody: { requests: { path: string; comments: string[]; body: Record<string, unknown> }[] };
}

describe("vaultgate policy output", () => {
  it("binds numeric ids, the ref and an explicit audience, with a short TTL and the generated policy only", async () => {
    const { code, out, err } = await run([...GITHUB, "--repository-id", "42", "--owner-id", "7", "--format", "json"]);
    expect(err).toBe("");
    expect(code).toBe(0);
    const { requests } = JSON.parse(out) as Requests["jsonBody"];
    expect(requests.map((r) => r.path)).toEqual([
      "sys/auth/jwt",
      "auth/jwt/config",
      "sys/policies/acl/jwt-deploy",
      "auth/jwt/role/deploy",
    ]);
    const role = requests[3];
    expect(role?.body).toMatchObject({
      role_type: "jwt",
      bound_audiences: ["https://vault.example.com"],
      bound_claims_type: "string",
      bound_claims: { repository_id: "42", repository_owner_id: "7", ref: "refs/heads/main" },
      user_claim: "repository_id",
      token_policies: ["jwt-deploy"],
      token_no_default_policy: true,
      token_ttl: 900,
      token_max_ttl: 3600,
    });
    // One comment line per binding.
    for (const claim of ["repository_id", "repository_owner_id", "ref"])
      expect(role?.comments.filter((c) => c.startsWith(`bound_claims.${claim} =`))).toHaveLength(1);
    expect(requests[1]?.body).toEqual({
      bound_issuer: "https://token.actions.githubusercontent.com",
      oidc_discovery_url: "https://token.actions.githubusercontent.com",
    });
    const policy = String(requests[2]?.body.policy);
    expect(policy).toContain('path "secret/data/app/db" {\n  capabilities = ["read"]\n}');
    expect(policy).not.toMatch(/[*+]"/);
  });

  it("writes one role per environment, glob type only where a value holds *", async () => {
    const { out } = await run([
      ...["--platform", "github", "--repository", "acme/app", "--repository-id", "42", "--owner-id", "7"],
      ...["--tag", "v*", "--environment", "staging", "--environment", "production", "--format", "json"],
    ]);
    const roles = (JSON.parse(out) as Requests["jsonBody"]).requests.filter((r) => r.path.includes("/role/"));
    expect(roles.map((r) => r.path)).toEqual(["auth/jwt/role/deploy-staging", "auth/jwt/role/deploy-production"]);
    expect(roles[1]?.body).toMatchObject({
      bound_claims_type: "glob",
      bound_claims: { environment: "production", ref: "refs/tags/v*" },
    });
  });

  it("Terraform, HCL and CLI forms carry the comments", async () => {
    const ids = ["--repository-id", "42", "--owner-id", "7"];
    const tf = (await run([...GITHUB, ...ids, "--format", "terraform"])).out;
    expect(tf).toContain('resource "vault_jwt_auth_backend_role" "deploy" {');
    expect(tf).toContain("backend = vault_jwt_auth_backend.jwt.path");
    expect(tf).toContain("token_policies = [vault_policy.jwt_deploy.name]");
    expect(tf).toMatch(/# bound_claims\.repository_id = 42: only acme\/app \(id 42\)/);
    const hcl = (await run([...GITHUB, ...ids, "--format", "hcl"])).out;
    expect(hcl).toMatch(/^# jwt-deploy: /);
    const cli = (await run([...GITHUB, ...ids, "--cli", "vault"])).out;
    expect(cli).toContain("vault write auth/jwt/role/deploy - <<'VAULTGATE_EOF'");
    expect(cli).not.toMatch(/bound_claims=/);
  });

  it("warns when only names are bound, and refuses GitHub's default audience", async () => {
    const named = await run(GITHUB);
    expect(named.code).toBe(0);
    expect(named.err).toContain("Warning: Only the name acme/app is bound");
    const shared = await run([...GITHUB, "--audience", "https://github.com/acme"]);
    expect(shared.code).toBe(2);
    expect(shared.err).toMatch(/^Error: The audience https:\/\/github.com\/acme is GitHub's default/);
    expect(shared.err).toContain("Hint: ");
  });

  it("refuses usage errors with a hint", async () => {
    expect((await run(["--platform", "github", "--repository", "acme/app"])).err).toContain(
      "needs at least one ref or environment",
    );
    expect((await run(["--platform", "bitbucket"])).code).toBe(2);
    expect((await run([...GITHUB, "--dry-run"])).err).toContain("--dry-run goes with --apply");
  });
});

describe("vaultgate policy id lookups (loopback stand-in for the REST APIs)", () => {
  let server: Server;
  let base = "";
  const seen: { url: string; auth: string | undefined }[] = [];
  beforeAll(async () => {
    server = createServer((req: IncomingMessage, res) => {
      seen.push({ url: req.url ?? "", auth: req.headers.authorization ?? req.headers["private-token"]?.toString() });
      const json = (status: number, body: unknown) => {
        res.writeHead(status, { "content-type": "application/json" });
        res.end(JSON.stringify(body));
      };
      // GitHub: GET /repos/{owner}/{repo} → repository with id and owner.id.
      if (req.url === "/repos/acme/app")
        return json(200, { id: 1296269, name: "app", full_name: "acme/app", owner: { login: "acme", id: 583231 } });
      // GitLab: GET /api/v4/projects/:id (URL-encoded path) → project with id and namespace.id.
      if (req.url === "/api/v4/projects/acme%2Fapp")
        return json(200, { id: 2002, path_with_namespace: "acme/app", namespace: { id: 1001, full_path: "acme" } });
      return json(404, { message: "Not Found" });
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it("GitHub: binds the looked-up repository and owner ids", async () => {
    const { code, out, err } = await run([...GITHUB, "--format", "json"], {
      GITHUB_TOKEN: "ghs_test",
      VAULTGATE_GITHUB_API_URL: base,
    });
    expect(err).toBe("");
    expect(code).toBe(0);
    const role = (JSON.parse(out) as Requests["jsonBody"]).requests[3];
    expect(role?.body.bound_claims).toEqual({ repository_id: "1296269", repository_owner_id: "583231", ref: "refs/heads/main" });
    expect(seen.some((s) => s.url === "/repos/acme/app" && s.auth === "token ghs_test")).toBe(true);
  });

  it("GitLab: binds the looked-up project and namespace ids", async () => {
    const { code, out, err } = await run(
      ["--platform", "gitlab", "--project", "acme/app", "--branch", "main", "--format", "json", "--gitlab-api-url", base],
      { GITLAB_TOKEN: "glpat-test" },
    );
    expect(err).toBe("");
    expect(code).toBe(0);
    const role = (JSON.parse(out) as Requests["jsonBody"]).requests[3];
    expect(role?.body.bound_claims).toEqual({
      project_id: "2002",
      namespace_id: "1001",
      ref_path: "refs/heads/main",
      ref_protected: "true",
    });
    expect(seen.some((s) => s.url === "/api/v4/projects/acme%2Fapp" && s.auth === "glpat-test")).toBe(true);
  });

  it("an unknown repository is a configuration error naming the flags to pass instead", async () => {
    const { code, err } = await run(["--platform", "github", "--repository", "acme/gone", "--branch", "main"], {
      GITHUB_TOKEN: "ghs_test",
      VAULTGATE_GITHUB_API_URL: base,
    });
    expect(code).toBe(2);
    expect(err).toContain("Error: Looking up acme/gone on the GitHub API was not found");
    expect(err).toContain("--repository-id and --owner-id");
  });
});
