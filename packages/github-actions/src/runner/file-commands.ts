/**
 * runner/file-commands — the names the runner's file commands may carry. GITHUB_OUTPUT,
 * GITHUB_ENV and GITHUB_STATE are files a step appends `name<<DELIMITER` records to
 * (runner/toolkit writes them, with a fresh random delimiter per value, refusing a value
 * that contains it); the runner reads them after the step. A name with a line break,
 * `=` or `<<` would let the runner split the record elsewhere, so it is refused first.
 * A file is checked to be there and writable before login, and a batch of records is
 * written all or nothing.
 */
import { accessSync, constants, statSync, truncateSync } from "node:fs";
import { ConfigError, OutputError } from "@vaultgate/core";

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

/** fileCommandPath returns the file `variable` names in `env`, checked to be there and writable. */
export function fileCommandPath(env: Readonly<Record<string, string | undefined>>, variable: FileCommand): string {
  const path = env[variable];
  if (!path) {
    throw new OutputError(`${variable} is not set: this step is not running on a GitHub Actions runner.`, {
      hint: "Run the action with `uses:` in a workflow (runner 2.297 or later provides the file commands).",
    });
  }
  try {
    accessSync(path, constants.W_OK);
    // The runner makes a regular file per step; anything else (a named pipe) could hold the step forever.
    if (!statSync(path).isFile()) throw Object.assign(new Error("not a regular file"), { code: "not a regular file" });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? String(error);
    throw new OutputError(`Cannot append to ${variable} (${path}): ${code}.`, {
      hint: "The runner creates this file for each step; run the action with `uses:` on a GitHub Actions runner.",
      cause: error,
    });
  }
  return path;
}

/**
 * allOrNothing runs `write`, which appends to the runner files at `paths`; when it throws,
 * each file is cut back to the size it had before, so a failure leaves no record behind.
 */
export function allOrNothing(paths: readonly string[], write: () => void): void {
  const sizes = paths.map((path) => ({ path, size: statSync(path).size }));
  try {
    write();
  } catch (error) {
    for (const { path, size } of sizes) {
      try {
        truncateSync(path, size);
      } catch {
        // A file that cannot be cut back is beyond repair here; the step fails anyway.
      }
    }
    throw error;
  }
}
