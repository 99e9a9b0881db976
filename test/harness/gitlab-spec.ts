/**
 * gitlab-spec — reads the GitLab components' templates (a `spec:` document, `---`, the
 * jobs) and renders each one's inputs as the Markdown table the README carries between
 * `<!-- inputs:NAME:start -->` and `<!-- inputs:NAME:end -->`, so a test can hold the
 * two in step (and rewrite the README with VAULTGATE_UPDATE_GITLAB_README=1).
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parseAllDocuments } from "yaml";
import { COMPONENT_SOURCE } from "./gitlab-ci-local.js";

/** ComponentInput is one `spec:inputs` entry. */
export interface ComponentInput {
  description?: string;
  default?: string | number | boolean | string[];
  type?: "string" | "number" | "boolean" | "array";
  regex?: string;
  options?: (string | number | boolean)[];
}

/** Component is a parsed template. */
export interface Component {
  name: string;
  file: string;
  text: string;
  inputs: Record<string, ComponentInput>;
  /** The jobs document, inputs not interpolated. */
  jobs: Record<string, Record<string, unknown>>;
}

/** COMPONENT_NAMES are the templates the project publishes. */
export const COMPONENT_NAMES = ["secrets", "check"] as const;

/** readComponent parses templates/<name>.yml. */
export function readComponent(name: string): Component {
  const file = join(COMPONENT_SOURCE, "templates", `${name}.yml`);
  const text = readFileSync(file, "utf8");
  const docs = parseAllDocuments(text);
  if (!Array.isArray(docs) || docs.length !== 2) throw new Error(`${file}: expected a spec document and a jobs document`);
  for (const doc of docs) if (doc.errors.length > 0) throw new Error(`${file}: ${doc.errors[0]!.message}`);
  const spec = docs[0]!.toJS() as { spec?: { inputs?: Record<string, ComponentInput> } };
  return {
    name,
    file,
    text,
    inputs: spec.spec?.inputs ?? {},
    jobs: docs[1]!.toJS() as Record<string, Record<string, unknown>>,
  };
}

const cell = (text: string) => text.replace(/\s+/g, " ").trim().replaceAll("|", "\\|");

/** inputsTable renders a component's inputs as Markdown table rows (header included). */
export function inputsTable(component: Component): string[] {
  const rows = ["| Input | Type | Default | Description |", "| --- | --- | --- | --- |"];
  for (const [name, input] of Object.entries(component.inputs)) {
    const type = input.type ?? "string";
    const fallback =
      input.default === undefined
        ? "**required**"
        : input.default === ""
          ? '`""`'
          : `\`${JSON.stringify(input.default).replace(/^"|"$/g, "")}\``;
    const options = input.options ? ` One of: ${input.options.map((o) => `\`${String(o)}\``).join(", ")}.` : "";
    rows.push(`| \`${name}\` | ${type} | ${fallback} | ${cell(`${input.description ?? ""}${options}`)} |`);
  }
  return rows;
}

/** normalizeTable strips the column padding a formatter adds, cell by cell. */
export function normalizeTable(rows: readonly string[]): string[] {
  return rows
    .map((row) => row.trim())
    .filter((row) => row.startsWith("|"))
    .map((row) =>
      row
        .slice(1, -1)
        .split(/(?<!\\)\|/)
        .map((c) => (/^\s*:?-+:?\s*$/.test(c) ? "---" : c.trim()))
        .join("|"),
    );
}

/** readmeSection returns the lines between a component's markers, and where they are. */
export function readmeSection(readme: string, name: string): { lines: string[]; start: number; end: number } {
  const start = readme.indexOf(`<!-- inputs:${name}:start -->`);
  const end = readme.indexOf(`<!-- inputs:${name}:end -->`);
  if (start < 0 || end < start) throw new Error(`README.md has no <!-- inputs:${name}:start/end --> markers`);
  const from = readme.indexOf("\n", start) + 1;
  return { lines: readme.slice(from, end).split("\n"), start: from, end };
}
