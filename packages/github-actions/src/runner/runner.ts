/**
 * runner/runner — one step's view of the GitHub Actions runner: its inputs (INPUT_*),
 * its state from the main step (STATE_*), the workflow commands it reads from stdout,
 * and the file commands it reads after the step. Written for vaultgate instead of
 * using @actions/core: measured with `ncc build -m`, @actions/core 3.0.1 alone bundles
 * to 490,503 bytes (1.10.1: 471,786), over the 400 KB budget of a whole action's
 * dist/index.js, because its HTTP client pulls in undici; the protocol below is small.
 */
import { EOL } from "node:os";
import { ConfigError, type Env } from "@vaultgate/core";
import { escapeData, formatCommand, inertLines, type AnnotationProperties } from "./commands.js";
import { appendFileCommand, keyValueMessage, type FileCommand } from "./file-commands.js";

/** RunnerIO is what a Runner reads and writes: the environment and stdout. */
export interface RunnerIO {
  env: Env;
  /** write receives whole lines (with their line break). */
  write(text: string): void;
}

/** processIO is the IO of the running process. */
export function processIO(): RunnerIO {
  return { env: process.env, write: (text) => void process.stdout.write(text) };
}

/** inputVariable names the variable the runner sets for an input: INPUT_ + the name upper-cased, spaces as _. */
export function inputVariable(name: string): string {
  return `INPUT_${name.replaceAll(" ", "_").toUpperCase()}`;
}

/** Runner speaks the runner's protocol for one step. */
export class Runner {
  readonly env: Env;
  readonly #io: RunnerIO;
  #exitCode = 0;

  constructor(io: RunnerIO) {
    this.env = io.env;
    this.#io = io;
  }

  /** exitCode is 1 once the step has failed, else 0. */
  get exitCode(): number {
    return this.#exitCode;
  }

  /** input returns an input's text, trimmed; "" when it is not set. */
  input(name: string): string {
    return this.env[inputVariable(name)]?.trim() ?? "";
  }

  /**
   * booleanInput reads true/false the way YAML 1.2 writes them (true, True, TRUE, …);
   * undefined when empty; anything else is a configuration error, never a guess.
   */
  booleanInput(name: string): boolean | undefined {
    const text = this.input(name);
    if (text === "") return undefined;
    if (["true", "True", "TRUE"].includes(text)) return true;
    if (["false", "False", "FALSE"].includes(text)) return false;
    throw new ConfigError(`Input ${name} must be true or false, got "${text}".`);
  }

  /** state returns a value the main step saved with saveState; "" when there is none. */
  state(name: string): string {
    return this.env[`STATE_${name}`] ?? "";
  }

  /**
   * info writes plain log lines. Text the runner could read as a command (a vault's error
   * message, a path) is wrapped in stop-commands, so it is shown and never obeyed.
   */
  info(message: string): void {
    for (const line of inertLines(message)) this.#line(line);
  }

  /** debug writes a line shown only when step debug logging is on. */
  debug(message: string): void {
    this.#line(formatCommand("debug", message));
  }

  /** notice writes a notice annotation. */
  notice(message: string, properties: AnnotationProperties = {}): void {
    this.#line(formatCommand("notice", message, { ...properties }));
  }

  /** warning writes a warning annotation. */
  warning(message: string, properties: AnnotationProperties = {}): void {
    this.#line(formatCommand("warning", message, { ...properties }));
  }

  /** error writes an error annotation; it does not fail the step (setFailed does). */
  error(message: string, properties: AnnotationProperties = {}): void {
    this.#line(formatCommand("error", message, { ...properties }));
  }

  /** mask registers one exact string with the runner's log masker. */
  mask(text: string): void {
    if (text !== "") this.#line(`::add-mask::${escapeData(text)}`);
  }

  /** setOutput sets a step output (GITHUB_OUTPUT). */
  setOutput(name: string, value: string): void {
    this.#fileCommand("GITHUB_OUTPUT", keyValueMessage(name, value));
  }

  /** exportVariable sets an environment variable for the following steps (GITHUB_ENV). */
  exportVariable(name: string, value: string): void {
    this.#fileCommand("GITHUB_ENV", keyValueMessage(name, value));
  }

  /** saveState hands a value to this action's post step (GITHUB_STATE → STATE_<name>). */
  saveState(name: string, value: string): void {
    this.#fileCommand("GITHUB_STATE", keyValueMessage(name, value));
  }

  /** appendSummary appends Markdown to the job summary (GITHUB_STEP_SUMMARY). */
  appendSummary(markdown: string): void {
    this.#fileCommand("GITHUB_STEP_SUMMARY", markdown.endsWith("\n") ? markdown : `${markdown}${EOL}`);
  }

  /** setFailed fails the step (exit code 1), with an error annotation unless told not to. */
  setFailed(message: string, options: { annotation?: boolean; title?: string } = {}): void {
    this.#exitCode = 1;
    if (options.annotation === false) this.info(message);
    else this.error(message, { title: options.title });
  }

  #fileCommand(variable: FileCommand, text: string): void {
    appendFileCommand(this.env, variable, text);
  }

  #line(text: string): void {
    this.#io.write(`${text}${EOL}`);
  }
}
