// `vaultgate policy --apply` against the real OpenBao, each platform in a namespace of its
// own: the intended job's token logs in and reads exactly its secret; tokens of another
// repository, a recycled name, another branch, a pull request, another environment and
// the wrong audience are refused. Also: idempotence, --dry-run, and the generated bao
// script run by the real bao binary.
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { beforeAll, describe, expect, inject, it } from "vitest";
import {
  TestIssuer,
  VaultAdmin,
  baseEnv,
  ensureOpenBao,
  freshNamespace,
  githubClaims,
  gitlabClaims,
  jenkinsClaims,
  randomSecret,
  runCli,
  type IssuerKey,
} from "@vaultgate/test-harness";

const vault = inject("vault");
const root = new VaultAdmin(vault.addr, vault.rootToken);
const AUD = vault.audience;
const dir = mkdtempSync(join(tmpdir(), "vaultgate-policy-"));

interface Seeded {
  admin: VaultAdmin;
  values: { db: string; api: string; restricted: string };
}

/** seed makes a namespace with a KV v2 mount `secret` holding the job's secret and two it must not read. */
async function seed(prefix: string): Promise<Seeded> {
  const admin = await freshNamespace(root, prefix);
  await admin.call("POST", "sys/mounts/secret", { type: "kv", options: { version: "2" } });
  const values = { db: randomSecret(), api: randomSecret(), restricted: randomSecret() };
  await admin.putKv2("secret", "app/db", { password: values.db });
  await admin.putKv2("secret", "app/api", { token: values.api });
  await admin.putKv2("secret", "restricted/root", { token: values.restricted });
  return { admin, values };
}

function pemFile(key: IssuerKey): string {
  const file = join(dir, `${key.kid}.pem`);
  writeFileSync(file, key.publicPem);
  return file;
}

function policyArgs(admin: VaultAdmin, args: string[]): string[] {
  const ns = admin.namespace ?? "";
  return [
    "policy",
    "--url",
    vault.addr,
    "--audience",
    AUD,
    "--namespace",
    ns,
    "-s",
    "secret/app/db password | DB_PASSWORD",
    ...args,
  ];
}

const adminEnv = () => baseEnv({ VAULT_TOKEN: vault.rootToken });

async function login(admin: VaultAdmin, mount: string, role: string, jwt: string) {
  return admin.attempt("POST", `auth/${mount}/login`, { role, jwt }, "");
}

/** expectExactAccess logs in with `jwt` and proves the token reads its secret and nothing else. */
async function expectExactAccess(s: Seeded, mount: string, role: string, jwt: string): Promise<void> {
  const res = await login(s.admin, mount, role, jwt);
  expect(res.status, JSON.stringify(res.json.errors)).toBe(200);
  const token = (res.json.auth as { client_token: string; policies: string[] }).client_token;
  expect((res.json.auth as { policies: string[] }).policies).toEqual([`${mount}-deploy`]);
  const read = await s.admin.attempt("GET", "secret/data/app/db", undefined, token);
  expect(read.status).toBe(200);
  expect((read.json.data as { data: { password: string } }).data.password).toBe(s.values.db);
  for (const path of [
    "secret/data/app/api",
    "secret/data/restricted/root",
    "secret/metadata/app/db",
    "sys/policies/acl",
    "sys/auth",
  ])
    expect((await s.admin.attempt("GET", path, undefined, token)).status, path).toBe(403);
  expect((await s.admin.attempt("POST", "secret/data/app/db", { data: { password: "x" } }, token)).status).toBe(403);
}

async function expectDenied(s: Seeded, mount: string, role: string, cases: Record<string, Promise<string>>) {
  for (const [name, jwt] of Object.entries(cases)) {
    const res = await login(s.admin, mount, role, await jwt);
    expect(res.status, `${name} must be refused`).toBe(400);
    expect(res.json.auth ?? null, name).toBeNull();
  }
}

