// `vaultgate lint` against the real OpenBao: a namespace seeded with one role or policy
// per rule class, each otherwise clean, and every rule fires exactly where it should and
// nowhere else; the trust `vaultgate policy --apply` writes for each platform lints
// clean; IAM trust policy files; SARIF output validated against the SARIF 2.1.0 schema.
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Ajv } from "ajv";
import addFormats from "ajv-formats";
import { beforeAll, describe, expect, inject, it } from "vitest";
import { LINT_RULES } from "@vaultgate/core/policy";
import { VaultAdmin, baseEnv, freshNamespace, runCli } from "@vaultgate/test-harness";

const vault = inject("vault");
const root = new VaultAdmin(vault.addr, vault.rootToken);
const AUD = vault.audience;
const dir = mkdtempSync(join(tmpdir(), "vaultgate-lint-"));
const env = () => baseEnv({ VAULT_TOKEN: vault.rootToken });

const ids = { repository_id: "1", repository_owner_id: "2" };
const good = (over: Record<string, unknown> = {}, claims: Record<string, unknown> = { ...ids, ref: "refs/heads/main" }) => ({
  role_type: "jwt",
  bound_audiences: [AUD],
  user_claim: "repository_id",
  bound_claims_type: "string",
  bound_claims: claims,
  token_policies: ["clean"],
  token_no_default_policy: true,
  token_ttl: 900,
  token_max_ttl: 3600,
  ...over,
});

const POLICIES: Record<string, string> = {
  clean: 'path "secret/data/app/db" { capabilities = ["read"] }',
  prod: 'path "secret/data/production/db" { capabilities = ["read"] }',
  wild: 'path "secret/data/app/db" { capabilities = ["read"] }\npath "secret/data/*" { capabilities = ["read"] }',
  admin: 'path "secret/data/app/db" { capabilities = ["read"] }\npath "sys/policies/acl/*" { capabilities = ["update"] }',
  writer: 'path "secret/data/app/db" { capabilities = ["read", "update"] }',
};

/** ROLES: role name on mount gh → body; each has exactly one defect (named by the role). */
const ROLES: Record<string, Record<string, unknown>> = {
  good: good(),
  vg101: good({ bound_audiences: [] }),
  vg102: good({ bound_audiences: ["https://github.com/acme"] }),
  vg103: good({ bound_claims_type: "glob" }, { ...ids, ref: "refs/heads/main", sub: "repo:acme/*" }),
  vg104: good({}, { ...ids, ref: "refs/heads/release-*" }),
  vg105: good({ bound_claims_type: "glob" }),
  vg106: good({ token_policies: ["prod"] }, { ...ids }),
  vg107: good({}, { ...ids, ref: "refs/heads/main", base_ref: "main" }),
  vg108: good({ user_claim: "repository" }, { repository: "acme/app", repository_owner: "acme", ref: "refs/heads/main" }),
  vg110: good({ user_claim: "sub" }, { ref: "refs/heads/main", environment: "production" }),
  vg111: good({ user_claim: "actor" }),
  vg112: good({ token_ttl: 7200, token_max_ttl: 7200 }),
  vg113: good({ token_no_default_policy: false }),
  vg114: good({ token_policies: ["wild"] }),
  vg115: good({ token_policies: ["admin"] }),
  vg116: good({ token_policies: ["writer"] }),
  vg117: good({}, { ...ids, ref: "refs/heads/main", workflow_ref: "acme/app/.github/workflows/deploy.yml@refs/heads/main" }),
  vg119: good({ token_policies: ["root"] }),
};

const JENKINS = "https://jenkins.example.com";
const jenkinsRole = (claims: Record<string, unknown>) => good({ user_claim: "sub" }, claims);

async function seedLintNamespace(): Promise<VaultAdmin> {
  const ns = await freshNamespace(root, "lint");
  await ns.call("POST", "sys/mounts/secret", { type: "kv", options: { version: "2" } });
  for (const [name, policy] of Object.entries(POLICIES)) await ns.call("POST", `sys/policies/acl/${name}`, { policy });
  const stock = String(((await ns.call("GET", "sys/policies/acl/default")).data as { policy: string }).policy);
  await ns.call("POST", "sys/policies/acl/default", {
    policy: `${stock}\npath "secret/data/shared/*" { capabilities = ["read"] }\n`,
  });
  const mount = async (path: string, config: Record<string, unknown>, roles: Record<string, Record<string, unknown>>) => {
    await ns.call("POST", `sys/auth/${path}`, { type: "jwt" });
    await ns.call("POST", `auth/${path}/config`, { jwt_validation_pubkeys: [vault.issuers.github.publicPem], ...config });
    for (const [name, body] of Object.entries(roles)) await ns.call("POST", `auth/${path}/role/${name}`, body);
  };
  await mount("gh", { bound_issuer: "https://token.actions.githubusercontent.com" }, ROLES);
  // vg109: a mount without bound_issuer (its role is a clean GitLab role).
  await mount(
    "noiss",
    {},
    {
      good: good(
        { user_claim: "project_id" },
        { project_id: "2002", namespace_id: "1001", ref_path: "refs/heads/main", ref_protected: "true" },
      ),
    },
  );
  await mount(
    "jk",
    { bound_issuer: `${JENKINS}/oidc` },
    {
      good: jenkinsRole({ sub: `${JENKINS}/job/app/job/main/` }),
      vg118: jenkinsRole({ sub: `${JENKINS}/job/app/job/main/`, branch: "main" }),
    },
  );
  // vg118 (mount level): trusting a folder's issuer.
  await mount("jkfolder", { bound_issuer: `${JENKINS}/oidc/job/team` }, {});
  return ns;
}

