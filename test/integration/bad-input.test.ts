// Clear answers to bad input, as a table: each case runs the real `vaultgate` CLI (or the
// secrets action's dist/) and must exit with its documented code (docs/exit-codes.md),
// print an `Error:` and a `Hint:` line, show no `    at ` stack frame, and leave no secret
// value or token in any output or in any file of its directory.
import { execFileSync } from "node:child_process";
import { createServer, type Server } from "node:http";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { ACTIONS, gitlabJobEnv, runActionStep, runCli, startGitHubOidc, type GitHubOidcServer } from "@vaultgate/test-harness";

const vault = inject("vault");
let oidc: GitHubOidcServer;
let idToken = "";
const stubs: Record<string, string> = {};
const servers: Server[] = [];

/** stub starts a loopback HTTP server that answers every request with `status`, `type` and `body`. */
async function stub(status: number, type: string, body: string): Promise<string> {
  const server = createServer((req, res) => {
    req.resume();
    res.writeHead(status, { "content-type": type }).end(body);
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

beforeAll(async () => {
  oidc = await startGitHubOidc(vault.issuers.github);
  idToken = (await gitlabJobEnv(vault)).token;
  stubs.html = await stub(200, "text/html", "<html><body>Sign in to the corporate proxy</body></html>");
  stubs.badJson = await stub(200, "application/json", "{not json");
  stubs.noAuth = await stub(200, "application/json", JSON.stringify({ data: {} }));
  stubs.port = await stub(200, "text/plain", "busy");
});
afterAll(() => {
  void oidc.close();
  for (const s of servers) s.close();
});

/** Case is one bad input: the argv, extra env, files to lay out first, and the expected code. */
interface Case {
  name: string;
  args: (dir: string) => string[];
  code: number;
  env?: (dir: string) => Record<string, string>;
  files?: Record<string, string | Buffer>;
  /** Named pipes to make in the directory first (nobody reads them). */
  pipes?: string[];
  /** Text the error must contain. */
  says?: RegExp;
}

/** pipeIn makes a named pipe nobody reads in a fresh directory and returns its path. */
function pipeIn(name: string): string {
  const path = join(mkdtempSync(join(tmpdir(), "vaultgate-bad-pipe-")), name);
  execFileSync("mkfifo", [path]);
  return path;
}

const DB = "secret/app/db password | DB_PASSWORD";
const fetchArgs =
  (...more: string[]) =>
  (dir: string) => ["fetch", "--mount", "jwt-gitlab", "--role", "deploy", ...more, "--out", join(dir, "o.env")];
const withSecret = (...more: string[]) => fetchArgs("-s", DB, ...more);
const manifest = (text: string | Buffer) => ({ "m.yml": text });
const mArgs = (dir: string) => ["fetch", "-f", join(dir, "m.yml"), "--out", join(dir, "o.env")];
const LAUGHS = [
  "a: &a [x, x, x, x, x, x, x, x, x]",
  ...Array.from(
    { length: 8 },
    (_, i) =>
      `${String.fromCharCode(98 + i)}: &${String.fromCharCode(98 + i)} [${Array(9)
        .fill(`*${String.fromCharCode(97 + i)}`)
        .join(", ")}]`,
  ),
].join("\n");

const CASES: Case[] = [
  // usage and configuration: 2
  { name: "unknown command", args: () => ["fecth"], code: 2 },
  { name: "unknown flag", args: () => ["fetch", "--nope"], code: 2 },
  { name: "flag without its value", args: () => ["fetch", "--out"], code: 2 },
  { name: "fetch without --out", args: () => ["fetch", "-s", DB], code: 2 },
  { name: "no secrets requested", args: (d) => ["fetch", "--out", join(d, "o.env")], code: 2 },
  { name: "--format xml", args: withSecret("--format", "xml"), code: 2 },
  { name: "manifest missing", args: (d) => ["fetch", "-f", join(d, "none.yml"), "--out", join(d, "o.env")], code: 2 },
  { name: "manifest is a directory", args: (d) => ["fetch", "-f", d, "--out", join(d, "o.env")], code: 2, says: /directory/ },
  { name: "manifest YAML syntax", files: manifest("vault: [\n"), args: mArgs, code: 2 },
  { name: "manifest billion laughs", files: manifest(LAUGHS), args: mArgs, code: 2, says: /alias/ },
  { name: "manifest is a YAML list", files: manifest("- a\n- b\n"), args: mArgs, code: 2, says: /list, not a mapping/ },
  {
    name: "manifest is binary",
    files: manifest(Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0, 1, 2, 0xff])),
    args: mArgs,
    code: 2,
    says: /not a text file/,
  },
  { name: "manifest is a scalar", files: manifest("just words\n"), args: mArgs, code: 2, says: /not a mapping/ },
  { name: "manifest unknown key", files: manifest("secrest: []\n"), args: mArgs, code: 2, says: /Did you mean/ },
  { name: "manifest version 2", files: manifest("version: 2\n"), args: mArgs, code: 2 },
  {
    name: "manifest literal token",
    files: manifest("auth:\n  method: token\n  token: s.abc\nsecrets: [secret/app/db password]\n"),
    args: mArgs,
    code: 2,
  },
  { name: "manifest secrets not a list", files: manifest("secrets: {a: 1}\n"), args: mArgs, code: 2 },
  { name: "manifest secret without path", files: manifest("secrets:\n  - key: x\n"), args: mArgs, code: 2 },
  { name: "manifest undefined ${VAR}", files: manifest("vault:\n  url: ${NOT_SET_ANYWHERE}\n"), args: mArgs, code: 2 },
  {
    name: "manifest prefix on a key",
    files: manifest("secrets:\n  - path: secret/app/db\n    key: password\n    prefix: A_\n"),
    args: mArgs,
    code: 2,
  },
  {
    name: "manifest allow-env-names not protected",
    files: manifest("allow-env-names: [DB_PASSWORD]\nsecrets: [secret/app/db password]\n"),
    args: mArgs,
    code: 2,
  },
  {
    name: "manifest params with GET",
    files: manifest("secrets:\n  - path: pki/issue/app\n    key: certificate\n    name: C\n    params: {a: 1}\n"),
    args: mArgs,
    code: 2,
  },
  { name: "secret without key", args: fetchArgs("-s", "secret/app/db"), code: 2 },
  { name: "secret with empty name", args: fetchArgs("-s", "secret/app/db password |"), code: 2 },
  { name: "secret name starting with a digit", args: fetchArgs("-s", "secret/app/db password | 1BAD"), code: 2 },
  { name: "secret path with ..", args: fetchArgs("-s", "secret/../sys password | X"), code: 2 },
  { name: "selector syntax error", args: fetchArgs("-s", "secret/app/db $.x( | X"), code: 2, says: /Invalid selector/ },
  {
    name: "two secrets with one name",
    args: fetchArgs("-s", DB, "-s", "secret/app/api token | DB_PASSWORD"),
    code: 2,
    says: /Two secrets/,
  },
  {
    name: "protected explicit name",
    args: fetchArgs("-s", "secret/app/db password | LD_PRELOAD"),
    code: 2,
    says: /allow-env-names/,
  },
  { name: "allow-env-names not a name", args: withSecret("--allow-env-names", "A B-C"), code: 2 },
  { name: "url not a URL", args: withSecret("--url", "not a url"), code: 2 },
  { name: "url ftp", args: withSecret("--url", "ftp://vault.example.com"), code: 2 },
  {
    name: "plain http to another host",
    args: withSecret("--url", "http://vault.example.com:8200"),
    code: 2,
    says: /allow-insecure-http/,
  },
  { name: "no vault address", args: withSecret(), env: () => ({ VAULT_ADDR: "" }), code: 2 },
  { name: "unknown method", args: withSecret("--method", "userpas"), code: 2 },
  { name: "userpass without a username", args: withSecret("--method", "userpass"), code: 2 },
  { name: "approle without role-id", args: withSecret("--method", "approle"), code: 2 },
  {
    name: "approle role-id with a jwt flag",
    args: withSecret("--method", "approle", "--role-id", "x", "--audience", "a"),
    code: 2,
  },
  { name: "--concurrency 0", args: withSecret("--concurrency", "0"), code: 2 },
  { name: "--timeout abc", args: withSecret("--timeout", "abc"), code: 2 },
  { name: "--concurrency 999", args: withSecret("--concurrency", "999"), code: 2 },
  {
    name: "client cert without key",
    args: withSecret("--client-cert", "-----BEGIN CERTIFICATE-----\nx\n-----END CERTIFICATE-----"),
    code: 2,
  },
  { name: "ca-cert not PEM or file", args: withSecret("--ca-cert", "nope.pem"), code: 2 },
  { name: "id-token-from unknown", args: withSecret("--id-token-from", "circleci"), code: 2 },
  { name: "exec without a command", args: () => ["exec", "-s", DB], code: 2 },
  { name: "exec --renew-state alone", args: (d) => ["exec", "--renew-state", join(d, "s.json"), "--", "true"], code: 2 },
  { name: "exec --from-file missing", args: (d) => ["exec", "--from-file", join(d, "none.env"), "--", "true"], code: 2 },
  {
    name: "exec --from-file corrupt",
    files: { "s.env": 'A="unterminated\n' },
    args: (d) => ["exec", "--from-file", join(d, "s.env"), "--", "true"],
    code: 2,
  },
  {
    name: "exec --from-file with --url",
    files: { "s.env": "A=1\n" },
    args: (d) => ["exec", "--from-file", join(d, "s.env"), "--url", "https://x", "--", "true"],
    code: 2,
  },
  {
    name: "exec --from-file protected name",
    files: { "s.env": "PATH=/tmp\n" },
    args: (d) => ["exec", "--from-file", join(d, "s.env"), "--", "true"],
    code: 2,
  },
  {
    name: "revoke state corrupt",
    files: { "s.json": "{oops" },
    args: (d) => ["revoke", "--state", join(d, "s.json")],
    code: 2,
    says: /not JSON/,
  },
  {
    name: "revoke state wrong shape",
    files: { "s.json": JSON.stringify({ version: 7 }) },
    args: (d) => ["revoke", "--state", join(d, "s.json")],
    code: 2,
  },
  {
    name: "revoke state binary",
    files: { "s.json": Buffer.from([0, 1, 2, 0xfe]) },
    args: (d) => ["revoke", "--state", join(d, "s.json")],
    code: 2,
  },
  {
    name: "revoke state a JSON list",
    files: { "s.json": "[1,2]" },
    args: (d) => ["revoke", "--state", join(d, "s.json")],
    code: 2,
  },
  { name: "revoke unknown flag", args: () => ["revoke", "--al"], code: 2 },
  { name: "dev port out of range", args: () => ["dev", "--port", "70000"], code: 2 },
  { name: "dev port not a number", args: () => ["dev", "--port", "http"], code: 2 },
  { name: "dev port in use", args: () => ["dev", "--port", stubs.port!.split(":").at(-1)!], code: 2, says: /in use/ },
  { name: "check bad --min-ttl", args: () => ["check", "-s", DB, "--min-ttl", "soon"], code: 2 },
  // identity and login: 3
  { name: "no ID token", args: withSecret(), env: () => ({ VAULT_ID_TOKEN: "" }), code: 3 },
  { name: "ID token not a JWT", args: withSecret(), env: () => ({ VAULT_ID_TOKEN: "not-a-jwt" }), code: 3 },
  {
    name: "unknown role",
    args: (d) => ["fetch", "--mount", "jwt-gitlab", "--role", "no-such-role", "-s", DB, "--out", join(d, "o.env")],
    code: 3,
  },
  {
    name: "unknown auth mount",
    args: (d) => ["fetch", "--mount", "jwt-none", "--role", "deploy", "-s", DB, "--out", join(d, "o.env")],
    code: 3,
  },
  {
    name: "method token, token invalid",
    args: (d) => ["fetch", "--method", "token", "-s", DB, "--out", join(d, "o.env")],
    env: () => ({ VAULT_TOKEN: "s.invalidinvalidinvalid", VAULTGATE_MOUNT: "" }),
    code: 3,
    says: /invalid, expired or revoked/,
  },
  {
    name: "method token, no token",
    args: (d) => ["fetch", "--method", "token", "-s", DB, "--out", join(d, "o.env")],
    env: () => ({ VAULTGATE_MOUNT: "" }),
    code: 3,
  },
  {
    name: "approle unknown role_id",
    args: (d) => ["fetch", "--method", "approle", "--role-id", "no-such-role-id", "-s", DB, "--out", join(d, "o.env")],
    env: () => ({ VAULT_SECRET_ID: "x" }),
    code: 3,
    says: /role_id/,
  },
  { name: "id-token file missing", args: withSecret("--id-token-file", "/nonexistent/token"), code: 3 },
  // secret access: 4
  { name: "secret path not found", args: fetchArgs("-s", "secret/app/none password | X"), code: 4 },
  { name: "key absent", args: fetchArgs("-s", "secret/app/db nope | X"), code: 4 },
  { name: "path denied", args: fetchArgs("-s", "secret/restricted/root token | X"), code: 4 },
  // vault unavailable: 5
  { name: "vault unreachable", args: withSecret("--url", "http://127.0.0.1:9", "--timeout", "2s"), code: 5 },
  {
    name: "vault answers HTML",
    args: () => withSecret("--url", stubs.html!)(tmpdir()),
    code: 5,
    says: /did not come from a vault/,
  },
  {
    name: "vault answers invalid JSON",
    args: () => withSecret("--url", stubs.badJson!)(tmpdir()),
    code: 5,
    says: /did not come from a vault/,
  },
  {
    name: "vault login without auth",
    args: () => withSecret("--url", stubs.noAuth!)(tmpdir()),
    code: 5,
    says: /did not come from a vault/,
  },
  // output: 6
  {
    name: "--out below a file",
    files: { f: "" },
    args: (d) =>
      fetchArgs(
        "-s",
        DB,
      )(d)
        .slice(0, -1)
        .concat(join(d, "f", "o.env")),
    code: 6,
  },
  { name: "--out under /proc", args: (d) => fetchArgs("-s", DB)(d).slice(0, -1).concat("/proc/x/o.env"), code: 6 },
  {
    name: "--state below a file",
    files: { f: "" },
    args: (d) => [...withSecret()(d), "--state", join(d, "f", "s.json")],
    code: 6,
  },
  {
    name: "check --junit unwritable",
    files: { f: "" },
    args: (d) => ["check", "--mount", "jwt-gitlab", "--role", "deploy", "-s", DB, "--junit", join(d, "f", "j.xml")],
    code: 6,
  },
  {
    name: "check --summary a named pipe nobody reads",
    pipes: ["summary.md"],
    args: (d) => ["check", "--mount", "jwt-gitlab", "--role", "deploy", "-s", DB, "--summary", join(d, "summary.md")],
    code: 6,
    says: /ENXIO \(a named pipe that nobody reads\)/,
  },
  {
    name: "exec --files with a temp dir below a file",
    files: { f: "" },
    env: (d) => ({ RUNNER_TEMP: join(d, "f", "t") }),
    args: () => ["exec", "--mount", "jwt-gitlab", "--role", "deploy", "-s", DB, "--files", "--", "true"],
    code: 6,
    says: /ENOTDIR/,
  },
  // exec: the command's own codes
  {
    name: "exec of a non-executable file",
    args: () => ["exec", "--mount", "jwt-gitlab", "--role", "deploy", "-s", DB, "--", "/etc/passwd"],
    code: 126,
    says: /chmod \+x/,
  },
  {
    name: "exec of a command not found",
    args: () => ["exec", "--mount", "jwt-gitlab", "--role", "deploy", "-s", DB, "--", "no-such-command-x"],
    code: 127,
    says: /on PATH/,
  },
];

/** filesText returns every file's content under `dir` (recursively). */
function filesText(dir: string): string {
  let text = "";
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    const s = statSync(p);
    if (s.isDirectory()) text += filesText(p);
    else if (s.isFile() && s.size < 1_000_000) text += readFileSync(p, "latin1");
  }
  return text;
}

