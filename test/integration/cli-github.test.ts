// The CLI on GitHub Actions against the real OpenBao: workflow commands only under the
// real runner (its variables, its files, stderr its pipe), never on stdout, escaped so
// that the runner registers every value exactly; a shell that only looks like the
// runner (GITHUB_ACTIONS=true, `vaultgate dev --identity github`) gets none; the child
// gets the secrets, not the identity; a vault URL with credentials is refused before
// any request and never printed.
import { spawn } from "node:child_process";
import { closeSync, mkdirSync, mkdtempSync, openSync, readFileSync, writeFileSync } from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import {
  CLI_PATH,
  VaultAdmin,
  baseEnv,
  parseWorkflowCommands,
  randomSecret,
  runCli,
  runnerMasked,
  startCli,
  startGitHubOidc,
  type GitHubOidcServer,
} from "@vaultgate/test-harness";

const vault = inject("vault");
const admin = new VaultAdmin(vault.addr, vault.rootToken);
const node = process.execPath;
let oidc: GitHubOidcServer;

// Values the runner's escaping must carry exactly: %, CR, LF, several lines, a %0A that is not a line break.
const values = {
  PERCENT: `100%-${randomSecret(6)}-%0A-%25`,
  CRLF: `crlf-${randomSecret(6)}\r\nsecond-${randomSecret(6)}`,
  PEM: `-----BEGIN KEY-----\n${randomSecret(24)}\n${randomSecret(24)}\n-----END KEY-----\n`,
  JSON: JSON.stringify({ db: { password: `jsonpw-${randomSecret(8)}` }, list: [`item-${randomSecret(8)}`] }),
};
const path = `app/i12-${randomSecret(4)
  .toLowerCase()
  .replace(/[^a-z0-9]/g, "x")}`;
const secretArgs = Object.keys(values).flatMap((k) => ["-s", `secret/${path} ${k} | ${k}`]);

beforeAll(async () => {
  oidc = await startGitHubOidc(vault.issuers.github);
  await admin.putKv2("secret", path, values);
});
afterAll(() => oidc.close());

/** runnerStep lays out what the runner creates for a step: RUNNER_TEMP and the file-command files. */
function runnerStep(): { dir: string; env: Record<string, string> } {
  const dir = mkdtempSync(join(tmpdir(), "vaultgate-ghcli-"));
  const temp = join(dir, "temp");
  const commands = join(temp, "_runner_file_commands");
  mkdirSync(commands, { recursive: true });
  const files = { GITHUB_OUTPUT: join(commands, "set_output_1"), GITHUB_ENV: join(commands, "set_env_1") };
  for (const f of Object.values(files)) writeFileSync(f, "");
  return {
    dir,
    env: baseEnv({
      GITHUB_ACTIONS: "true",
      RUNNER_TEMP: temp,
      ...files,
      ...oidc.env,
      VAULT_ADDR: vault.addr,
      VAULTGATE_ROLE: "deploy-plain",
      VAULTGATE_AUDIENCE: vault.audience,
    }),
  };
}

/** runRedirected runs the CLI with stdout (and optionally stderr) going to files, as `> out 2> err` would. */
function runRedirected(
  args: string[],
  env: Record<string, string>,
  dir: string,
  opts: { stderrToFile?: boolean } = {},
): Promise<{ code: number | null; stdoutFile: string; stderr: string }> {
  const stdoutFile = join(dir, `stdout-${randomSecret(4)}.log`);
  const stderrFile = join(dir, `stderr-${randomSecret(4)}.log`);
  const out = openSync(stdoutFile, "w");
  const err = opts.stderrToFile ? openSync(stderrFile, "w") : "pipe";
  return new Promise((resolve, reject) => {
    const child = spawn(node, [CLI_PATH, ...args], { env, stdio: ["ignore", out, err] });
    let stderr = "";
    child.stderr?.on("data", (c: Buffer) => (stderr += c.toString()));
    const timer = setTimeout(() => child.kill("SIGKILL"), 60_000);
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      closeSync(out);
      if (typeof err === "number") closeSync(err);
      resolve({ code, stdoutFile, stderr: typeof err === "number" ? readFileSync(stderrFile, "utf8") : stderr });
    });
  });
}

