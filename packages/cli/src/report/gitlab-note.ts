/**
 * report/gitlab-note — the gate's result where GitLab reviewers look: one merge-request
 * note with the Markdown report, posted through @gitbeaker/rest and updated in place by
 * later runs (found by a hidden marker), never a second one. It needs a merge-request
 * pipeline (CI_MERGE_REQUEST_IID) and VAULTGATE_GITLAB_TOKEN, a project access token
 * with `api` scope; without either it is skipped with a notice. Loaded lazily, and no
 * failure here changes the gate's exit code.
 */
import { MergeRequestNotes } from "@gitbeaker/rest";
import { toMarkdown, type CheckReport, type Env } from "@vaultgate/core";

/** NOTE_MARKER identifies vaultgate's note; re-runs find and update it. */
export const NOTE_MARKER = "<!-- vaultgate-check-report -->";

/** NoteOutcome says what happened to the note, in one line for the job log. */
export type NoteOutcome = { status: "created" | "updated"; noteId: number; line: string } | { status: "skipped"; line: string };

/** publishGitLabNote posts or updates the merge request's vaultgate note. */
export async function publishGitLabNote(report: CheckReport, env: Env): Promise<NoteOutcome> {
  const iid = Number(env.CI_MERGE_REQUEST_IID ?? "");
  const project = env.CI_MERGE_REQUEST_PROJECT_ID ?? env.CI_PROJECT_ID;
  if (!Number.isInteger(iid) || iid <= 0 || !project)
    return { status: "skipped", line: "Notice: not a merge-request pipeline (no CI_MERGE_REQUEST_IID): no merge-request note." };
  const token = env.VAULTGATE_GITLAB_TOKEN ?? "";
  if (token === "")
    return {
      status: "skipped",
      line: "Notice: VAULTGATE_GITLAB_TOKEN is not set: no merge-request note. Set it to a project access token with the api scope (a masked CI/CD variable).",
    };
  const host = serverUrl(env);
  if (!host) return { status: "skipped", line: "Notice: CI_API_V4_URL / CI_SERVER_URL are not set: no merge-request note." };
  const notes = new MergeRequestNotes({ host, token });
  const body = noteBody(report, env);
  try {
    const existing = await notes.all(project, iid, { perPage: 100 });
    const mine = existing.find((n) => typeof n.body === "string" && n.body.includes(NOTE_MARKER));
    if (mine) {
      await notes.edit(project, iid, mine.id, { body });
      return { status: "updated", noteId: mine.id, line: `vaultgate: merge-request note updated (!${iid}, note ${mine.id}).` };
    }
    const created = await notes.create(project, iid, body);
    return { status: "created", noteId: created.id, line: `vaultgate: merge-request note posted (!${iid}, note ${created.id}).` };
  } catch (thrown) {
    const status = (thrown as { cause?: { response?: { status?: number } } }).cause?.response?.status;
    const why =
      status === 401 || status === 403
        ? `HTTP ${status}: VAULTGATE_GITLAB_TOKEN needs the api scope and at least the Reporter role on the project`
        : thrown instanceof Error
          ? (thrown.message.split("\n")[0] ?? "request failed")
          : "request failed";
    return { status: "skipped", line: `Warning: could not post the merge-request note (${why}). The gate's result stands.` };
  }
}

/** noteBody is the note: the hidden marker, the report, and the pipeline it came from. */
export function noteBody(report: CheckReport, env: Env): string {
  const environment = env.CI_ENVIRONMENT_NAME || undefined;
  const pipeline = env.CI_PIPELINE_URL ? `\n_Pipeline ${env.CI_PIPELINE_URL}, ${report.startedAt}._\n` : "";
  return `${NOTE_MARKER}\n${toMarkdown(report, { environment })}${pipeline}`;
}

function serverUrl(env: Env): string | undefined {
  const api = env.CI_API_V4_URL?.replace(/\/+$/, "");
  if (api?.endsWith("/api/v4")) return api.slice(0, -"/api/v4".length);
  return env.CI_SERVER_URL?.replace(/\/+$/, "") || undefined;
}
