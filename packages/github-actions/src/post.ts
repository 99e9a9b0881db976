/**
 * post — the secrets action's post step: revokes the leases and the token recorded in
 * the main step's state file (its path is the STATE_vaultgate value) and removes the files
 * it wrote, then the state file. It runs whether the job passed
 * or failed (post-if: always()), and reports a failed revocation as a warning: cleaning
 * up must never change the job's own result.
 */
import { existsSync } from "node:fs";
import {
  AuditRecorder,
  appendAuditRecord,
  auditMarkdown,
  endRun,
  loadState,
  platformTempDir,
  removeState,
} from "@vaultgate/core";
import type { GitHubPlatform } from "./platform.js";
import type { Runner } from "./runner/runner.js";
import { STATE_NAME } from "./secrets.js";

/** POST_FETCH bounds the post step's requests; the revocation has its own budget (10 s) within it. */
const POST_FETCH = { concurrency: 4, requestTimeoutSeconds: 10, deadlineSeconds: 30, maxAttempts: undefined };

/** revokeForPost ends the run the main step started; nothing to revoke is not an error. */
export async function revokeForPost(runner: Runner, platform: GitHubPlatform): Promise<void> {
  const path = runner.state(STATE_NAME);
  if (path === "" || !existsSync(path)) {
    runner.info("vaultgate: nothing to revoke.");
    return;
  }
  const state = loadState(path);
  const audit = state.audit ? AuditRecorder.resume(state.audit, runner.env) : undefined;
  const { report, fileErrors } = await endRun(state, platform, {
    audit,
    fetch: POST_FETCH,
    tempDir: platformTempDir(runner.env),
  });
  const leases = report.leasesRevoked + report.leasesWithToken;
  // An AWS-only run has no token: endRun has said that its AWS credentials only expire.
  if (state.vault)
    runner.info(
      `vaultgate: token ${state.ownsToken ? report.token : "kept (it was given as an input)"}, ` +
        `${leases} lease${leases === 1 ? "" : "s"} revoked.`,
    );
  if (state.files.length > 0) runner.info(`vaultgate: removed ${state.files.length} file(s).`);
  // What the revocation left alive is already an error line (platform.log.error); file problems are warnings.
  for (const problem of fileErrors) runner.warning(`vaultgate cleanup: ${problem}`);
  // The state file goes once the token is gone; a token that could not be revoked keeps it for inspection.
  if (report.token !== "failed") removeState(path);
  if (audit) {
    const record = audit.finish(state.audit?.exitCode ?? 0);
    await runner.appendSummary(auditMarkdown(record));
    const file = runner.input("audit");
    if (file) appendAuditRecord(file, record);
  }
}