describe("vaultgate policy --apply (GitHub token shapes)", () => {
  const github = new TestIssuer(vault.issuers.github);
  const claims = (extra: Record<string, unknown> = {}, ctx: Parameters<typeof githubClaims>[1] = {}, aud = AUD) =>
    github.sign({ ...githubClaims(aud, { environment: "production", ...ctx }), ...extra });
  let s: Seeded;
  beforeAll(async () => {
    s = await seed("gh");
  });

  it("applies once, then reports no changes; the intended job reads exactly its secret", async () => {
    const args = policyArgs(s.admin, [
      "--apply",
      "--platform",
      "github",
      "--repository",
      "acme/app",
      "--repository-id",
      "123456789",
      "--owner-id",
      "987654",
      "--branch",
      "main",
      "--environment",
      "production",
      "--workflow",
      ".github/workflows/deploy.yml",
      "--public-key",
      pemFile(vault.issuers.github),
    ]);
    const first = await runCli(args, adminEnv());
    expect(first.stderr).toBe("");
    expect(first.code).toBe(0);
    expect(first.stdout).toContain("+ auth/jwt/role/deploy-production (new)");
    expect(first.stdout).toContain(
      "Wrote sys/auth/jwt, auth/jwt/config, sys/policies/acl/jwt-deploy, auth/jwt/role/deploy-production.",
    );
    expect(first.stdout).not.toContain(vault.rootToken);
    const second = await runCli(args, adminEnv());
    expect(second.code).toBe(0);
    expect(second.stdout).toMatch(/^No changes/);
    await expectExactAccess(s, "jwt", "deploy-production", await claims());

    // A real job: vaultgate fetch logs in, reads, and revokes with only the generated policy.
    const out = join(dir, "gh.env");
    const fetched = await runCli(
      [
        "fetch",
        ...["--url", vault.addr, "--namespace", s.admin.namespace ?? "", "--mount", "jwt", "--role", "deploy-production"],
        ...["--id-token-from", "env", "--id-token-variable", "JOB_ID_TOKEN", "-s", "secret/app/db password | DB_PASSWORD"],
        ...["--out", out, "--revoke-now"],
      ],
      baseEnv({ JOB_ID_TOKEN: await claims() }),
    );
    expect(fetched.stderr).not.toMatch(/Error/);
    expect(fetched.code).toBe(0);
    expect(readFileSync(out, "utf8")).toContain(s.values.db);
  });

  it("refuses another repository, a recycled name, another branch, a pull request, another environment or workflow, the wrong audience", async () => {
    await expectDenied(s, "jwt", "deploy-production", {
      "another repository": claims({ repository_id: "223456789" }, { repository: "acme/other" }),
      "same name, another owner (recycled)": claims({ repository_id: "999999999", repository_owner_id: "111111" }),
      "another branch": claims({}, { ref: "refs/heads/feature" }),
      "a pull request": claims({ sub: "repo:acme/app:pull_request", ref: "refs/pull/7/merge", event_name: "pull_request" }),
      "another environment": claims({}, { environment: "staging" }),
      "another workflow": claims({ job_workflow_ref: "acme/app/.github/workflows/other.yml@refs/heads/main" }),
      "GitHub's default audience": claims({}, {}, "https://github.com/acme"),
    });
  });

  it("--dry-run shows a drifted field and writes nothing; --apply repairs it", async () => {
    await s.admin.call("POST", "auth/jwt/role/deploy-production", { role_type: "jwt", token_ttl: 86400, token_max_ttl: 86400 });
    const base = policyArgs(s.admin, [
      ...["--apply", "--platform", "github", "--repository", "acme/app", "--repository-id", "123456789"],
      ...["--owner-id", "987654", "--branch", "main", "--environment", "production"],
      ...["--workflow", ".github/workflows/deploy.yml", "--public-key", pemFile(vault.issuers.github)],
    ]);
    const dry = await runCli([...base, "--dry-run"], adminEnv());
    expect(dry.code).toBe(0);
    expect(dry.stdout).toContain("~ auth/jwt/role/deploy-production token_ttl: 86400 -> 900");
    expect(dry.stdout).toContain("Dry run: 2 change(s) shown, nothing written.");
    const role = (await s.admin.call("GET", "auth/jwt/role/deploy-production")).data as { token_ttl: number };
    expect(role.token_ttl).toBe(86400);
    const fixed = await runCli(base, adminEnv());
    expect(fixed.code).toBe(0);
    expect(((await s.admin.call("GET", "auth/jwt/role/deploy-production")).data as { token_ttl: number }).token_ttl).toBe(900);
  });

  it("the generated bao script, run by the real bao binary, sets up the same trust (twice, idempotently)", async () => {
    const t = await seed("ghcli");
    const script = join(dir, "setup.sh");
    const generated = await runCli(
      policyArgs(t.admin, [
        ...["--platform", "github", "--repository", "acme/app", "--repository-id", "123456789", "--owner-id", "987654"],
        ...["--branch", "main", "--environment", "production", "--public-key", pemFile(vault.issuers.github), "-o", script],
      ]),
      baseEnv(),
    );
    expect(generated.code).toBe(0);
    const bao = await ensureOpenBao();
    const env = {
      ...baseEnv({ BAO_ADDR: vault.addr, BAO_TOKEN: vault.rootToken, BAO_NAMESPACE: t.admin.namespace }),
      PATH: `${join(bao, "..")}:${process.env.PATH ?? ""}`,
    };
    for (let run = 0; run < 2; run++) await promisify(execFile)("sh", [script], { env, timeout: 30_000 });
    await expectExactAccess(t, "jwt", "deploy-production", await claims());
  });
});

