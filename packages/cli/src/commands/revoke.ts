/**
 * commands/revoke — ends a run started by `fetch`: revokes its leases and token and
 * removes the files it wrote and its state file. Safe to run twice.
 */
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import {
  AuditRecorder,
  VaultClient,
  DEFAULT_FETCH,
  USER_AGENT,
  defaultStatePath,
  loadState,
  removeFile,
  revokeAll,
} from "@vaultgate/core";
import { COMMON_OPTIONS, parseCommand } from "../options.js";
import type { CommandContext } from "../context.js";
import { writeAudit } from "./fetch.js";

export const REVOKE_HELP = `Usage: vaultgate revoke [--state FILE]

Revokes the token and leases of a run started by \`vaultgate fetch\`, then deletes the
files it wrote and the state file. Nothing to revoke is not an error.

Options:
      --state FILE            the state file fetch wrote (default: the job's temp dir, as fetch)
      --keep-files            do not delete the files fetch wrote
      --audit FILE            append the run's audit record (JSON line, no values) to FILE [VAULTGATE_AUDIT_FILE]

Exit codes: 0 revoked (or nothing to revoke), 2 usage, 5 the vault could not be reached.`;

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
  const statePath = resolve(ctx.cwd, values.state ?? defaultStatePath(ctx.env));
  if (!existsSync(statePath)) {
    platform.log.info(`nothing to revoke: ${statePath} does not exist`);
    return 0;
  }
  const state = loadState(statePath);
  platform.mask(state.token);
  const audit = new AuditRecorder({
    command: "revoke",
    platform: platform.name,
    env: ctx.env,
    address: state.vault.url,
    namespace: state.vault.namespace,
  });
  const client = new VaultClient({
    vault: state.vault,
    fetch: DEFAULT_FETCH,
    userAgent: USER_AGENT,
    observe: (e) => audit.request(e.ms),
  });
  client.setToken(state.token);
  let exitCode = 0;
  try {
    const report = await revokeAll(client, state.leases, { keepToken: !state.ownsToken, audit });
    if (!values["keep-files"]) for (const file of state.files) removeFile(file);
    if (report.token === "failed") {
      platform.log.error(`could not revoke the token: ${report.errors.join("; ")}`);
      exitCode = 5;
      return exitCode;
    }
    removeFile(statePath);
    platform.log.info(
      `revoked: token ${report.token}, ${report.leasesRevoked + report.leasesWithToken} lease(s)` +
        (values["keep-files"] || state.files.length === 0 ? "" : `, removed ${state.files.length} file(s)`),
    );
    for (const e of report.errors) platform.log.warn(e);
    return 0;
  } finally {
    client.close();
    writeAudit(values.audit ?? (ctx.env.VAULTGATE_AUDIT_FILE || undefined), audit, exitCode, ctx, platform);
  }
}
