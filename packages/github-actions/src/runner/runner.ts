/**
 * runner/runner — one step's view of the GitHub Actions runner: inputs, state, log
 * lines, annotations, masks, outputs, environment, the job summary and the step's result,
 * written by runner/toolkit with @actions/core's semantics. On top of them it keeps the
 * guards @actions/core lacks: a name is validated before a file command is written; a
 * missing or unwritable GITHUB_OUTPUT/GITHUB_ENV/GITHUB_STATE is an error, never a
 * fallback of printing the value as a `::set-output` line; a value holding the file command's delimiter is
 * refused without echoing it; untrusted log text is wrapped in stop-commands; typo'd
 * booleans are configuration errors that say what was given.
 */
import * as toolkit from "./toolkit.js";
import { ConfigError, OutputError, type Env } from "@vaultgate/core";
import { EOL } from "node:os";
import { formatCommand, inertLines, type AnnotationProperties, type CommandProperties } from "./commands.js";
import { allOrNothing, assertCommandName, fileCommandPath, type FileCommand } from "./file-commands.js";

/** inputVariable names the variable the runner sets for an input: INPUT_ + the name upper-cased, spaces as _. */
export function inputVariable(name: string): string {
  return `INPUT_${name.replaceAll(" ", "_").toUpperCase()}`;
}

/** Runner speaks the runner's protocol for one step (runner/toolkit writes the commands and records). */
export class Runner {
  /** env is the step's environment (the runner's INPUT_*, STATE_*, GITHUB_* and RUNNER_* variables). */
  readonly env: Env = process.env;
  #exitCode = 0;

  /** exitCode is 1 once the step has failed, else 0. */
  get exitCode(): number {
    return this.#exitCode;
  }

  /** input returns an input's text, trimmed; "" when it is not set. */
  input(name: string): string {
    return toolkit.getInput(name);
  }

  /**
   * booleanInput reads true/false the way YAML 1.2 writes them (true, True, TRUE, …);
   * undefined when empty; anything else is a configuration error, never a guess.
   */
  booleanInput(name: string): boolean | undefined {
    const text = toolkit.getInput(name);
    if (text === "") return undefined;
    try {
      return toolkit.getBooleanInput(name);
    } catch {
      throw new ConfigError(`Input ${name} must be true or false, got "${text}".`);
    }
  }

  /** state returns a value the main step saved with saveState; "" when there is none. */
  state(name: string): string {
    return toolkit.getState(name);
  }

  /**
   * info writes plain log lines. Text the runner could read as a command (a vault's error
   * message, a path) is wrapped in stop-commands, so it is shown and never obeyed.
   */
  info(message: string): void {
    for (const line of inertLines(message)) toolkit.info(line);
  }

  /** debug writes a line shown only when step debug logging is on. */
  debug(message: string): void {
    toolkit.issue("debug", message);
  }

  /** notice writes a notice annotation. */
  notice(message: string, properties: AnnotationProperties = {}): void {
    toolkit.issue("notice", message, annotation(properties));
  }

  /** warning writes a warning annotation. */
  warning(message: string, properties: AnnotationProperties = {}): void {
    toolkit.issue("warning", message, annotation(properties));
  }

  /** error writes an error annotation; it does not fail the step (setFailed does). */
  error(message: string, properties: AnnotationProperties = {}): void {
    toolkit.issue("error", message, annotation(properties));
  }

  /** mask registers one exact string with the runner's log masker. */
  mask(text: string): void {
    if (text !== "") toolkit.issue("add-mask", text);
  }

  /**
   * maskAll registers many strings in one write: the `::add-mask::` lines `mask` would
   * write one by one (one system call each, dozens per secret read), joined.
   */
  maskAll(texts: readonly string[]): void {
    const lines = texts.filter((t) => t !== "").map((t) => `${formatCommand("add-mask", t)}${EOL}`);
    toolkit.queueMasks(lines.join(""));
  }

  /** flushMasks writes the `::add-mask::` lines maskAll queued (they are written before any later line anyway). */
  flushMasks(): void {
    toolkit.flushMasks();
  }

  /** group runs `fn` inside a collapsible group of the log. */
  group<T>(name: string, fn: () => Promise<T>): Promise<T> {
    return toolkit.group(name, fn);
  }

  /** setOutput sets a step output (GITHUB_OUTPUT). */
  setOutput(name: string, value: string): void {
    fileCommand("GITHUB_OUTPUT", name, () => toolkit.appendRecord("OUTPUT", name, value));
  }

