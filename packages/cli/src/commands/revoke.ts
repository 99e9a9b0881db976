/**
 * commands/revoke — ends the runs `fetch` and `exec` started: revokes their leases and
 * tokens, removes the files they wrote and their state files. Without --state it ends
 * every run of the current job (each fetch or exec keeps its own state file), which is
 * what GitLab's after_script and Jenkins' finally call. Safe to run twice.
 */
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import {
  AuditRecorder,
  OutputError,
  endRun,
  formatError,
  jobStatePaths,
  platformTempDir,
  loadState,
  removeState,
  stateDir,
  toVaultgateError,
  type Platform,
} from "@vaultgate/core";
import { COMMON_OPTIONS, parseCommand } from "../options.js";
import type { CommandContext } from "../context.js";
import { writeAudit } from "./fetch.js";

export const REVOKE_HELP = `Usage: vaultgate revoke [--state FILE]

Revokes the tokens and leases of the runs \`vaultgate fetch\` and \`vaultgate exec\`
started in this job, then deletes the files they wrote and their state files. AWS
credentials (STS) cannot be revoked: it says so and when they expire. Nothing
to revoke is not an error. Use it where the job ends whatever happened: GitHub's
\`if: always()\`, GitLab's after_script, Jenkins' post/finally.

Options:
      --state FILE            end only this run (default: every run of this job, found in the job's temp dir)
      --keep-files            do not delete the files fetch wrote
      --audit FILE            append each run's audit record (JSON line, no values) to FILE [VAULTGATE_AUDIT_FILE]

Each run is ended on its own: a bad state file is reported and the others are still
ended; the exit code is the worst of them.

Exit codes: 0 revoked (or nothing to revoke), 2 usage, or an unreadable, corrupt or foreign
state file, 5 the vault could not be reached, 6 a listed file could not be removed.`;

const OPTIONS = {
  ...COMMON_OPTIONS,
  state: { type: "string" },
  "keep-files": { type: "boolean" },
  audit: { type: "string" },
} as const;

/** revokeCommand runs `vaultgate revoke`. */
export async function revokeCommand(argv: string[], ctx: CommandContext): Promise<number> {
  const { values } = parseCommand("revoke", argv, OPTIONS);
  if (values.help) {
    ctx.stdout.write(`${REVOKE_HELP}\n`);
    return 0;
  }
  const platform = ctx.platform(values);
  const paths = values.state ? [resolve(ctx.cwd, values.state)].filter((p) => existsSync(p)) : jobStatePaths(ctx.env);
  if (paths.length === 0) {
    platform.log.info(
      `nothing to revoke: no state file ${values.state ? `at ${values.state}` : `for this job in ${stateDir(ctx.env)}`}`,
    );
    return 0;
  }
  // One bad state file (unreadable, corrupt, foreign) never stops the others: each run
  // is ended on its own and the worst exit code is returned.
  let exitCode = 0;
  for (const path of paths) {
    try {
      const code = await revokeOne(
        path,
        values["keep-files"] ?? false,
        ctx,
        platform,
        values.audit ?? (ctx.env.VAULTGATE_AUDIT_FILE || undefined),
      );
      exitCode = Math.max(exitCode, code);
    } catch (thrown) {
      const error = toVaultgateError(thrown);
      ctx.stderr.write(`${formatError(error)}\n`);
      exitCode = Math.max(exitCode, error.exitCode);
    }
  }
  return exitCode;
}

/** revokeOne ends the run of one state file; returns its exit code. */
async function revokeOne(
  path: string,
  keepFiles: boolean,
  ctx: CommandContext,
  platform: Platform,
  auditFile: string | undefined,
): Promise<number> {
  const state = loadState(path);
  const audit = new AuditRecorder({
    command: "revoke",
    platform: platform.name,
    env: ctx.env,
    address: state.vault?.url,
    namespace: state.vault?.namespace,
  });
  let exitCode = 0;
  try {
    const { report, fileErrors } = await endRun(state, platform, { audit, keepFiles, tempDir: platformTempDir(ctx.env) });
    if (fileErrors.length > 0) {
      throw new OutputError(fileErrors.join(" "), {
        hint: "The token was revoked; remove the files named above yourself. Their state file is kept until then.",
      });
    }
    if (report.leftAlive.length > 0) {
      // The revocation has logged what is left alive; the state file stays for another try.
      platform.log.error(`${path} is kept: run \`vaultgate revoke\` again once the vault answers.`);
      exitCode = 5;
      return exitCode;
    }
    removeState(path);
    const removed = keepFiles || state.files.length === 0 ? "" : `, removed ${state.files.length} file(s)`;
    // An AWS-only run has nothing to revoke: endRun has said that its AWS credentials only expire.
    platform.log.info(
      state.vault
        ? `revoked: token ${report.token}, ${report.leasesRevoked + report.leasesWithToken} lease(s)${removed}`
        : `ended: no vault token or lease to revoke${removed}`,
    );
    return 0;
  } catch (error) {
    exitCode = toVaultgateError(error).exitCode;
    throw error;
  } finally {
    writeAudit(auditFile, audit, exitCode, ctx, platform);
  }
}