/** printer prints each value raw, JSON-escaped and its JSON fields, one per line, as a command would. */
const printer = [
  node,
  "-e",
  `for (const k of ${JSON.stringify(Object.keys(values))}) { const v = process.env[k]; console.log(k + ": " + v); console.log(JSON.stringify(v)); }
   const j = JSON.parse(process.env.JSON); console.log(j.db.password); console.log(j.list[0]);
   console.log("ENV " + JSON.stringify(Object.keys(process.env).sort()));`,
];

function leaked(text: string, extra: readonly string[] = []): string[] {
  const parts = [...Object.values(values), ...extra].flatMap((v) => [v, ...v.split(/\r?\n/).filter((l) => l.trim().length >= 6)]);
  const json = JSON.parse(values.JSON) as { db: { password: string }; list: string[] };
  return [...parts, json.db.password, json.list[0]!].filter((p) => text.includes(p));
}

describe("the CLI under the real GitHub runner, stdout redirected to a file", () => {
  it("writes no value and no token to the file; registers every value on stderr, escaped, so the runner hides each form", async () => {
    const step = runnerStep();
    const run = await runRedirected(["exec", ...secretArgs, "--", ...printer], step.env, step.dir);
    expect(run.code, run.stderr).toBe(0);
    const file = readFileSync(run.stdoutFile, "utf8");
    expect(file).not.toContain("::add-mask::");
    expect(leaked(file, [oidc.env.ACTIONS_ID_TOKEN_REQUEST_TOKEN])).toEqual([]);
    // stderr: the commands, as the runner reads them (one per line, unescaped).
    const masks = parseWorkflowCommands(run.stderr)
      .filter((c) => c.name === "add-mask")
      .map((c) => c.message);
    // A one-line value whole (its %, %0A and %25 intact); a multi-line one as each of its lines (the runner masks line by line).
    expect(masks).toContain(values.PERCENT);
    expect(masks).toContain(oidc.env.ACTIONS_ID_TOKEN_REQUEST_TOKEN);
    for (const line of [...values.CRLF.split("\r\n"), ...values.PEM.trim().split("\n")]) expect(masks).toContain(line);
    const json = JSON.parse(values.JSON) as { db: { password: string } };
    expect(masks).toContain(json.db.password);
    // A later step printing each value raw and JSON-escaped, masked the way the runner masks.
    const later = Object.values(values)
      .flatMap((v) => [`raw ${v}`, `json ${JSON.stringify(v)}`])
      .join("\n");
    expect(leaked(runnerMasked(later, masks))).toEqual([]);
    // No raw value on stderr outside the escaped commands either.
    const plain = run.stderr
      .split("\n")
      .filter((l) => !l.startsWith("::add-mask::"))
      .join("\n");
    expect(leaked(plain)).toEqual([]);
  });

  it("check --format json > r.json: the file is the JSON report, with no token", async () => {
    const step = runnerStep();
    const report = join(step.dir, "report.json");
    const run = await runRedirected(["check", ...secretArgs, "--format", "json", "--report", report], step.env, step.dir);
    expect(run.code, run.stderr).toBe(0);
    const text = readFileSync(run.stdoutFile, "utf8");
    expect((JSON.parse(text) as { ok: boolean }).ok).toBe(true);
    expect(text).not.toContain(oidc.env.ACTIONS_ID_TOKEN_REQUEST_TOKEN);
    expect(leaked(text)).toEqual([]);
  });

  it("with stderr redirected too, writes no workflow command anywhere and says the values are not registered", async () => {
    const step = runnerStep();
    const run = await runRedirected(["exec", ...secretArgs, "--", ...printer], step.env, step.dir, { stderrToFile: true });
    expect(run.code).toBe(0);
    const both = readFileSync(run.stdoutFile, "utf8") + run.stderr;
    expect(both).not.toContain("::");
    expect(run.stderr).toMatch(/stderr is not the runner's pipe/);
    expect(leaked(both, [oidc.env.ACTIONS_ID_TOKEN_REQUEST_TOKEN])).toEqual([]);
  });
});

describe("a shell that only looks like the runner", () => {
  it("GITHUB_ACTIONS=true without the runner's files: no workflow command, the child's output still masked", async () => {
    const step = runnerStep();
    const env = { ...step.env, GITHUB_OUTPUT: join(step.dir, "gone"), GITHUB_ENV: join(step.dir, "gone-too") };
    const run = await runCli(["exec", ...secretArgs, "--", ...printer], env);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout + run.stderr).not.toContain("::");
    expect(leaked(run.stdout + run.stderr)).toEqual([]);
    expect(run.stdout).toContain("PERCENT: ***");
  });

  it("after the exports of `vaultgate dev --identity github`: logs in as GitHub, prints no workflow command", async () => {
    const dir = mkdtempSync(join(tmpdir(), "vaultgate-devgh-"));
    const envFile = join(dir, "dev.env");
    const dev = startCli(["dev", "--identity", "github", "--env-out", envFile, "--quiet"], baseEnv());
    try {
      await dev.waitFor(/export ACTIONS_ID_TOKEN_REQUEST_TOKEN=/, 60_000);
      const exported = readFileSync(envFile, "utf8");
      expect(exported).not.toMatch(/GITHUB_ACTIONS/);
      const env: Record<string, string> = baseEnv();
      for (const m of exported.matchAll(/^export (\w+)='([^']*)'$/gm)) env[m[1]!] = m[2]!;
      const run = await runCli(
        ["exec", "-s", "secret/app/db password | DB_PASSWORD", "--", node, "-e", "console.log('pw ' + process.env.DB_PASSWORD)"],
        env,
      );
      expect(run.code, run.stderr).toBe(0);
      expect(run.stdout).toContain("pw ***");
      expect(run.stdout + run.stderr).not.toContain("::");
    } finally {
      dev.child.kill("SIGTERM");
      await dev.done;
    }
  });
});