describe("vaultgate policy --apply (GitLab token shapes)", () => {
  const gitlab = new TestIssuer(vault.issuers.gitlab);
  const claims = (extra: Record<string, unknown> = {}, ctx: Parameters<typeof gitlabClaims>[1] = {}, aud = AUD) =>
    gitlab.sign({ ...gitlabClaims(aud, { environment: "production", ...ctx }), ...extra });

  it("the intended pipeline reads exactly its secret; every other token is refused", async () => {
    const s = await seed("gl");
    const applied = await runCli(
      policyArgs(s.admin, [
        ...["--apply", "--platform", "gitlab", "--project", "acme/app", "--project-id", "2002", "--namespace-id", "1001"],
        ...["--issuer", vault.issuers.gitlab.issuer, "--branch", "main", "--environment", "production"],
        ...["--mount", "jwt-gitlab", "--public-key", pemFile(vault.issuers.gitlab)],
      ]),
      adminEnv(),
    );
    expect(applied.stderr).toBe("");
    expect(applied.code).toBe(0);
    await expectExactAccess(s, "jwt-gitlab", "deploy-production", await claims());
    await expectDenied(s, "jwt-gitlab", "deploy-production", {
      "another project": claims({ project_id: "3003" }, { projectPath: "acme/other" }),
      "same path, another namespace (recycled)": claims({ project_id: "9999", namespace_id: "8888" }),
      "another branch": claims({}, { ref: "feature" }),
      "a merge request": claims({
        ref_path: "refs/merge-requests/7/head",
        pipeline_source: "merge_request_event",
        ref_protected: "false",
      }),
      "an unprotected ref": claims({ ref_protected: "false" }),
      "another environment": claims({}, { environment: "staging" }),
      "the wrong audience": claims({}, {}, "https://gitlab.example.com"),
    });
  });
});

describe("vaultgate policy --apply (Jenkins token shapes)", () => {
  const jenkins = new TestIssuer(vault.issuers.jenkins);
  const claims = (job: string, aud = AUD) => jenkins.sign(jenkinsClaims(aud, { job }));

  it("the intended job reads exactly its secret; other jobs, branches, PRs, folders and audiences are refused", async () => {
    const s = await seed("jk");
    const applied = await runCli(
      policyArgs(s.admin, [
        ...["--apply", "--platform", "jenkins", "--jenkins-url", "https://jenkins.example.com/", "--job", "app/main"],
        ...["--mount", "jwt-jenkins", "--public-key", pemFile(vault.issuers.jenkins)],
      ]),
      adminEnv(),
    );
    expect(applied.stderr).toBe("");
    expect(applied.code).toBe(0);
    await expectExactAccess(s, "jwt-jenkins", "deploy", await claims("app/main"));
    await expectDenied(s, "jwt-jenkins", "deploy", {
      "another job": claims("other/main"),
      "another branch": claims("app/feature"),
      "a pull request": claims("app/PR-7"),
      "same name in another folder": claims("evil/app/main"),
      "the wrong audience": claims("app/main", "https://jenkins.example.com"),
    });
  });
});
