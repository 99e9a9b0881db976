/**
 * gitlab-api — a loopback stand-in for the GitLab REST API's merge-request notes (the
 * real API cannot be reached from the tests): list (offset pagination with the `link`
 * and `x-next-page` headers), create and edit, answering the documented shapes. It
 * checks the PRIVATE-TOKEN header and records every request, so tests can assert what
 * was sent and that no token is in a body.
 */
import { createServer, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/** GitLabNote is a note as the stand-in keeps it. */
export interface GitLabNote {
  id: number;
  project: string;
  mergeRequest: number;
  body: string;
}

/** GitLabApi is a running stand-in; `url` is what CI_API_V4_URL would be. */
export interface GitLabApi {
  url: string;
  requests: { method: string; path: string; token: string; body: string }[];
  notes: GitLabNote[];
  close(): Promise<void>;
}

/** startGitLabApi starts the stand-in on a free 127.0.0.1 port; it accepts only `token`. */
export async function startGitLabApi(options: { token: string; notes?: GitLabNote[] }): Promise<GitLabApi> {
  const requests: GitLabApi["requests"] = [];
  const notes: GitLabNote[] = [...(options.notes ?? [])];
  let nextId = 5_000_001;
  let origin = "";
  const server = createServer((req, res) => {
    let body = "";
    req.on("data", (c: Buffer) => (body += c.toString()));
    req.on("end", () => {
      const url = new URL(req.url ?? "/", origin);
      const token = String(req.headers["private-token"] ?? "");
      requests.push({ method: req.method ?? "", path: url.pathname, token, body });
      if (token !== options.token) return send(res, 401, { message: "401 Unauthorized" });
      const m = /^\/api\/v4\/projects\/([^/]+)\/merge_requests\/(\d+)\/notes(?:\/(\d+))?$/.exec(url.pathname);
      if (!m) return send(res, 404, { message: "404 Not Found" });
      const project = decodeURIComponent(m[1] ?? "");
      const mergeRequest = Number(m[2]);
      const mine = notes.filter((n) => n.project === project && n.mergeRequest === mergeRequest);
      if (req.method === "GET" && !m[3]) {
        const perPage = Number(url.searchParams.get("per_page") ?? 20);
        const page = Number(url.searchParams.get("page") ?? 1);
        const headers: Record<string, string> = { "x-page": String(page), "x-per-page": String(perPage) };
        if (page * perPage < mine.length) {
          const next = new URL(url);
          next.searchParams.set("page", String(page + 1));
          headers.link = `<${next.toString()}>; rel="next"`;
          headers["x-next-page"] = String(page + 1);
        }
        return send(res, 200, mine.slice((page - 1) * perPage, page * perPage).map(shape), headers);
      }
      const text = new URLSearchParams(body).get("body") ?? (JSON.parse(body || "{}") as { body?: string }).body;
      if (typeof text !== "string") return send(res, 400, { message: "400 Bad request - body is missing" });
      if (req.method === "POST" && !m[3]) {
        const note = { id: nextId++, project, mergeRequest, body: text };
        notes.push(note);
        return send(res, 201, shape(note));
      }
      const note = mine.find((n) => n.id === Number(m[3]));
      if (req.method === "PUT" && note) {
        note.body = text;
        return send(res, 200, shape(note));
      }
      send(res, 404, { message: "404 Not Found" });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: `${origin}/api/v4`,
    requests,
    notes,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

function shape(note: GitLabNote) {
  return {
    id: note.id,
    type: null,
    body: note.body,
    author: { id: 1, username: "project_1_bot", name: "vaultgate gate" },
    system: false,
    noteable_type: "MergeRequest",
    noteable_iid: note.mergeRequest,
  };
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { "content-type": "application/json", ...headers });
  res.end(JSON.stringify(body));
}