  /** exportVariable sets an environment variable for the following steps (GITHUB_ENV). */
  exportVariable(name: string, value: string): void {
    fileCommand("GITHUB_ENV", name, () => {
      toolkit.appendRecord("ENV", name, value);
      process.env[name] = value;
    });
  }

  /** fileCommandPath checks that the runner file `variable` names is there and writable. */
  fileCommandPath(variable: FileCommand): string {
    return fileCommandPath(this.env, variable);
  }

  /**
   * exportAll sets step outputs and environment variables all at once, or none: every name
   * and file is checked first, and a failed append cuts both files back to their old size.
   */
  exportAll(outputs: readonly (readonly [string, string])[], variables: readonly (readonly [string, string])[]): void {
    for (const [name] of [...outputs, ...variables]) assertCommandName(name);
    const paths = [
      ...(outputs.length > 0 ? [this.fileCommandPath("GITHUB_OUTPUT")] : []),
      ...(variables.length > 0 ? [this.fileCommandPath("GITHUB_ENV")] : []),
    ];
    // One append per file: a record per value, each with its own delimiter.
    allOrNothing(paths, () => {
      if (outputs.length > 0) {
        const text = records("GITHUB_OUTPUT", outputs);
        recordOf("GITHUB_OUTPUT", "the outputs", () => toolkit.appendRecords("OUTPUT", text));
      }
      if (variables.length > 0) {
        const text = records("GITHUB_ENV", variables);
        recordOf("GITHUB_ENV", "the variables", () => toolkit.appendRecords("ENV", text));
        for (const [name, value] of variables) process.env[name] = value;
      }
    });
  }

  /** saveState hands a value to this action's post step (GITHUB_STATE → STATE_<name>). */
  saveState(name: string, value: string): void {
    fileCommand("GITHUB_STATE", name, () => toolkit.appendRecord("STATE", name, value));
  }

  /** appendSummary appends Markdown to the job summary (GITHUB_STEP_SUMMARY). */
  appendSummary(markdown: string): Promise<void> {
    try {
      toolkit.appendSummary(markdown.endsWith("\n") ? markdown : `${markdown}\n`);
      return Promise.resolve();
    } catch (error) {
      return Promise.reject(new OutputError(`Cannot append to the job summary: ${firstLine(error)}.`, { cause: error }));
    }
  }

  /** setFailed fails the step (exit code 1), with an error annotation unless told not to. */
  setFailed(message: string, options: { annotation?: boolean; title?: string } = {}): void {
    this.#exitCode = 1;
    process.exitCode = 1;
    if (options.annotation === false) this.info(message);
    else this.error(message, { title: options.title });
  }
}

/**
 * fileCommand checks the name and the command file, then lets runner/toolkit write the
 * record: a `name<<ghadelimiter_<uuid>` record, refusing a delimiter in the name or
 * value; that error is rethrown without the value.
 */
function fileCommand(variable: FileCommand, name: string, write: () => void): void {
  assertCommandName(name);
  fileCommandPath(process.env, variable);
  recordOf(variable, name, write);
}

/** recordOf runs `write` (which renders or appends the record of `name`), rethrowing its error without the value. */
function recordOf<T>(variable: FileCommand, name: string, write: () => T): T {
  try {
    return write();
  } catch (error) {
    // Never echo the value: it is a secret. The toolkit's messages name the delimiter, not the value.
    const delimiter = /delimiter/.test(firstLine(error));
    throw new OutputError(
      delimiter
        ? `The value of ${name} contains the file command's random delimiter; it was not written.`
        : `Cannot append ${name} to ${variable}: ${firstLine(error)}.`,
      delimiter
        ? { hint: "A value that contains the delimiter could inject further variables; this refusal is deliberate." }
        : {},
    );
  }
}

/** records renders the records of one runner file; a value holding its delimiter is refused without echoing it. */
function records(variable: FileCommand, entries: readonly (readonly [string, string])[]): string {
  let text = "";
  for (const [name, value] of entries) text += recordOf(variable, name, () => toolkit.formatRecord(name, value));
  return text;
}

function annotation(properties: AnnotationProperties): CommandProperties {
  const { title, file, line, endLine, col, endColumn } = properties;
  return {
    ...(title ? { title } : {}),
    ...(file ? { file } : {}),
    ...(line !== undefined ? { line } : {}),
    ...(endLine !== undefined ? { endLine } : {}),
    ...(col !== undefined ? { col } : {}),
    ...(endColumn !== undefined ? { endColumn } : {}),
  };
}

function firstLine(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.split("\n")[0] ?? text;
}
