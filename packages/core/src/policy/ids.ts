/**
 * policy/ids — looks up the immutable numeric ids a role should be bound to: GitHub's
 * repository and owner ids (@octokit/rest, GET /repos/{owner}/{repo}) and GitLab's
 * project and namespace ids (@gitbeaker/rest, GET /projects/:id). Both clients are
 * loaded only when a lookup runs.
 */
import { ConfigError } from "../errors.js";

/** LookupOptions: the API token and base URL (GitHub Enterprise, self-managed GitLab). */
export interface LookupOptions {
  token: string;
  baseUrl: string;
  userAgent: string;
}

/** lookupGitHubIds returns repository_id and repository_owner_id of owner/repo. */
export async function lookupGitHubIds(
  repository: string,
  options: LookupOptions,
): Promise<{ repositoryId: string; ownerId: string }> {
  const [owner = "", repo = ""] = repository.split("/");
  const { Octokit } = await import("@octokit/rest");
  const octokit = new Octokit({
    auth: options.token,
    baseUrl: options.baseUrl.replace(/\/+$/, ""),
    userAgent: options.userAgent,
  });
  try {
    const { data } = await octokit.rest.repos.get({ owner, repo });
    return { repositoryId: String(data.id), ownerId: String(data.owner.id) };
  } catch (error) {
    throw lookupError("GitHub", repository, statusOf(error), error, "GITHUB_TOKEN", "--repository-id and --owner-id");
  }
}

/** lookupGitLabIds returns project_id and namespace_id of group/project. */
export async function lookupGitLabIds(
  project: string,
  options: LookupOptions,
): Promise<{ projectId: string; namespaceId: string }> {
  const { Gitlab } = await import("@gitbeaker/rest");
  const api = new Gitlab({ host: options.baseUrl.replace(/\/+$/, ""), token: options.token });
  try {
    const data = (await api.Projects.show(project)) as unknown as { id: number; namespace: { id: number } };
    return { projectId: String(data.id), namespaceId: String(data.namespace.id) };
  } catch (error) {
    throw lookupError("GitLab", project, statusOf(error), error, "GITLAB_TOKEN", "--project-id and --namespace-id");
  }
}

function statusOf(error: unknown): number | undefined {
  const e = error as { status?: unknown; cause?: { response?: { status?: unknown } } } | undefined;
  if (typeof e?.status === "number") return e.status;
  const nested = e?.cause?.response?.status;
  return typeof nested === "number" ? nested : undefined;
}

function lookupError(api: string, name: string, status: number | undefined, cause: unknown, variable: string, flags: string) {
  const what =
    status === 404
      ? "was not found, or the token cannot see it"
      : status === 401 || status === 403
        ? `was refused (HTTP ${status})`
        : `failed${status ? ` (HTTP ${status})` : `: ${cause instanceof Error ? cause.message : String(cause)}`}`;
  return new ConfigError(`Looking up ${name} on the ${api} API ${what}.`, {
    hint: `Check the name and ${variable}, or pass ${flags} yourself.`,
    cause,
  });
}
