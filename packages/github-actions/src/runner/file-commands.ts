/**
 * runner/file-commands — the names the runner's file commands may carry. GITHUB_OUTPUT,
 * GITHUB_ENV and GITHUB_STATE are files a step appends `name<<DELIMITER` records to
 * (@actions/core writes them, with a fresh random delimiter per value, refusing a value
 * that contains it); the runner reads them after the step. A name with a line break,
 * `=` or `<<` would let the runner split the record elsewhere, so it is refused first.
 */
import { ConfigError } from "@vaultgate/core";

/** FileCommand names the environment variables that hold the runner's command files. */
export type FileCommand = "GITHUB_OUTPUT" | "GITHUB_ENV" | "GITHUB_STATE";

/** assertCommandName refuses a name the runner could not read back as one record's name. */
export function assertCommandName(name: string): void {
  if (name === "" || /[\r\n=]|<</.test(name)) {
    throw new ConfigError(`"${name.replace(/[\r\n]/g, " ")}" cannot be used as a name in a runner file command.`, {
      hint: "Names must be non-empty and may not contain line breaks, `=` or `<<`.",
    });
  }
}
