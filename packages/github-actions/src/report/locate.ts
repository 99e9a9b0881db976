/**
 * report/locate — where a secret was written, for an annotation: the manifest file when
 * the gate read one, else the workflow file that runs the job (from GITHUB_WORKFLOW_REF),
 * and the first line of it that names the secret's path. Line 1 when the file is not in
 * the workspace or does not name the path (an annotation needs a line).
 */
import { readFileSync } from "node:fs";
import { isAbsolute, join, relative } from "node:path";
import type { Env } from "@vaultgate/core";

/** SourceFile is a repository-relative path and, when readable, its text. */
export interface SourceFile {
  path: string;
  text: string | undefined;
}

/** sourceFile finds the file the secrets came from: `manifest` (as given) or the running workflow. */
export function sourceFile(env: Env, manifest: string | undefined): SourceFile | undefined {
  const workspace = env.GITHUB_WORKSPACE ?? process.cwd();
  let path: string | undefined;
  if (manifest) path = isAbsolute(manifest) ? relative(workspace, manifest) : manifest;
  else path = workflowPath(env.GITHUB_WORKFLOW_REF);
  if (!path || path.startsWith("..")) return undefined;
  let text: string | undefined;
  try {
    text = readFileSync(join(workspace, path), "utf8");
  } catch {
    text = undefined;
  }
  return { path, text };
}

/** workflowPath takes `owner/repo/.github/workflows/deploy.yml@refs/heads/main` to `.github/workflows/deploy.yml`. */
export function workflowPath(ref: string | undefined): string | undefined {
  const m = /^[^/]+\/[^/]+\/(.+?)@/.exec(ref ?? "");
  return m?.[1];
}

/** locateSource gives the annotation's file and line for a secret `path`. */
export function locateSource(source: SourceFile | undefined, path: string | undefined): { path: string; line: number } {
  if (!source) return { path: ".github", line: 1 };
  const lines = source.text?.split(/\r?\n/) ?? [];
  const index = path ? lines.findIndex((l) => l.includes(path)) : -1;
  return { path: source.path, line: index >= 0 ? index + 1 : 1 };
}
