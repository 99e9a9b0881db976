/**
 * load-jobs — N concurrent CI jobs against one vault, each a separate `vaultgate exec`
 * process with its own identity (a GitLab ID token with its own job and pipeline ids):
 * log in, read `kvReads` KV secrets and one PKI certificate (a lease), run a short
 * command that checks the secrets arrived, and revoke. Used by the cluster suite and
 * by `bench:load`; every job is bounded in time, and the whole run in count.
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { AuditRecord } from "@vaultgate/core";
import { baseEnv, startCli, type CliResult } from "./cli.js";
import { TestIssuer, gitlabClaims } from "./issuer.js";
import type { VaultFixture } from "./vault-setup.js";

/** LoadJobsOptions: where, how many, how much each job reads, how patient it is. */
export interface LoadJobsOptions {
  addr: string;
  fixture: VaultFixture;
  jobs: number;
  /** KV secrets per job (1–50, from the fixture's bulk secrets). */
  kvReads: number;
  timeoutSeconds: number;
  /** Seconds the job's command runs with its secrets. */
  commandSeconds?: number;
  dir: string;
  /** Offset of the jobs' ids, so that runs on one vault have distinct identities. */
  idBase?: number;
  /** Each request's own timeout (`--request-timeout`), 30 s unless given. */
  requestTimeoutSeconds?: number;
}

/** JobOutcome is one finished job. */
export interface JobOutcome {
  index: number;
  result: CliResult;
  ms: number;
  statePath: string;
  env: Record<string, string>;
  /** The job's audit record (requests, retries, revocations), when it wrote one. */
  record: AuditRecord | undefined;
}

/** RunningJobs are started jobs: poll them, then await `done`. */
export interface RunningJobs {
  /** How many jobs have logged in so far (their state file named a token once). */
  loggedIn(): number;
  /** How many jobs are running their command. */
  commandsStarted(): number;
  done: Promise<JobOutcome[]>;
}

/** startLoadJobs starts every job at once and returns while they run. */
export async function startLoadJobs(options: LoadJobsOptions): Promise<RunningJobs> {
  mkdirSync(options.dir, { recursive: true });
  const manifest = join(options.dir, "vaultgate.yml");
  writeFileSync(manifest, manifestText(options.kvReads));
  const issuer = new TestIssuer(options.fixture.issuers.gitlab);
  const command = `test -n "$BULK_01" && test -n "$CERT_SERIAL" && sleep ${options.commandSeconds ?? 1} && echo job-ok`;
  const prepared = await Promise.all(
    Array.from({ length: options.jobs }, async (_, index) => {
      const id = String((options.idBase ?? 0) + index + 1);
      // Own identity: its own user (the role's user_claim), job and pipeline.
      const token = await issuer.sign({
        ...gitlabClaims(options.fixture.audience),
        user_login: `deployer-${id}`,
        user_id: `7${id}`,
        job_id: `9${id}`,
        pipeline_id: `8${id}`,
      });
      const jobDir = join(options.dir, `job-${index}`);
      mkdirSync(jobDir, { recursive: true });
      return {
        index,
        statePath: join(jobDir, "state.json"),
        auditPath: join(jobDir, "audit.jsonl"),
        env: baseEnv({ GITLAB_CI: "true", VAULT_ID_TOKEN: token, VAULT_ADDR: options.addr, CI_PROJECT_DIR: jobDir }),
      };
    }),
  );
  const started = prepared.map((job) => {
    const args = [
      "exec",
      "-f",
      manifest,
      "--timeout",
      `${options.timeoutSeconds}s`,
      "--request-timeout",
      `${options.requestTimeoutSeconds ?? 30}s`,
    ];
    args.push("--state", job.statePath);
    const at = Date.now();
    const cli = startCli([...args, "--audit", job.auditPath, "--", "sh", "-c", command], job.env);
    // A job never outlives its deadline plus its command and the revocation budget by much.
    const limit = setTimeout(() => cli.child.kill("SIGKILL"), (options.timeoutSeconds + 60) * 1000);
    const done = cli.done.then((result): JobOutcome => {
      clearTimeout(limit);
      return {
        index: job.index,
        result,
        ms: Date.now() - at,
        statePath: job.statePath,
        env: job.env,
        record: lastRecord(job.auditPath),
      };
    });
    return { cli, done, job };
  });
  const seen = new Set<number>();
  return {
    loggedIn: () => {
      for (const job of prepared) if (!seen.has(job.index) && hasToken(job.statePath)) seen.add(job.index);
      return seen.size;
    },
    commandsStarted: () => started.filter((s) => /running sh with/.test(s.cli.output.stderr)).length,
    done: Promise.all(started.map((s) => s.done)),
  };
}

function manifestText(kvReads: number): string {
  const kv = Array.from({ length: kvReads }, (_, i) => {
    const n = String(i + 1).padStart(2, "0");
    return `  - secret/app/bulk/${n} value | BULK_${n}`;
  });
  return [
    "auth:",
    "  mount: jwt-gitlab",
    "  role: deploy",
    "secrets:",
    ...kv,
    "  - path: pki/issue/app",
    "    key: serial_number",
    "    name: CERT_SERIAL",
    "    method: POST",
    "    params: { common_name: load.example.com, ttl: 30m }",
    "",
  ].join("\n");
}

function hasToken(statePath: string): boolean {
  try {
    return typeof (JSON.parse(readFileSync(statePath, "utf8")) as { token?: unknown }).token === "string";
  } catch {
    return false;
  }
}

function lastRecord(auditPath: string): AuditRecord | undefined {
  try {
    const lines = readFileSync(auditPath, "utf8").trim().split("\n");
    return JSON.parse(lines.at(-1) ?? "") as AuditRecord;
  } catch {
    return undefined;
  }
}