function expectClearAnswer(out: string, files: string, code: number | null, expected: number, says: RegExp | undefined) {
  expect(code, out).toBe(expected);
  expect(out, "an Error: line").toMatch(/(^|\n)(Error: |::error[^\n]*::)/);
  expect(out, "a Hint: line").toMatch(/(^|\n|%0A)Hint: /);
  expect(out, "a stack frame").not.toMatch(/\n {4}at /);
  if (says) expect(out).toMatch(says);
  for (const secret of [...Object.values(vault.values), idToken, vault.rootToken]) {
    expect(out.includes(secret), "a secret or token in the output").toBe(false);
    expect(files.includes(secret), "a secret or token in a file").toBe(false);
  }
}

describe(`bad input through the real CLI (${CASES.length} cases)`, () => {
  it.each(CASES.map((c) => [c.name, c] as const))("%s", async (_name, c) => {
    const dir = mkdtempSync(join(tmpdir(), "vaultgate-bad-"));
    for (const [name, content] of Object.entries(c.files ?? {})) writeFileSync(join(dir, name), content, { mode: 0o600 });
    for (const name of c.pipes ?? []) execFileSync("mkfifo", [join(dir, name)]);
    const temp = join(dir, "temp");
    mkdirSync(temp);
    const base = (await gitlabJobEnv(vault, { RUNNER_TEMP: temp, VAULTGATE_MOUNT: "jwt-gitlab" })).env;
    const env = { ...base, ...c.env?.(dir) };
    for (const [k, v] of Object.entries(env)) if (v === "") delete env[k];
    const result = await runCli(c.args(dir), env, { cwd: dir, timeoutMs: 30_000 });
    expectClearAnswer(result.stdout + result.stderr, filesText(dir), result.code, c.code, c.says);
    expect(existsSync(join(dir, "o.env"))).toBe(false);
  });
});