describe("the child gets the secrets, not the identity", () => {
  it("removes the login variables from the command's environment unless --keep-env names one", async () => {
    const step = runnerStep();
    const env = { ...step.env, VAULTGATE_ID_TOKEN: "not-used-but-login-material", VAULT_SECRET_ID: "approle-secret-id" };
    const names = async (extra: string[]) => {
      const run = await runCli(["exec", ...secretArgs, ...extra, "--", ...printer], env);
      expect(run.code, run.stderr).toBe(0);
      return JSON.parse(/^ENV (.*)$/m.exec(run.stdout)?.[1] ?? "[]") as string[];
    };
    const stripped = await names([]);
    for (const name of [
      "ACTIONS_ID_TOKEN_REQUEST_URL",
      "ACTIONS_ID_TOKEN_REQUEST_TOKEN",
      "VAULTGATE_ID_TOKEN",
      "VAULT_SECRET_ID",
    ]) {
      expect(stripped).not.toContain(name);
    }
    expect(stripped).toEqual(expect.arrayContaining(["PERCENT", "PEM", "VAULT_ADDR"]));
    const kept = await names(["--keep-env", "ACTIONS_ID_TOKEN_REQUEST_URL", "--keep-env", "ACTIONS_ID_TOKEN_REQUEST_TOKEN"]);
    expect(kept).toEqual(expect.arrayContaining(["ACTIONS_ID_TOKEN_REQUEST_URL", "ACTIONS_ID_TOKEN_REQUEST_TOKEN"]));
    expect(kept).not.toContain("VAULTGATE_ID_TOKEN");
  });
});

describe("a vault URL with credentials", () => {
  let requests = 0;
  let server: http.Server;
  let port = 0;
  beforeAll(async () => {
    server = http.createServer((_req, res) => {
      requests++;
      res.writeHead(500);
      res.end();
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it.each([
    ["fetch", ["fetch", "--unsafe-print", "-s", "secret/app/db password"]],
    ["exec", ["exec", "-s", "secret/app/db password", "--", "true"]],
    ["check", ["check", "-s", "secret/app/db password", "--format", "json"]],
  ])("is refused by %s before any request, and never printed", async (_name, args) => {
    const password = `pw-${randomSecret(8)}`;
    const dir = mkdtempSync(join(tmpdir(), "vaultgate-userinfo-"));
    const report = join(dir, "report.json");
    const extra = args[0] === "check" ? ["--report", report] : [];
    const [command, ...rest] = args;
    const url = `http://deployer:${password}@127.0.0.1:${port}`;
    const run = await runCli([command!, "--url", url, ...extra, ...rest], baseEnv(oidc.env), {
      cwd: dir,
    });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/Error: The vault address contains credentials/);
    expect(run.stderr).toMatch(/Hint: Remove them from the URL/);
    const reportText = args[0] === "check" ? readFileSync(report, "utf8") : "";
    for (const text of [run.stdout, run.stderr, reportText]) {
      expect(text).not.toContain(password);
      expect(text).not.toContain("deployer");
    }
    expect(requests).toBe(0);
  });
});
