/**
 * report/github — the gate's result where release managers and reviewers look on
 * GitHub, through @actions/github: a completed check run "vaultgate check" on the commit
 * (the report table, one annotation per failing or warning check) and, on pull_request
 * events with `comment: true`, one pull-request comment that later runs update in place
 * (found by a hidden marker), never a second one. Loaded with a lazy import(), so it is
 * a separate chunk of the action's dist and a gate that reports nowhere else never loads
 * Octokit. A missing permission is a notice that says how to grant it; no failure here
 * ever changes the gate's own result.
 */
import { context, getOctokit } from "@actions/github";
import { toMarkdown, type CheckReport, type CheckResult } from "@vaultgate/core";
import { locateSource, type SourceFile } from "./locate.js";

/** CHECK_RUN_NAME is the check run's name on the commit. */
export const CHECK_RUN_NAME = "vaultgate check";

/** COMMENT_MARKER identifies vaultgate's pull-request comment; re-runs find and update it. */
export const COMMENT_MARKER = "<!-- vaultgate-check-report -->";

/** GitHubReportOptions: the token, what to publish, and where the secrets were written. */
export interface GitHubReportOptions {
  token: string;
  checkRun: boolean;
  comment: boolean;
  /** The manifest or workflow file the secrets came from, for the annotations. */
  source: SourceFile | undefined;
  /** The job's deployment environment, named in the comment and the check run's title. */
  environment: string | undefined;
  notice(message: string, title: string): void;
  warning(message: string, title: string): void;
}

/** GitHubReportResult: what was published (ids, or why not). */
export interface GitHubReportResult {
  checkRunId?: number;
  commentId?: number;
  skipped: string[];
}

type Octokit = ReturnType<typeof getOctokit>;
type Annotation = {
  path: string;
  start_line: number;
  end_line: number;
  annotation_level: "failure" | "warning" | "notice";
  message: string;
  title: string;
};

/** publishToGitHub publishes the report as a check run and, on pull requests, a comment. */
export async function publishToGitHub(report: CheckReport, options: GitHubReportOptions): Promise<GitHubReportResult> {
  const result: GitHubReportResult = { skipped: [] };
  const octokit = getOctokit(options.token);
  const { owner, repo } = context.repo;
  if (options.checkRun) {
    try {
      result.checkRunId = await createCheckRun(octokit, owner, repo, report, options);
    } catch (thrown) {
      result.skipped.push("check-run");
      explain(thrown, options, "check run", "checks: write");
    }
  }
  const pr = pullRequestNumber();
  if (options.comment && pr !== undefined) {
    try {
      result.commentId = await upsertComment(octokit, owner, repo, pr, report, options);
    } catch (thrown) {
      result.skipped.push("comment");
      explain(thrown, options, "pull-request comment", "pull-requests: write");
    }
  } else if (options.comment) {
    result.skipped.push("comment");
  }
  return result;
}

async function createCheckRun(
  octokit: Octokit,
  owner: string,
  repo: string,
  report: CheckReport,
  options: GitHubReportOptions,
): Promise<number> {
  const annotations = report.checks.filter((c) => c.status === "fail" || c.status === "warn").map((c) => annotate(c, options));
  const output = {
    title: verdictTitle(report, options.environment),
    summary: truncate(toMarkdown(report), 65_000),
  };
  // The API takes at most 50 annotations a request: the first batch creates the run, the rest are appended.
  const created = await octokit.rest.checks.create({
    owner,
    repo,
    name: CHECK_RUN_NAME,
    head_sha: headSha(),
    status: "completed",
    conclusion: report.ok ? "success" : "failure",
    completed_at: new Date().toISOString(),
    output: { ...output, annotations: annotations.slice(0, 50) },
  });
  for (let i = 50; i < annotations.length; i += 50) {
    await octokit.rest.checks.update({
      owner,
      repo,
      check_run_id: created.data.id,
      output: { ...output, annotations: annotations.slice(i, i + 50) },
    });
  }
  return created.data.id;
}

async function upsertComment(
  octokit: Octokit,
  owner: string,
  repo: string,
  issue: number,
  report: CheckReport,
  options: GitHubReportOptions,
): Promise<number> {
  const body = commentBody(report, options.environment);
  const comments = await octokit.paginate(octokit.rest.issues.listComments, { owner, repo, issue_number: issue, per_page: 100 });
  const mine = comments.find((c) => c.body?.includes(COMMENT_MARKER));
  if (mine) {
    await octokit.rest.issues.updateComment({ owner, repo, comment_id: mine.id, body });
    return mine.id;
  }
  const created = await octokit.rest.issues.createComment({ owner, repo, issue_number: issue, body });
  return created.data.id;
}

/** commentBody is the pull-request comment: the hidden marker, then the report. */
export function commentBody(report: CheckReport, environment: string | undefined): string {
  const where = environment ? `Deploy to environment \`${environment}\`.\n\n` : "";
  const run = process.env.GITHUB_RUN_ID ? `\n_Run ${process.env.GITHUB_RUN_ID}, ${report.startedAt}._\n` : "";
  return `${COMMENT_MARKER}\n${where}${toMarkdown(report)}${run}`;
}

/** verdictTitle is the check run's one-line title. */
export function verdictTitle(report: CheckReport, environment: string | undefined): string {
  const verdict = report.ok ? "passed" : `failed: ${report.summary.fail} check(s)`;
  return `vaultgate check ${verdict}${environment ? ` for ${environment}` : ""}`;
}

function annotate(check: CheckResult, options: GitHubReportOptions): Annotation {
  const path = typeof check.details.path === "string" ? check.details.path : undefined;
  const at = locateSource(options.source, path);
  return {
    path: at.path,
    start_line: at.line,
    end_line: at.line,
    annotation_level: check.status === "fail" ? (check.required ? "failure" : "warning") : "warning",
    message: check.reason,
    title: `vaultgate check: ${check.title}`,
  };
}

function headSha(): string {
  const pr = context.payload.pull_request as { head?: { sha?: string } } | undefined;
  return pr?.head?.sha ?? context.sha;
}

function pullRequestNumber(): number | undefined {
  if (context.eventName !== "pull_request" && context.eventName !== "pull_request_target") return undefined;
  const number = context.payload.pull_request?.number;
  return typeof number === "number" ? number : undefined;
}

function explain(thrown: unknown, options: GitHubReportOptions, what: string, permission: string): void {
  const status = (thrown as { status?: unknown }).status;
  if (status === 403 || status === 404) {
    options.notice(
      `vaultgate could not publish the ${what} (HTTP ${status}): the job's token lacks permission. Add \`permissions: ${permission}\` to the job to publish it; the gate's result above stands.`,
      `vaultgate check: no ${what}`,
    );
    return;
  }
  const message = thrown instanceof Error ? thrown.message.split("\n")[0] : String(thrown);
  options.warning(
    `vaultgate could not publish the ${what}: ${message}. The gate's result above stands.`,
    `vaultgate check: no ${what}`,
  );
}

function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 40)}\n\n_(truncated; see the job summary)_\n`;
}