interface JsonReport {
  counts: { error: number; warning: number; note: number };
  findings: { ruleId: string; message: string; location: { uri: string; line?: number } }[];
}

async function lintNamespace(ns: VaultAdmin, format = "json") {
  return runCli(["lint", "--url", vault.addr, "--namespace", ns.namespace ?? "", "--format", format], env());
}

const fired = new Set<string>();

describe("vaultgate lint on a seeded OpenBao", () => {
  let ns: VaultAdmin;
  beforeAll(async () => {
    ns = await seedLintNamespace();
  });

  it("fires each rule exactly where it should and nowhere else", async () => {
    const result = await lintNamespace(ns);
    expect(result.stderr).toBe("");
    expect(result.code).toBe(1);
    const report = JSON.parse(result.stdout) as JsonReport;
    const got = report.findings.map((f) => `${f.ruleId} ${f.location.uri}`).sort();
    const expected = [
      ...Object.keys(ROLES)
        .filter((r) => r !== "good" && !["vg114", "vg115", "vg116"].includes(r))
        .map((r) => `${r.toUpperCase()} auth/gh/role/${r}`),
      "VG109 auth/noiss/config",
      "VG114 sys/policies/acl/wild",
      "VG115 sys/policies/acl/admin",
      "VG116 sys/policies/acl/writer",
      "VG118 auth/jk/role/vg118",
      "VG118 auth/jkfolder/config",
    ].sort();
    expect(got).toEqual(expected);
    // Policy findings point at the offending rule's line.
    expect(report.findings.find((f) => f.ruleId === "VG114")?.location.line).toBe(2);
    for (const f of report.findings) fired.add(f.ruleId);
  });

  it("text output names place, severity and rule; SARIF validates against the SARIF 2.1.0 schema", async () => {
    const text = await lintNamespace(ns, "text");
    expect(text.stdout).toMatch(/^auth\/gh\/role\/vg101: error VG101 role vg101 on auth\/gh has no bound_audiences\.$/m);
    const sarif = await lintNamespace(ns, "sarif");
    expect(sarif.code).toBe(1);
    const schema = JSON.parse(
      readFileSync(fileURLToPath(new URL("../fixtures/sarif-schema-2.1.0.json", import.meta.url)), "utf8"),
    ) as object;
    const ajv = new Ajv({ allErrors: true, strict: false, validateSchema: false });
    addFormats.default(ajv);
    const validate = ajv.compile(schema);
    const log = JSON.parse(sarif.stdout) as { runs: { results: unknown[]; tool: { driver: { rules: unknown[] } } }[] };
    expect(validate(log), JSON.stringify(validate.errors)).toBe(true);
    expect(log.runs[0]?.tool.driver.rules).toHaveLength(LINT_RULES.length);
    expect(log.runs[0]?.results.length).toBeGreaterThan(15);
  });

  it("the trust vaultgate policy --apply writes for GitHub, GitLab and Jenkins lints clean", async () => {
    const gen = await freshNamespace(root, "lintgen");
    const pem = join(dir, "key.pem");
    writeFileSync(pem, vault.issuers.github.publicPem);
    const common = [
      "policy",
      "--apply",
      "--url",
      vault.addr,
      "--namespace",
      gen.namespace ?? "",
      "--audience",
      AUD,
      "-s",
      "secret/app/db password",
      "--public-key",
      pem,
    ];
    for (const args of [
      [
        "--platform",
        "github",
        "--repository",
        "acme/app",
        "--repository-id",
        "1",
        "--owner-id",
        "2",
        "--branch",
        "main",
        "--environment",
        "production",
        "--workflow",
        ".github/workflows/deploy.yml",
      ],
      [
        "--platform",
        "gitlab",
        "--project",
        "acme/app",
        "--project-id",
        "2002",
        "--namespace-id",
        "1001",
        "--tag",
        "v*",
        "--mount",
        "jwt-gitlab",
      ],
      ["--platform", "jenkins", "--jenkins-url", JENKINS, "--job", "app/main", "--mount", "jwt-jenkins"],
    ]) {
      const applied = await runCli([...common, ...args], env());
      expect(applied.code, applied.stderr).toBe(0);
    }
    const result = await lintNamespace(gen, "text");
    expect(result.stdout).toMatch(/^No findings in /);
    expect(result.code).toBe(0);
  });
});