/** ActionCase is one bad input to the secrets action: its inputs and env. */
interface ActionCase {
  name: string;
  inputs: Record<string, string>;
  env?: () => Record<string, string | undefined>;
  says?: RegExp;
}

const A_CASES: ActionCase[] = [
  { name: "no secrets", inputs: {} },
  { name: "pki entry without parameters", inputs: { secrets: DB, pki: "x" }, says: /path \{JSON parameters\}/ },
  { name: "github method without githubToken", inputs: { secrets: DB, method: "github" }, says: /needs a GitHub token/ },
  { name: "unknown secretEncodingType", inputs: { secrets: DB, secretEncodingType: "rot13" } },
  { name: "typo'd boolean", inputs: { secrets: DB, exportEnv: "yes please" } },
  { name: "secrets syntax error", inputs: { secrets: "secret/app/db" } },
  { name: "plain http to another host", inputs: { secrets: DB, url: "http://vault.example.com" }, says: /allow-insecure-http/ },
  { name: "protected name", inputs: { secrets: "secret/app/db password | BASH_ENV" } },
  {
    name: "ID token URL not a URL",
    inputs: { secrets: DB },
    env: () => ({ ACTIONS_ID_TOKEN_REQUEST_URL: "::not a url::" }),
    says: /not an http\(s\) URL/,
  },
  {
    name: "ID token service answers HTML",
    inputs: { secrets: DB },
    env: () => ({ ACTIONS_ID_TOKEN_REQUEST_URL: `${stubs.html}/token` }),
    says: /answered without a token/,
  },
  { name: "no id-token permission", inputs: { secrets: DB }, env: () => ({ ACTIONS_ID_TOKEN_REQUEST_URL: undefined }) },
  { name: "missing GITHUB_ENV", inputs: { secrets: DB }, env: () => ({ GITHUB_ENV: undefined }) },
  {
    name: "GITHUB_ENV a named pipe",
    inputs: { secrets: DB },
    env: () => ({ GITHUB_ENV: pipeIn("set_env") }),
    says: /not a regular file/,
  },
  {
    name: "RUNNER_TEMP below a file, with files: true",
    inputs: { secrets: DB, files: "true" },
    env: () => {
      const file = join(mkdtempSync(join(tmpdir(), "vaultgate-bad-rt-")), "f");
      writeFileSync(file, "");
      return { RUNNER_TEMP: join(file, "t") };
    },
    says: /RUNNER_TEMP/,
  },
  {
    name: "vault answers HTML",
    inputs: { secrets: DB, url: "" },
    env: () => ({ VAULT_ADDR: stubs.html }),
    says: /did not come from a vault/,
  },
];

describe(`bad input through the secrets action's dist/ (${A_CASES.length} cases)`, () => {
  it.each(A_CASES.map((c) => [c.name, c] as const))("%s", async (_name, c) => {
    const step = await runActionStep("secrets", ACTIONS.secrets.main, {
      inputs: { url: vault.addr, role: "deploy", audience: vault.audience, ...c.inputs },
      env: { ...oidc.env, ...c.env?.() },
      timeoutMs: 30_000,
    });
    const out = `${step.stdout}\n${step.stderr}`.replaceAll("%0A", "\n");
    const logged = out
      .split("\n")
      .filter((l) => !l.startsWith("::add-mask::"))
      .join("\n");
    expectClearAnswer(logged, step.files.env + step.files.output, step.code, 1, c.says);
    expect(step.files.env).toBe("");
    // The one output of a failed step is vault-action's errorMessage.
    expect(Object.keys(step.outputs)).toEqual(["errorMessage"]);
  });
});
