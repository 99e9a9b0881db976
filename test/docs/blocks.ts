/**
 * blocks — reads the fenced code blocks of a Markdown document and the doc-test marking
 * in front of each (docs/contributing.md, "Code blocks in the docs are tests"): which
 * blocks are illustrative, which are written to a file, and which are run by what.
 */
import { readdirSync, existsSync } from "node:fs";
import { join, relative } from "node:path";

/** Languages whose blocks must carry a marking; "" is a fence with no info string. */
export const MARKED_LANGUAGES = new Set(["sh", "bash", "shell", "console", "yaml", "yml", "groovy", ""]);

/** Runners a `run` marking may name. */
export const RUNNERS = ["shell", "file", "actionlint", "act", "gitlab-ci-local", "jenkins", "covered-by"] as const;
export type Runner = (typeof RUNNERS)[number];

/** Marking is what the comment before a block says about it. */
export type Marking =
  | { kind: "illustrative"; reason: string }
  | { kind: "run"; runner: Runner; options: Map<string, string[]>; flags: Set<string> }
  | { kind: "none" }
  | { kind: "invalid"; problem: string };

/** DocBlock is one fenced block of a document. */
export interface DocBlock {
  doc: string;
  /** line is the 1-based line of the opening fence. */
  line: number;
  lang: string;
  text: string;
  marking: Marking;
}

const MARK = /^<!--\s*doc-test:\s*(.*?)\s*-->$/;
const FENCE = /^(\s*)(`{3,}|~{3,})\s*([^\s`]*)?.*$/;

/** parseBlocks returns every fenced block of `markdown` (indentation of list items removed). */
export function parseBlocks(doc: string, markdown: string): DocBlock[] {
  const lines = markdown.split("\n");
  const blocks: DocBlock[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = FENCE.exec(lines[i]!);
    if (!open) continue;
    const [, indent = "", fence = "```", lang = ""] = open;
    const body: string[] = [];
    let j = i + 1;
    for (; j < lines.length; j++) {
      const line = lines[j]!;
      if (line.trim().startsWith(fence) && line.trim().replace(/[`~]/g, "") === "") break;
      body.push(line.startsWith(indent) ? line.slice(indent.length) : line.trimStart());
    }
    blocks.push({ doc, line: i + 1, lang: lang.toLowerCase(), text: body.join("\n") + "\n", marking: markingBefore(lines, i) });
    i = j;
  }
  return blocks;
}

/** markingBefore finds the doc-test comment among the HTML comments (and blank lines) directly above line `at`. */
function markingBefore(lines: string[], at: number): Marking {
  for (let k = at - 1; k >= 0; k--) {
    const line = lines[k]!.trim();
    if (line === "") continue; // prettier puts a blank line after an HTML comment
    if (!line.startsWith("<!--")) break;
    const m = MARK.exec(line);
    if (m) return parseMarking(m[1]!);
  }
  return { kind: "none" };
}

/** parseMarking reads `illustrative — reason` or `run RUNNER key=value key="a b" flag`. */
export function parseMarking(text: string): Marking {
  if (text.startsWith("illustrative")) {
    const reason = text
      .slice("illustrative".length)
      .replace(/^\s*[—:-]\s*/, "")
      .trim();
    return reason ? { kind: "illustrative", reason } : { kind: "invalid", problem: "illustrative needs a reason" };
  }
  if (!text.startsWith("run "))
    return { kind: "invalid", problem: `expected "illustrative — reason" or "run RUNNER …", got "${text}"` };
  const words = [...text.slice(4).matchAll(/([\w-]+)(?:=("([^"]*)"|\S+))?/g)];
  const first = words.shift();
  const runner = first?.[1] ?? "";
  const options = new Map<string, string[]>();
  const flags = new Set<string>();
  if (first?.[2] !== undefined) {
    // `run covered-by=FILE` names the runner and its one option at once.
    options.set(runner, [first[3] ?? first[2]]);
  }
  if (!(RUNNERS as readonly string[]).includes(runner)) return { kind: "invalid", problem: `unknown runner "${runner}"` };
  for (const w of words) {
    const key = w[1]!;
    if (w[2] === undefined) flags.add(key);
    else options.set(key, [...(options.get(key) ?? []), w[3] ?? w[2]]);
  }
  return { kind: "run", runner: runner as Runner, options, flags };
}

/** needsMarking says whether a block of this language must be marked. */
export function needsMarking(block: DocBlock): boolean {
  return MARKED_LANGUAGES.has(block.lang);
}

/** documentedFiles lists the documents the convention covers, relative to `root`. */
export function documentedFiles(root: string): string[] {
  const files = ["README.md"];
  for (const name of readdirSync(join(root, "docs")).sort()) if (name.endsWith(".md")) files.push(`docs/${name}`);
  for (const name of readdirSync(join(root, "actions")).sort()) {
    const readme = join(root, "actions", name, "README.md");
    if (existsSync(readme)) files.push(relative(root, readme));
  }
  return files;
}

/** option returns the first value of a run marking's option. */
export function option(marking: Marking, key: string): string | undefined {
  return marking.kind === "run" ? marking.options.get(key)?.[0] : undefined;
}
