/**
 * runner/toolkit — the few runner calls the actions make, written here with the
 * semantics of @actions/core 3.0.1, which the actions used before: loading that package
 * evaluates its HTTP client (undici) and @actions/exec, about 50 ms of every step's start
 * for an ID-token call vaultgate makes itself (docs/decisions.md has the measurement).
 * Inputs and state are read from INPUT_* / STATE_* (trimmed), workflow commands are
 * `::name props::message` lines on stdout (runner/commands escapes them), and outputs,
 * environment and state are `name<<ghadelimiter_<uuid>` records appended to the runner's
 * files, refusing a name or value that contains the delimiter. `::add-mask::` lines may
 * be queued and written together, always before the next line or record.
 */
import { randomUUID } from "node:crypto";
import { accessSync, appendFileSync, constants } from "node:fs";
import { EOL } from "node:os";
import { formatCommand, type CommandProperties } from "./commands.js";

/** getInput returns an input's text, trimmed; "" when it is not set. */
export function getInput(name: string): string {
  return (process.env[`INPUT_${name.replaceAll(" ", "_").toUpperCase()}`] ?? "").trim();
}

/** getBooleanInput reads the YAML 1.2 core schema's booleans; anything else is a TypeError. */
export function getBooleanInput(name: string): boolean {
  const text = getInput(name);
  if (["true", "True", "TRUE"].includes(text)) return true;
  if (["false", "False", "FALSE"].includes(text)) return false;
  throw new TypeError(`Input does not meet YAML 1.2 "Core Schema" specification: ${name}`);
}

/** getState returns a value the main step saved; "" when there is none. */
export function getState(name: string): string {
  return process.env[`STATE_${name}`] ?? "";
}

// `::add-mask::` lines not yet written: registering a secret's forms as it arrives costs one
// write per read otherwise. They are written before any other line or record, and at the
// end of the current turn of the event loop at the latest.
let pendingMasks = "";

/**
 * queueMasks adds `::add-mask::` lines (each ending in EOL) to be written before anything
 * else this step writes, and at the latest once the current event-loop turn ends.
 */
export function queueMasks(lines: string): void {
  if (lines === "") return;
  if (pendingMasks === "") {
    setImmediate(flushMasks);
    process.once("exit", flushMasks);
  }
  pendingMasks += lines;
}

/** flushMasks writes the queued `::add-mask::` lines now. */
export function flushMasks(): void {
  if (pendingMasks === "") return;
  const lines = pendingMasks;
  pendingMasks = "";
  process.removeListener("exit", flushMasks);
  process.stdout.write(lines);
}

/** issue writes one workflow command. */
export function issue(name: string, message: string, properties: CommandProperties = {}): void {
  flushMasks();
  process.stdout.write(`${formatCommand(name, message, properties)}${EOL}`);
}

/** info writes one plain log line. */
export function info(message: string): void {
  flushMasks();
  process.stdout.write(`${message}${EOL}`);
}

/** group runs `fn` inside a collapsible log group. */
export async function group<T>(name: string, fn: () => Promise<T>): Promise<T> {
  issue("group", name);
  try {
    return await fn();
  } finally {
    issue("endgroup", "");
  }
}

/** FileCommandName names a runner file command (GITHUB_<name>). */
export type FileCommandName = "OUTPUT" | "ENV" | "STATE";

/**
 * appendRecord appends `name<<DELIMITER\nvalue\nDELIMITER` to GITHUB_<command>, with a
 * fresh random delimiter; a name or value that contains it is refused (it would let the
 * value end the record and start another).
 */
export function appendRecord(command: FileCommandName, name: string, value: string): void {
  appendRecords(command, formatRecord(name, value));
}

/** formatRecord renders one `name<<DELIMITER` record with a fresh delimiter, refusing one found in the name or value. */
export function formatRecord(name: string, value: string): string {
  const delimiter = `ghadelimiter_${randomUUID()}`;
  if (name.includes(delimiter)) throw new Error(`Unexpected input: name should not contain the delimiter "${delimiter}"`);
  if (value.includes(delimiter)) throw new Error(`Unexpected input: value should not contain the delimiter "${delimiter}"`);
  return `${name}<<${delimiter}${EOL}${value}${EOL}${delimiter}${EOL}`;
}

/** appendRecords appends rendered records to GITHUB_<command> in one write, after any queued masks. */
export function appendRecords(command: FileCommandName, records: string): void {
  const path = process.env[`GITHUB_${command}`];
  if (!path) throw new Error(`Unable to find environment variable for file command ${command}`);
  flushMasks();
  appendFileSync(path, records, { encoding: "utf8" });
}

/** appendSummary appends Markdown to GITHUB_STEP_SUMMARY, which must exist and be writable. */
export function appendSummary(markdown: string): void {
  const path = process.env.GITHUB_STEP_SUMMARY;
  if (!path) {
    throw new Error(
      "Unable to find environment variable for $GITHUB_STEP_SUMMARY. Check if your runtime environment supports job summaries.",
    );
  }
  try {
    accessSync(path, constants.R_OK | constants.W_OK);
  } catch {
    throw new Error(`Unable to access summary file: '${path}'. Check if the file has correct read/write permissions.`);
  }
  flushMasks();
  appendFileSync(path, markdown, { encoding: "utf8" });
}
