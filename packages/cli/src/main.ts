/**
 * main — the `vaultgate` command: dispatches to a command and maps every error to its
 * documented exit code at this one boundary (message and hint on stderr, no stack).
 * With OTEL_EXPORTER_OTLP_ENDPOINT set, the command is one trace (docs/observability.md).
 */
import { TELEMETRY_OFF, VERSION, formatError, loadManifestParser, startTelemetry, toVaultgateError } from "@vaultgate/core";
import { processContext, type CommandContext } from "./context.js";
import { diagnosticLines } from "./terminal.js";
import { fetchCommand } from "./commands/fetch.js";
import { revokeCommand } from "./commands/revoke.js";
import { checkCommand } from "./commands/check.js";
import { execCommand } from "./commands/exec.js";
import { devCommand } from "./commands/dev.js";
import { policyCommand } from "./commands/policy.js";
import { lintCommand } from "./commands/lint.js";

export const MAIN_HELP = `vaultgate ${VERSION} — short-lived vault secrets for CI jobs, from the job's own OIDC identity

Usage: vaultgate <command> [options]

Commands:
  fetch     read secrets into a 0600 file (dotenv, shell or JSON)
  exec      run a command with the secrets in its environment, its output masked
  check     the pre-deploy gate: prove every secret is there, print none
  revoke    revoke the token and leases of a fetch, remove its files
  dev       run the embedded dev vault and a local OIDC issuer on 127.0.0.1
  policy    write least-privilege jwt roles and policies for a job (or apply them)
  lint      find over-broad CI trust in a vault or in Terraform/HCL/JSON files

Run \`vaultgate <command> --help\` for a command's options.
Exit codes: 0 ok, 1 check failed, 2 usage or configuration, 3 identity or login,
4 secret missing or denied, 5 vault unavailable, 6 output not writable, 70 internal error.`;

type Command = (argv: string[], ctx: CommandContext) => Promise<number>;

const COMMANDS: Readonly<Record<string, Command>> = {
  fetch: fetchCommand,
  check: checkCommand,
  exec: execCommand,
  revoke: revokeCommand,
  dev: devCommand,
  policy: policyCommand,
  lint: lintCommand,
};

/** main runs the CLI with `argv` (without node and script) and returns the exit code. */
export async function main(argv: string[], ctx: CommandContext = processContext()): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === "--help" || name === "-h" || name === "help") {
    ctx.stdout.write(`${MAIN_HELP}\n`);
    return name === undefined ? 2 : 0;
  }
  if (name === "--version" || name === "version") {
    ctx.stdout.write(`${VERSION}\n`);
    return 0;
  }
  const command = COMMANDS[name];
  if (!command) {
    ctx.stderr.write(`Error: unknown command "${name}".\nHint: run \`vaultgate --help\` for the commands.\n`);
    return 2;
  }
  // Most CLI runs read a manifest (GitLab and Jenkins hand one over); the action steps load the parser only for one.
  await loadManifestParser();
  const platform = ctx.platform({});
  const telemetry =
    name === "dev"
      ? TELEMETRY_OFF
      : await startTelemetry({
          command: name,
          env: ctx.env,
          platform: platform.name,
          warn: (message) => platform.log.warn(message),
          mask: (value) => platform.mask(value, "token"),
        });
  let exitCode: number;
  try {
    exitCode = await command(rest, { ...ctx, telemetry });
  } catch (thrown) {
    const error = toVaultgateError(thrown);
    // A vault's error text is untrusted: under the runner it must not read as a workflow command.
    for (const line of diagnosticLines(formatError(error), ctx.runner ?? "none")) ctx.stderr.write(`${line}\n`);
    exitCode = error.exitCode;
  }
  await telemetry.end(exitCode);
  return exitCode;
}
