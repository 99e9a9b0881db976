// actions/secrets run from its committed dist/ as the GitHub runner runs it (INPUT_*,
// file commands, the ID token endpoint), against the real OpenBao: exact masks, the
// env file's heredoc records, outputs, files, the post step's revocation, a
// vault-action input block unchanged, and the missing id-token permission.
import { existsSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { importJWK, jwtVerify } from "jose";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { maskVariants, type AuditRecord } from "@vaultgate/core";
import {
  ACTIONS,
  VaultAdmin,
  createTestPki,
  startTlsProxy,
  newRunnerJob,
  runActionStep,
  schemaValidator,
  startGitHubOidc,
  type GitHubOidcServer,
  type StepOptions,
  type StepRun,
} from "@vaultgate/test-harness";

const vault = inject("vault");
const admin = new VaultAdmin(vault.addr, vault.rootToken);
let oidc: GitHubOidcServer;

beforeAll(async () => {
  oidc = await startGitHubOidc(vault.issuers.github);
});
afterAll(() => oidc.close());

const main = (options: StepOptions) =>
  runActionStep("secrets", ACTIONS.secrets.main, { ...options, env: { ...oidc.env, ...options.env } });
const post = (run: StepRun, options: StepOptions = {}) =>
  runActionStep("secrets", ACTIONS.secrets.post, { ...options, state: run.state });

const connection = { url: vault.addr, role: "deploy", audience: vault.audience };

/** stateFile returns the path of the state file the main step handed to its post step (its only state). */
function stateFile(run: StepRun): string {
  const record = run.records.state.find(([, value]) => value !== "");
  if (!record) throw new Error("the main step saved no state");
  return record[1];
}

/** stateToken returns the run's vault token: from its state file, or (once that is gone) from its masks. */
function stateToken(run: StepRun): string {
  const file = stateFile(run);
  if (existsSync(file)) return (JSON.parse(readFileSync(file, "utf8")) as { token: string }).token;
  const token = run.masks.find((m) => /^(s|hvs|b|hvb)\.[\w.-]+$/.test(m));
  if (!token) throw new Error("no vault token among the masks");
  return token;
}

/** idTokens returns the mask entries that are ID tokens signed by the local GitHub issuer. */
async function idTokens(masks: readonly string[]): Promise<string[]> {
  const key = await importJWK(vault.issuers.github.publicJwk, "RS256");
  const found: string[] = [];
  for (const m of masks.filter((x) => /^eyJ[\w-]+\.[\w-]+\.[\w-]+$/.test(x))) {
    await jwtVerify(m, key, { issuer: vault.issuers.github.issuer, audience: vault.audience });
    found.push(m);
  }
  return found;
}

/** expectNoLeak checks that no value appears in the step's log outside its ::add-mask:: lines. */
function expectNoLeak(run: StepRun, values: readonly string[]): void {
  const log = `${run.stdout
    .split("\n")
    .filter((l) => !l.startsWith("::add-mask::"))
    .join("\n")}\n${run.stderr}`;
  for (const v of values) expect(log.includes(v), "a secret value leaked into the step's log").toBe(false);
  expect(log).not.toMatch(/\n\s+at /);
}

/** expectHeredocFile checks the runner's record format: one fresh ghadelimiter_<uuid> delimiter (@actions/core's) per value. */
function expectHeredocFile(text: string, count: number): void {
  const heads = [
    ...text.matchAll(/^[A-Za-z_][\w-]*<<(ghadelimiter_[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12})$/gm),
  ].map((m) => m[1]);
  expect(heads).toHaveLength(count);
  expect(new Set(heads).size).toBe(count);
  for (const d of heads) expect(text).toMatch(new RegExp(`^${d}$`, "m"));
}

describe("actions/secrets: the state the post step gets", () => {
  it("is the path of a 0600 file under RUNNER_TEMP holding only what revocation needs; post works with a 200 KB CA bundle", async () => {
    const pki = createTestPki();
    const tls = await startTlsProxy(vault.addr, pki, { requireClientCert: false });
    try {
      const ca = readFileSync(pki.caCert, "utf8");
      // Far beyond one environment string's 128 KiB: inlined in GITHUB_STATE it made the post step fail to start (E2BIG).
      const bundle = ca.repeat(Math.ceil(200_000 / ca.length));
      expect(bundle.length).toBeGreaterThan(200_000);
      const job = newRunnerJob();
      const bundleFile = join(job.temp, "ca-bundle.pem"); // as `caCertificate: ${{ runner.temp }}/ca-bundle.pem`
      writeFileSync(bundleFile, bundle);
      const run = await main({
        job,
        inputs: {
          ...connection,
          url: tls.url,
          caCertificate: bundleFile,
          secrets: "secret/data/app/db password | DB_PASSWORD",
          extraHeaders: "X-Trace-Secret: header-value-not-for-state",
        },
      });
      expect(run.code, run.stdout).toBe(0);
      const file = run.state.vaultgate!;
      expect(file.startsWith(job.temp)).toBe(true);
      expect(run.files.state.length).toBeLessThan(1000);
      expect(statSync(file).mode & 0o777).toBe(0o600);
      const saved = readFileSync(file, "utf8");
      expect(saved.length).toBeLessThan(4000);
      expect(saved).not.toContain("BEGIN CERTIFICATE");
      expect(saved).not.toContain("header-value-not-for-state");
      expect(saved).not.toContain('"claims"'); // the audit record lives beside it, not in it
      const state = JSON.parse(saved) as { token: string; vault: { url: string; caCertFile: string } };
      expect(state.vault.url).toBe(tls.url);
      expect(statSync(state.vault.caCertFile).mode & 0o777).toBe(0o600);
      expect(await admin.tokenWorks(state.token)).toBe(true);
      const cleanup = await post(run, { job });
      expect(cleanup.code, cleanup.stdout + cleanup.stderr).toBe(0);
      expect(cleanup.stdout).toMatch(/vaultgate: token revoked/);
      expect(await admin.tokenWorks(state.token)).toBe(false);
      expect(existsSync(file)).toBe(false);
      expect(existsSync(state.vault.caCertFile)).toBe(false);
    } finally {
      await tls.close();
    }
  });
});

describe("actions/secrets: main and post from dist/", () => {
  it("masks every value and its variants before exporting, writes heredoc records, and post revokes", async () => {
    const run = await main({
      inputs: {
        ...connection,
        secrets: [
          "secret/data/app/db password | DB_PASSWORD",
          "secret/data/app/db username | DB_USER",
          "secret/app/api token | API_TOKEN",
          "secret/app/cert pem | TLS_KEY",
          "secret/app/config settings.db.password | JSON_PASSWORD",
          "kv1/app/legacy password",
        ].join("\n"),
      },
    });
    expect(run.code, run.stdout).toBe(0);
    const v = vault.values;
    const expected = {
      DB_PASSWORD: v.dbPassword!,
      DB_USER: v.dbUser!,
      API_TOKEN: v.apiToken!,
      TLS_KEY: v.multiline!,
      JSON_PASSWORD: v.jsonPassword!,
      PASSWORD: v.legacyPassword!,
    };
    expect(run.env).toEqual(expected);
    expect(run.outputs).toEqual({ ...expected, PASSWORD: undefined, password: v.legacyPassword });
    expectHeredocFile(run.files.env, 6);
    expectHeredocFile(run.files.output, 6);

    // The exact ::add-mask:: lines: every maskVariants string of every value, and the
    // request token, the ID token and the vault token themselves — each once, nothing else.
    const token = stateToken(run);
    const ids = await idTokens(run.masks);
    expect(ids).toHaveLength(1);
    const tokens = [oidc.env.ACTIONS_ID_TOKEN_REQUEST_TOKEN, ...ids, token];
    const want = [...new Set([...tokens, ...Object.values(expected).flatMap((s) => maskVariants(s))])];
    expect([...run.masks].sort()).toEqual(want.sort());
    expect(new Set(run.masks).size).toBe(run.masks.length);
    // Each value's variants were registered before the step said it had read them, and
    // the exports only happen after that line.
    const readLine = run.stdout.indexOf("vaultgate: read 6 values");
    expect(readLine).toBeGreaterThan(run.stdout.lastIndexOf("::add-mask::"));
    expect(run.masks).toContain(v.multiline!.split("\n")[1]);
    expectNoLeak(run, [...Object.values(expected), token]);

    expect(await admin.tokenWorks(token)).toBe(true);
    const cleanup = await post(run);
    expect(cleanup.code).toBe(0);
    expect(cleanup.stdout).toContain("vaultgate: token revoked");
    expect(cleanup.commands.filter((c) => c.name === "warning" || c.name === "error")).toEqual([]);
    expect(await admin.tokenWorks(token)).toBe(false);
    expectNoLeak(cleanup, [token]);
  });

  it("completes the audit record in the post step: file (validated) and job summary", async () => {
    const job = newRunnerJob();
    const audit = join(job.temp, "vaultgate-audit.jsonl");
    const inputs = { ...connection, secrets: "secret/data/app/db password | DB_PASSWORD", audit };
    const run = await main({ inputs, job });
    expect(run.code).toBe(0);
    const cleanup = await post(run, { inputs, job });
    expect(cleanup.code).toBe(0);
    const lines = readFileSync(audit, "utf8").trim().split("\n");
    expect(lines).toHaveLength(1);
    const record = JSON.parse(lines[0]!) as AuditRecord;
    expect(schemaValidator("audit-record.v1.json")(record)).toEqual([]);
    expect(record).toMatchObject({ command: "github-secrets", platform: "github", outcome: "success", exitCode: 0 });
    expect(record.identity?.claims.repository).toBe("acme/app");
    expect(record.reads.map((r) => r.apiPath)).toEqual(["secret/data/app/db"]);
    expect(record.revocations.at(-1)).toMatchObject({ kind: "token", outcome: "revoked" });
    expect(readFileSync(audit, "utf8")).not.toContain(vault.values.dbPassword!);
    expect(cleanup.files.summary).toContain("vaultgate audit: success");
    expect(cleanup.files.summary).toContain("`secret/data/app/db`");
  });

  it("runs a hashicorp/vault-action input block unchanged", async () => {
    // Copied as a user would have it under `with:` for hashicorp/vault-action@v3.
    const run = await main({
      inputs: {
        url: vault.addr,
        method: "jwt",
        path: "jwt",
        role: "deploy",
        jwtGithubAudience: vault.audience,
        exportEnv: "true",
        tlsSkipVerify: "false",
        secrets: `secret/data/app/db password | DB_PASSWORD ;
          secret/data/app/api token | API_TOKEN ;
          secret/data/app/api "api-key" ;
          secret/data/app/api tls.crt`,
      },
    });
    expect(run.code, run.stdout).toBe(0);
    const v = vault.values;
    expect(run.env).toEqual({ DB_PASSWORD: v.dbPassword, API_TOKEN: v.apiToken, APIKEY: v.apiKey, TLS__CRT: v.dotted });
    expect(run.outputs).toEqual({ DB_PASSWORD: v.dbPassword, API_TOKEN: v.apiToken, apikey: v.apiKey, tls__crt: v.dotted });
    expect(oidc.audiences.at(-1)).toBe(vault.audience);
    const token = stateToken(run);
    await post(run);
    expect(await admin.tokenWorks(token)).toBe(false);
  });

  it("writes 0600 files under RUNNER_TEMP with path outputs, and post removes them", async () => {
    const job = newRunnerJob();
    const run = await main({
      job,
      inputs: {
        ...connection,
        files: "true",
        "export-env": "false",
        secrets: "secret/app/db password | DB_PASSWORD\nsecret/app/cert pem | TLS_KEY",
      },
    });
    expect(run.code, run.stdout).toBe(0);
    expect(run.env).toEqual({});
    const file = run.outputs.DB_PASSWORD_file!;
    const pem = run.outputs.TLS_KEY_file!;
    expect(dirname(file)).toMatch(new RegExp(`^${job.temp}/vaultgate-[0-9a-f]{12}$`));
    expect(readFileSync(file, "utf8")).toBe(vault.values.dbPassword);
    expect(readFileSync(pem, "utf8")).toBe(vault.values.multiline);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(statSync(dirname(file)).mode & 0o777).toBe(0o700);
    const withEnv = await main({
      job,
      inputs: { ...connection, files: "true", secrets: "secret/app/db password | DB_PASSWORD" },
    });
    expect(withEnv.env.DB_PASSWORD_FILE).toBe(withEnv.outputs.DB_PASSWORD_file);
    for (const r of [run, withEnv]) expect((await post(r, { job })).code).toBe(0);
    expect(existsSync(file) || existsSync(dirname(file)) || existsSync(withEnv.outputs.DB_PASSWORD_file!)).toBe(false);
  });

  it("records a dynamic secret's lease and post revokes it", async () => {
    const job = newRunnerJob();
    writeFileSync(
      join(job.workspace, "vaultgate.yml"),
      "secrets:\n  - { path: pki/issue/app, key: certificate, name: TLS_CERT, method: POST, params: { common_name: gh.example.com, ttl: 10m } }\n",
    );
    const run = await main({
      job,
      inputs: { ...connection, manifest: "vaultgate.yml", exportToken: "true", outputToken: "true" },
    });
    expect(run.code, run.stdout).toBe(0);
    expect(run.env.TLS_CERT).toMatch(/^-----BEGIN CERTIFICATE-----/);
    const state = JSON.parse(readFileSync(run.state.vaultgate!, "utf8")) as { leases: { leaseId: string }[]; token: string };
    expect(state.leases).toHaveLength(1);
    expect(run.env.VAULT_TOKEN).toBe(state.token);
    expect(run.outputs.vault_token).toBe(state.token);
    expect(await admin.leaseExists(state.leases[0]!.leaseId)).toBe(true);
    const cleanup = await post(run, { job });
    expect(cleanup.stdout).toContain("1 lease revoked");
    expect(await admin.tokenWorks(state.token)).toBe(false);
    // The vault revokes a revoked token's leases in the background: allow it a few seconds.
    let alive = true;
    for (let i = 0; i < 50 && alive; i++) {
      alive = await admin.leaseExists(state.leases[0]!.leaseId);
      if (alive) await new Promise((r) => setTimeout(r, 100));
    }
    expect(alive).toBe(false);
  });

  it("skips a missing secret with ignoreNotFound, and otherwise fails and revokes at once", async () => {
    const secrets = "secret/data/app/db password | DB_PASSWORD ; secret/data/app/nope password | NOPE";
    const lenient = await main({ inputs: { ...connection, secrets, ignoreNotFound: "true" } });
    expect(lenient.code, lenient.stdout).toBe(0);
    expect(lenient.env).toEqual({ DB_PASSWORD: vault.values.dbPassword });
    expect(lenient.commands.find((c) => c.name === "warning")?.message).toMatch(
      /Optional secret skipped: Secret not found: secret\/data\/app\/nope/,
    );
    await post(lenient);

    const strict = await main({ inputs: { ...connection, secrets } });
    expect(strict.code).toBe(1);
    const error = strict.commands.find((c) => c.name === "error");
    expect(error?.properties.title).toBe("vaultgate: secret not found");
    expect(error?.message).toMatch(/^Secret not found: secret\/data\/app\/nope \(inputs secrets entry 2, line 1\)\.\nHint: /);
    expect(strict.files.env).toBe("");
    // vault-action's errorMessage output is the one output of a failed step.
    expect(strict.outputs).toEqual({ errorMessage: `${error?.message ?? ""}` });
    expect(strict.state.vaultgate).toBe("");
    expect(await admin.tokenWorks(stateToken(strict))).toBe(false);
    expectNoLeak(strict, [vault.values.dbPassword!]);
  });

  it("without `permissions: id-token: write` says exactly that, with no stack", async () => {
    const run = await main({
      inputs: { ...connection, secrets: "secret/data/app/db password | DB_PASSWORD" },
      env: { ACTIONS_ID_TOKEN_REQUEST_URL: undefined, ACTIONS_ID_TOKEN_REQUEST_TOKEN: undefined },
    });
    expect(run.code).toBe(1);
    expect(run.commands).toEqual([
      {
        name: "error",
        properties: { title: "vaultgate: identity" },
        message:
          "GitHub did not give this job an OIDC token: ACTIONS_ID_TOKEN_REQUEST_URL/_TOKEN are not set.\n" +
          "Hint: Add `permissions: id-token: write` to the job (or workflow), next to `contents: read`. " +
          "Pull requests from forks never receive an ID token.",
      },
    ]);
    expect(run.stderr).toBe("");
    expect(run.files.state + run.files.env).toBe("");
    expect(run.outputs).toEqual({ errorMessage: run.commands[0]?.message });
  });

  it("refuses malformed pki parameters and env names a shell cannot read, before logging in", async () => {
    const pki = await main({ inputs: { ...connection, pki: "pki/issue/app {common_name: x}" } });
    expect(pki.code).toBe(1);
    expect(pki.commands[0]?.message).toMatch(
      /^The parameters in inputs pki are not valid JSON: .*\nHint: Write them as one JSON object/,
    );
    expect(pki.outputs.errorMessage).toBe(pki.commands[0]?.message);
    const badName = await main({ inputs: { ...connection, secrets: "secret/app/db password | DB-PASSWORD" } });
    expect(badName.code).toBe(1);
    expect(badName.commands[0]?.message).toMatch(
      /"DB-PASSWORD" \(inputs secrets line 1\) is not a valid environment variable name/,
    );
    for (const r of [pki, badName]) expect(r.files.state).toBe("");
  });

  it("post names what is left alive at error level, and never fails the job, when the vault cannot be reached", async () => {
    const job = newRunnerJob();
    const state = join(job.temp, "action-state.json");
    writeFileSync(
      state,
      JSON.stringify({ version: 1, vault: { url: "http://127.0.0.1:9" }, token: "s.gone", leases: [], files: [] }),
      { mode: 0o600 },
    );
    const run = await runActionStep("secrets", ACTIONS.secrets.post, { job, state: { vaultgate: state } });
    expect(run.code).toBe(0);
    expect(
      run.commands
        .filter((c) => c.name === "error")
        .map((c) => c.message)
        .join("\n"),
    ).toMatch(/Revocation did not finish within its budget of 10 s \(60 s while the vault answers 429\); still alive: the token/);
  });
});