describe("vaultgate lint on files", () => {
  const write = (name: string, doc: unknown) => {
    const file = join(dir, name);
    writeFileSync(file, typeof doc === "string" ? doc : `${JSON.stringify(doc, null, 2)}\n`);
    return file;
  };
  const provider = "arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com";
  const trust = (condition: Record<string, unknown>) => ({
    Version: "2012-10-17",
    Statement: [
      { Effect: "Allow", Principal: { Federated: provider }, Action: "sts:AssumeRoleWithWebIdentity", Condition: condition },
    ],
  });
  const aud = { "token.actions.githubusercontent.com:aud": "sts.amazonaws.com" };

  it("IAM trust policies: a missing sub, org-wide and repo-wide StringLike wildcards, a missing aud", async () => {
    const files = {
      "good.json": trust({
        StringEquals: { ...aud, "token.actions.githubusercontent.com:sub": "repo:acme/app:environment:production" },
      }),
      "aws101.json": trust({ StringEquals: aud }),
      "aws102.json": trust({ StringEquals: aud, StringLike: { "token.actions.githubusercontent.com:sub": "repo:acme/*" } }),
      "aws103.json": trust({ StringEquals: { "token.actions.githubusercontent.com:sub": "repo:acme/app:ref:refs/heads/main" } }),
      "aws104.json": trust({ StringEquals: aud, StringLike: { "token.actions.githubusercontent.com:sub": "repo:acme/app:*" } }),
    };
    const paths = Object.entries(files).map(([name, doc]) => write(name, doc));
    const result = await runCli(["lint", "--format", "json", ...paths], baseEnv(), { cwd: dir });
    expect(result.code).toBe(1);
    const report = JSON.parse(result.stdout) as JsonReport;
    expect(report.findings.map((f) => `${f.ruleId} ${f.location.uri}`).sort()).toEqual([
      "AWS101 aws101.json",
      "AWS102 aws102.json",
      "AWS103 aws103.json",
      "AWS104 aws104.json",
    ]);
    expect(report.findings.every((f) => f.location.line === 5)).toBe(true);
    for (const f of report.findings) fired.add(f.ruleId);
  });

  it("Terraform: findings carry the resource's line; a clean file exits 0", async () => {
    write(
      "bad.tf",
      `resource "vault_jwt_auth_backend" "gh" {
  path         = "jwt"
  bound_issuer = "https://token.actions.githubusercontent.com"
}

resource "vault_jwt_auth_backend_role" "deploy" {
  backend         = vault_jwt_auth_backend.gh.path
  role_name       = "deploy"
  role_type       = "jwt"
  user_claim      = "actor"
  bound_audiences = ["${AUD}"]
  bound_claims    = { repository_id = "1", repository_owner_id = "2", ref = "refs/heads/main" }
  token_policies  = [vault_policy.app.name]
  token_max_ttl   = 3600
}

resource "vault_policy" "app" {
  name   = "app"
  policy = <<-EOT
    path "secret/+/app" { capabilities = ["read"] }
  EOT
}
`,
    );
    const result = await runCli(["lint", "bad.tf"], baseEnv(), { cwd: dir });
    expect(result.stdout).toContain("bad.tf:6: warning VG111 role deploy on auth/jwt");
    expect(result.stdout).toContain("bad.tf:17: error VG114 policy app grants read on secret/+/app.");
    expect(result.code).toBe(1);
    const generated = await runCli(
      ["policy", "--url", "https://vault.example.com", "-s", "secret/app/db password", "--platform", "gitlab"]
        .concat(["--project", "acme/app", "--project-id", "2", "--namespace-id", "1", "--environment", "production"])
        .concat(["--format", "terraform", "-o", "clean.tf"]),
      baseEnv(),
      { cwd: dir },
    );
    expect(generated.code).toBe(0);
    const clean = await runCli(["lint", "clean.tf"], baseEnv(), { cwd: dir });
    expect(clean.stdout).toBe(`No findings in clean.tf (${LINT_RULES.length} rules).\n`);
    expect(clean.code).toBe(0);
    const unreadable = await runCli(["lint", write("broken.tf", 'resource "x" {')], baseEnv(), { cwd: dir });
    expect(unreadable.code).toBe(2);
    expect(unreadable.stderr).toMatch(/^Error: broken.tf is not valid HCL/);
  });

  it("every rule of the table fired in these tests", () => {
    expect([...fired].sort()).toEqual(LINT_RULES.map((r) => r.id).sort());
  });
});
