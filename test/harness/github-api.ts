/**
 * github-api — a loopback stand-in for the parts of the GitHub REST API the check action
 * calls (the real API cannot be reached from the tests): check runs (create, update) and
 * issue comments (list with Link pagination, create, update), answering the documented
 * request and response shapes. It checks the Authorization header, can deny a
 * permission with the 403 GitHub gives an under-permitted GITHUB_TOKEN, and records
 * every request so tests can assert what was sent (and that no token is in a body).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/** RecordedRequest is one request the stand-in received. */
export interface RecordedRequest {
  method: string;
  path: string;
  authorization: string;
  body: string;
}

/** StoredComment is an issue comment as the stand-in keeps it. */
export interface StoredComment {
  id: number;
  issue: number;
  body: string;
}

/** GitHubApiOptions: the token it accepts and the permissions it denies. */
export interface GitHubApiOptions {
  token: string;
  deny?: ("checks" | "comments")[];
  /** Comments already on each issue (e.g. other users' comments), to exercise pagination. */
  comments?: StoredComment[];
}

/** GitHubApi is a running stand-in. */
export interface GitHubApi {
  url: string;
  requests: RecordedRequest[];
  checkRuns: Map<number, Record<string, unknown>>;
  comments: StoredComment[];
  close(): Promise<void>;
}

const FORBIDDEN = {
  message: "Resource not accessible by integration",
  documentation_url: "https://docs.github.com/rest",
  status: "403",
};

/** startGitHubApi starts the stand-in on a free 127.0.0.1 port. */
export async function startGitHubApi(options: GitHubApiOptions): Promise<GitHubApi> {
  const requests: RecordedRequest[] = [];
  const checkRuns = new Map<number, Record<string, unknown>>();
  const comments: StoredComment[] = [...(options.comments ?? [])];
  let nextId = 9_000_001;
  let base = "";

  const server: Server = createServer((req, res) => {
    let body = "";
    req.on("data", (c: Buffer) => (body += c.toString()));
    req.on("end", () => {
      const url = new URL(req.url ?? "/", base);
      requests.push({ method: req.method ?? "", path: url.pathname, authorization: req.headers.authorization ?? "", body });
      if (!authorized(req, options.token)) return send(res, 401, { message: "Bad credentials" });
      route(req.method ?? "", url, body, res);
    });
  });

  function route(method: string, url: URL, body: string, res: ServerResponse): void {
    const parts = url.pathname.split("/").filter(Boolean);
    const [, owner, repo, collection, a, b] = parts;
    if (parts[0] !== "repos" || !owner || !repo) return send(res, 404, { message: "Not Found" });
    if (collection === "check-runs") {
      if (options.deny?.includes("checks")) return send(res, 403, FORBIDDEN);
      const input = JSON.parse(body || "{}") as Record<string, unknown>;
      if (method === "POST" && !a) {
        if (typeof input.name !== "string" || typeof input.head_sha !== "string")
          return send(res, 422, { message: "Invalid request.", errors: ["name and head_sha are required"] });
        const id = nextId++;
        const run = { id, ...input, html_url: `${base}/${owner}/${repo}/runs/${id}` };
        checkRuns.set(id, run);
        return send(res, 201, run);
      }
      const run = checkRuns.get(Number(a));
      if (method === "PATCH" && run) {
        const output = run.output as { annotations?: unknown[] } | undefined;
        const more = (input.output as { annotations?: unknown[] } | undefined)?.annotations ?? [];
        Object.assign(run, input, {
          output: { ...(input.output as object), annotations: [...(output?.annotations ?? []), ...more] },
        });
        return send(res, 200, run);
      }
      return send(res, 404, { message: "Not Found" });
    }
    if (collection === "issues") {
      if (options.deny?.includes("comments") && method !== "GET") return send(res, 403, FORBIDDEN);
      if (a === "comments" && b && method === "PATCH") {
        const comment = comments.find((c) => c.id === Number(b));
        if (!comment) return send(res, 404, { message: "Not Found" });
        comment.body = (JSON.parse(body) as { body: string }).body;
        return send(res, 200, shape(comment, owner, repo));
      }
      const issue = Number(a);
      if (b === "comments" && method === "GET") {
        const perPage = Number(url.searchParams.get("per_page") ?? 30);
        const page = Number(url.searchParams.get("page") ?? 1);
        const all = comments.filter((c) => c.issue === issue);
        const slice = all.slice((page - 1) * perPage, page * perPage);
        const headers: Record<string, string> = {};
        if (page * perPage < all.length) {
          const next = new URL(url);
          next.searchParams.set("page", String(page + 1));
          headers.link = `<${next.toString()}>; rel="next"`;
        }
        return send(
          res,
          200,
          slice.map((c) => shape(c, owner, repo)),
          headers,
        );
      }
      if (b === "comments" && method === "POST") {
        const comment = { id: nextId++, issue, body: (JSON.parse(body) as { body: string }).body };
        comments.push(comment);
        return send(res, 201, shape(comment, owner, repo));
      }
    }
    send(res, 404, { message: "Not Found" });
  }

  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: base,
    requests,
    checkRuns,
    comments,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

function authorized(req: IncomingMessage, token: string): boolean {
  const header = req.headers.authorization ?? "";
  return header === `token ${token}` || header === `Bearer ${token}`;
}

function shape(comment: StoredComment, owner: string, repo: string) {
  return {
    id: comment.id,
    body: comment.body,
    user: { login: "github-actions[bot]", type: "Bot" },
    html_url: `https://github.example/${owner}/${repo}/pull/${comment.issue}#issuecomment-${comment.id}`,
  };
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { "content-type": "application/json; charset=utf-8", ...headers });
  res.end(JSON.stringify(body));
}
