/**
 * demo — the README's first command (`npm run demo`): a sample pipeline against the
 * embedded dev vault, with nothing installed. It starts devvault in this process, then
 * runs the real `vaultgate` command as a CI job would: check → exec of a deploy script
 * that prints its secrets (the output shows them masked) → the audit record, and proves
 * that the token was revoked.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { DEFAULT_SEED, DEV_AUDIENCE, DEV_ROLE, parseSeed, startDevVault } from "@vaultgate/devvault";
import type { AuditRecord } from "@vaultgate/core";

const CLI = fileURLToPath(new URL("../bin/vaultgate.js", import.meta.url));
const DEPLOY = fileURLToPath(new URL("../../../examples/demo/deploy.sh", import.meta.url));
const SECRETS = [
  "secret/app/db password | DB_PASSWORD",
  "secret/app/api token | API_TOKEN",
  "database/creds/app password | DB_DYNAMIC_PASSWORD",
];

const out = (text: string) => process.stdout.write(`${text}\n`);
const step = (n: number, title: string, command: string) => out(`\n\x1b[1m── ${n}. ${title}\x1b[0m\n$ ${command}\n`);

const devvault = await startDevVault({ seed: parseSeed(DEFAULT_SEED, "(built-in demo)") });
const work = mkdtempSync(join(tmpdir(), "vaultgate-demo-"));
let failed = false;
try {
  const env = {
    PATH: process.env.PATH ?? "/usr/bin:/bin",
    HOME: process.env.HOME ?? work,
    VAULT_ADDR: devvault.addr,
    VAULTGATE_ROLE: DEV_ROLE,
    VAULTGATE_AUDIENCE: DEV_AUDIENCE,
    VAULTGATE_ID_TOKEN: await devvault.issuer.platformToken("github", DEV_AUDIENCE, { ttl: 600 }),
    VAULTGATE_SECRETS: SECRETS.join("\n"),
    VAULTGATE_AUDIT_FILE: join(work, "audit.jsonl"),
  };
  // devvault answers from this process's event loop: the CLI must run asynchronously.
  const run = (args: string[]) =>
    new Promise<number | null>((resolve) => {
      const child = spawn(process.execPath, [CLI, ...args], { env, stdio: "inherit" });
      child.on("close", (code) => resolve(code));
    });
  out(`vaultgate demo — devvault (embedded dev vault + OIDC issuer) on ${devvault.addr}`);
  out(`The job's identity: a GitHub-shaped OIDC token for repo:acme/app, audience ${DEV_AUDIENCE}.`);
  out(`Secrets:\n  ${SECRETS.join("\n  ")}`);

  step(1, "Pre-deploy gate: is every secret there? (no value is printed)", "vaultgate check --min-ttl 10m --issue-dynamic");
  const checked = await run(["check", "--min-ttl", "10m", "--issue-dynamic", "--report", join(work, "check.json")]);
  if (checked !== 0) failed = true;

  step(2, "Deploy: run the script with its secrets, output masked", `vaultgate exec -- sh ${DEPLOY}`);
  const executed = await run(["exec", "--", "sh", DEPLOY]);
  if (executed !== 0) failed = true;

  step(3, "Audit record of the deploy (JSON line; never a value)", `tail -n1 ${env.VAULTGATE_AUDIT_FILE}`);
  const lines = readFileSync(env.VAULTGATE_AUDIT_FILE, "utf8").trim().split("\n");
  const record = JSON.parse(lines.at(-1) ?? "{}") as AuditRecord;
  out(JSON.stringify(record, null, 2));

  step(4, "Nothing left behind", "lookup of the deploy's token by its accessor");
  const accessor = record.identity?.accessor;
  const res = accessor
    ? await fetch(`${devvault.addr}/v1/auth/token/lookup-accessor`, {
        method: "POST",
        headers: { "x-vault-token": devvault.rootToken, "content-type": "application/json" },
        body: JSON.stringify({ accessor }),
      })
    : undefined;
  const revoked = res !== undefined && !res.ok;
  out(revoked ? "The deploy's token and its leases are revoked." : "The deploy's token is still valid: revocation failed.");
  if (!revoked || record.outcome !== "success") failed = true;
  out(failed ? "\nDemo FAILED." : "\nDemo finished: checked, deployed with masked output, audited, revoked.");
} finally {
  rmSync(work, { recursive: true, force: true });
  await devvault.close();
}
process.exitCode = failed ? 1 : 0;
