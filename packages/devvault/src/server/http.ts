/**
 * server/http — the node:http front of devvault: reads each request, sends /v1/ to
 * the Vault API router and /oidc/ to the issuer, and writes JSON answers with Vault's
 * status codes. Errors a handler throws become `{"errors": [...]}`; anything
 * unexpected is a 500 that names no secret.
 */
import http from "node:http";
import net from "node:net";
import type { DevIssuer } from "../issuer/issuer.js";
import { handleIssuerRequest, ISSUER_BASE } from "../issuer/routes.js";
import type { VaultState } from "../state/vault-state.js";
import { ApiError, type Reply } from "./reply.js";
import { ListVerbConnection } from "./list-verb.js";
import { handleApiRequest } from "./router.js";

/** MAX_BODY is the largest request body accepted (Vault's default is 32 MiB; dev needs far less). */
const MAX_BODY = 4 * 1024 * 1024;

/** DevServer is the listening socket and the HTTP server behind it. */
export interface DevServer {
  listener: net.Server;
  http: http.Server;
  /** close stops listening and destroys every open connection. */
  close(): Promise<void>;
}

/** RequestEvent describes one answered request (no body, no header: nothing secret). */
export interface RequestEvent {
  method: string;
  path: string;
  status: number;
  ms: number;
}

/** createDevServer returns the servers for `state`; `issuer()` is read per request. */
export function createDevServer(
  state: VaultState,
  issuer: () => DevIssuer | undefined,
  onRequest?: (event: RequestEvent) => void,
): DevServer {
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY) chunks.push(chunk);
    });
    req.on("end", () => {
      if (size > MAX_BODY) {
        write(res, req.method, { status: 413, body: { errors: ["request body too large"] } });
        return;
      }
      const started = Date.now();
      void answer(state, issuer(), req, Buffer.concat(chunks)).then((reply) => {
        write(res, req.method, reply);
        const [path = "/", query = ""] = (req.url ?? "/").split("?");
        const method = req.method === "GET" && /(^|&)list=true(&|$)/.test(query) ? "LIST" : (req.method ?? "GET");
        onRequest?.({ method, path, status: reply.status, ms: Date.now() - started });
      });
    });
  });
  // Connections reach the HTTP server through the LIST rewriting stream.
  const sockets = new Set<net.Socket>();
  const listener = net.createServer((socket) => {
    sockets.add(socket);
    socket.once("close", () => sockets.delete(socket));
    server.emit("connection", new ListVerbConnection(socket));
  });
  const close = () =>
    new Promise<void>((resolve) => {
      listener.close(() => resolve());
      for (const socket of sockets) socket.destroy();
    });
  return { listener, http: server, close };
}

async function answer(state: VaultState, issuer: DevIssuer | undefined, req: http.IncomingMessage, body: Buffer): Promise<Reply> {
  const url = new URL(req.url ?? "/", "http://devvault");
  const method = (req.method ?? "GET").toUpperCase();
  try {
    if (url.pathname.startsWith("/v1/")) {
      const header = (name: string) => {
        const value = req.headers[name];
        return Array.isArray(value) ? value[0] : value;
      };
      const bearer = /^Bearer\s+(.+)$/i.exec(header("authorization") ?? "")?.[1];
      return await handleApiRequest(state, {
        method,
        path: decodeURIComponent(url.pathname.slice(4)),
        query: url.searchParams,
        namespace: header("x-vault-namespace")?.replace(/^\/+|\/+$/g, "") || undefined,
        token: header("x-vault-token") || bearer,
        body,
      });
    }
    if (issuer && (url.pathname === ISSUER_BASE || url.pathname.startsWith(`${ISSUER_BASE}/`))) {
      return await handleIssuerRequest(issuer, {
        method,
        url,
        authorization: req.headers.authorization,
        body,
        origin: `http://${req.headers.host ?? "127.0.0.1"}`,
      });
    }
    return { status: 404, body: { errors: [] } };
  } catch (error) {
    if (error instanceof ApiError) return { status: error.status, body: error.body ?? { errors: error.errors } };
    const detail = error instanceof Error ? error.name : "error";
    return { status: 500, body: { errors: [`internal error in devvault (${detail}); please report it`] } };
  }
}

function write(res: http.ServerResponse, method: string | undefined, reply: Reply): void {
  const headers: Record<string, string> = { "cache-control": "no-store" };
  if (reply.status === 204 || reply.body === undefined) {
    res.writeHead(reply.status, headers);
    res.end();
    return;
  }
  const text = `${JSON.stringify(reply.body)}\n`;
  headers["content-type"] = "application/json";
  headers["content-length"] = String(Buffer.byteLength(text));
  res.writeHead(reply.status, headers);
  res.end(method === "HEAD" ? undefined : text);
}
