/**
 * runner/file-commands — the runner's file commands: GITHUB_OUTPUT, GITHUB_ENV and
 * GITHUB_STATE are files the step appends `name<<DELIMITER`, the value, and
 * `DELIMITER` lines to; the runner reads them after the step. Every value gets its own
 * random delimiter, and a name or value that contains it is refused (it would let the
 * value end early and smuggle in further variables). GITHUB_STEP_SUMMARY is Markdown
 * appended as it is.
 */
import { randomBytes } from "node:crypto";
import { appendFileSync } from "node:fs";
import { EOL } from "node:os";
import { ConfigError, OutputError } from "@vaultgate/core";

/** FileCommand names the environment variables that hold the runner's command files. */
export type FileCommand = "GITHUB_OUTPUT" | "GITHUB_ENV" | "GITHUB_STATE" | "GITHUB_STEP_SUMMARY";

/** newDelimiter returns a fresh heredoc delimiter: 128 random bits, never seen in a value by chance. */
export function newDelimiter(): string {
  return `vaultgate_${randomBytes(16).toString("hex")}`;
}

/**
 * keyValueMessage renders one `name<<DELIMITER` record. The name may not contain a line
 * break, `=` or `<<` (the runner would read the line as `name=value` or split it
 * elsewhere), and neither name nor value may contain the delimiter.
 */
export function keyValueMessage(name: string, value: string, delimiter: string = newDelimiter()): string {
  if (name === "" || /[\r\n=]|<</.test(name)) {
    throw new ConfigError(`"${name.replace(/[\r\n]/g, " ")}" cannot be used as a name in a runner file command.`, {
      hint: "Names must be non-empty and may not contain line breaks, `=` or `<<`.",
    });
  }
  if (name.includes(delimiter) || value.includes(delimiter)) {
    // Never echo the value: it is a secret.
    throw new OutputError(`The value of ${name} contains the file command's random delimiter; it was not written.`, {
      hint: "A value that contains the delimiter could inject further variables; this refusal is deliberate.",
    });
  }
  return `${name}<<${delimiter}${EOL}${value}${EOL}${delimiter}${EOL}`;
}

/** appendFileCommand appends `text` to the file named by `variable` in `env`. */
export function appendFileCommand(env: Readonly<Record<string, string | undefined>>, variable: FileCommand, text: string): void {
  const path = env[variable];
  if (!path) {
    throw new OutputError(`${variable} is not set: this step is not running on a GitHub Actions runner.`, {
      hint: "Run the action with `uses:` in a workflow (runner 2.297 or later provides the file commands).",
    });
  }
  try {
    appendFileSync(path, text, { encoding: "utf8" });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? String(error);
    throw new OutputError(`Cannot append to ${variable} (${path}): ${code}.`, { cause: error });
  }
}
