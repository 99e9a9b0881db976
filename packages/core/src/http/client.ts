/**
 * http/client — the one place vaultgate opens connections: base URL, headers, user
 * agent, keep-alive agent, private CA and mutual TLS, HTTPS_PROXY/NO_PROXY. It speaks
 * plain node:http(s) so the action bundles stay small (node-vault with axios bundles to
 * 371 KB minified on its own; see docs/decisions.md) and every retry decision stays with
 * the caller.
 */
import http from "node:http";
import https from "node:https";
import { checkServerIdentity, type PeerCertificate } from "node:tls";
import { getProxyForUrl } from "proxy-from-env";
import type { TlsConfig } from "../config/schema.js";

/** HttpMethod lists the methods the vault API uses (LIST is Vault's own). */
export type HttpMethod = "GET" | "POST" | "PUT" | "DELETE" | "LIST";

/** HttpRequest is one request relative to the client's base URL. */
export interface HttpRequest {
  method: HttpMethod;
  /** Path below the base URL, e.g. `v1/sys/health`, or an absolute URL. */
  path: string;
  headers?: Readonly<Record<string, string>>;
  body?: unknown;
  /** Time allowed for this one attempt, from connect to the last response byte. */
  timeoutMs: number;
  /**
   * Once the request is fully written, the time allowed from the attempt's start instead
   * of `timeoutMs`: a request that is not idempotent (a login) must not be abandoned while
   * the server may still be processing it.
   */
  sentTimeoutMs?: number | undefined;
  signal?: AbortSignal | undefined;
}

/** HttpResponse is a complete response; `json` is set when the body parses as JSON. */
export interface HttpResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
  json: unknown;
}

/**
 * NetworkError is a failure below HTTP: refused, reset, timed out, TLS. `sent` is true
 * once the request was fully written, i.e. the server may have processed it.
 */
export class NetworkError extends Error {
  readonly code: string;
  readonly sent: boolean;
  constructor(message: string, code: string, sent: boolean, cause?: unknown) {
    super(message, cause === undefined ? undefined : { cause });
    this.name = "NetworkError";
    this.code = code;
    this.sent = sent;
  }
}

/** HttpClientOptions configures one HttpClient. */
export interface HttpClientOptions {
  baseUrl: string;
  tls?: TlsConfig | undefined;
  headers?: Readonly<Record<string, string>> | undefined;
  userAgent: string;
  /** Upper bound on parallel connections (the fetch concurrency). */
  maxSockets?: number;
}

/** TlsOptions are the TLS settings applied to every connection to the server. */
interface TlsOptions {
  ca?: string;
  cert?: string;
  key?: string;
  rejectUnauthorized: boolean;
}

const MAX_RESPONSE_BYTES = 32 * 1024 * 1024;

/** HttpClient sends requests to one server with one connection pool. */
export class HttpClient {
  readonly #base: URL;
  readonly #headers: Readonly<Record<string, string>>;
  readonly #tls: TlsOptions;
  readonly #agent: http.Agent;
  readonly #proxyAgents = new Map<string, Promise<http.Agent>>();

  constructor(options: HttpClientOptions) {
    this.#base = new URL(options.baseUrl.endsWith("/") ? options.baseUrl : `${options.baseUrl}/`);
    this.#headers = { "user-agent": options.userAgent, ...options.headers };
    const tls = options.tls;
    this.#tls = {
      ...(tls?.caCert ? { ca: tls.caCert } : {}),
      ...(tls?.clientCert ? { cert: tls.clientCert } : {}),
      ...(tls?.clientKey ? { key: tls.clientKey } : {}),
      rejectUnauthorized: !(tls?.skipVerify ?? false),
    };
    const agentOptions = { keepAlive: true, maxSockets: options.maxSockets ?? 16 };
    this.#agent =
      this.#base.protocol === "https:" ? new https.Agent({ ...agentOptions, ...this.#tls }) : new http.Agent(agentOptions);
  }

  /** baseUrl is the server's address as configured. */
  get baseUrl(): string {
    return this.#base.href.replace(/\/$/, "");
  }

  /** request sends one request and reads the whole response. */
  request(req: HttpRequest): Promise<HttpResponse> {
    const url = new URL(req.path, this.#base);
    const body = req.body === undefined ? undefined : Buffer.from(JSON.stringify(req.body));
    const headers: Record<string, string> = { ...this.#headers, accept: "application/json", ...req.headers };
    if (body) {
      headers["content-type"] = "application/json";
      headers["content-length"] = String(body.length);
    }
    const transport = url.protocol === "https:" ? https : http;
    const started = Date.now();
    const proxied = this.#proxyAgentFor(url);
    if (proxied) return proxied.then((agent) => this.#send(req, url, body, headers, transport, started, agent));
    return this.#send(req, url, body, headers, transport, started, this.#agent);
  }

  #send(
    req: HttpRequest,
    url: URL,
    body: Buffer | undefined,
    headers: Record<string, string>,
    transport: typeof http | typeof https,
    started: number,
    agent: http.Agent,
  ): Promise<HttpResponse> {
    return new Promise<HttpResponse>((resolve, reject) => {
      let sent = false;
      let settled = false;
      const fail = (error: NetworkError) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        req.signal?.removeEventListener("abort", onAbort);
        request.destroy();
        reject(error);
      };
      const request = transport.request(url, {
        method: req.method,
        headers,
        agent,
        ...(url.protocol === "https:" ? this.#tls : {}),
        // Through a proxy tunnel the TLS socket no longer knows the target host; check the
        // certificate against it explicitly (an IP address is never sent as SNI).
        ...(url.protocol === "https:"
          ? {
              checkServerIdentity: (_host: string, cert: PeerCertificate) =>
                checkServerIdentity(url.hostname.replace(/^\[|\]$/g, ""), cert),
            }
          : {}),
      });
      const timeout = (ms: number) =>
        setTimeout(
          () => fail(new NetworkError(`no complete response within ${ms} ms`, "ETIMEDOUT", sent)),
          ms - (Date.now() - started),
        );
      let timer = timeout(req.timeoutMs);
      const onAbort = () => fail(new NetworkError("request aborted", "ABORTED", sent));
      if (req.signal?.aborted) return onAbort();
      req.signal?.addEventListener("abort", onAbort, { once: true });
      request.on("error", (error: NodeJS.ErrnoException) =>
        fail(new NetworkError(describeNetworkError(error, url), error.code ?? "ENETWORK", sent, error)),
      );
      request.on("response", (response) => {
        const chunks: Buffer[] = [];
        let size = 0;
        response.on("data", (chunk: Buffer) => {
          size += chunk.length;
          if (size > MAX_RESPONSE_BYTES) fail(new NetworkError("response larger than 32 MiB", "ETOOBIG", true));
          else chunks.push(chunk);
        });
        response.on("error", (error: NodeJS.ErrnoException) =>
          fail(new NetworkError(describeNetworkError(error, url), error.code ?? "ENETWORK", true, error)),
        );
        response.on("aborted", () => fail(new NetworkError("connection closed mid-response", "ECONNRESET", true)));
        response.on("end", () => {
          if (settled) return;
          settled = true;
          clearTimeout(timer);
          req.signal?.removeEventListener("abort", onAbort);
          const text = Buffer.concat(chunks).toString("utf8");
          resolve({ status: response.statusCode ?? 0, headers: response.headers, text, json: parseJson(text) });
        });
      });
      request.end(body, () => {
        sent = true;
        if (req.sentTimeoutMs !== undefined && !settled) {
          clearTimeout(timer);
          timer = timeout(Math.max(req.timeoutMs, req.sentTimeoutMs));
        }
      });
    });
  }

  /** close releases pooled connections so the process can exit promptly. */
  close(): void {
    this.#agent.destroy();
    for (const agent of this.#proxyAgents.values()) void agent.then((a) => a.destroy());
  }

  /**
   * #proxyAgentFor returns the agent of the proxy HTTPS_PROXY/HTTP_PROXY/NO_PROXY choose
   * for `url`, or undefined for a direct connection. The proxy agents are imported only
   * when a proxy is configured: a direct run never loads them.
   */
  #proxyAgentFor(url: URL): Promise<http.Agent> | undefined {
    const proxy = getProxyForUrl(url.href);
    if (!proxy) return undefined;
    const key = `${url.protocol}${proxy}`;
    let agent = this.#proxyAgents.get(key);
    if (!agent) {
      agent =
        url.protocol === "https:"
          ? import("https-proxy-agent").then(
              ({ HttpsProxyAgent }) => new HttpsProxyAgent(proxy, { keepAlive: true, ...this.#tls }),
            )
          : import("http-proxy-agent").then(({ HttpProxyAgent }) => new HttpProxyAgent(proxy, { keepAlive: true }));
      this.#proxyAgents.set(key, agent);
    }
    return agent;
  }
}

function parseJson(text: string): unknown {
  if (text === "") return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function describeNetworkError(error: NodeJS.ErrnoException, url: URL): string {
  switch (error.code) {
    case "ECONNREFUSED":
      return `connection refused by ${url.host}`;
    case "ENOTFOUND":
    case "EAI_AGAIN":
      return `cannot resolve host ${url.hostname}`;
    case "ECONNRESET":
      return `connection reset by ${url.host}`;
    case "DEPTH_ZERO_SELF_SIGNED_CERT":
    case "SELF_SIGNED_CERT_IN_CHAIN":
    case "UNABLE_TO_VERIFY_LEAF_SIGNATURE":
    case "UNABLE_TO_GET_ISSUER_CERT_LOCALLY":
      return `TLS certificate of ${url.host} is not trusted (${error.code}); configure ca-cert`;
    case "ERR_TLS_CERT_ALTNAME_INVALID":
      return `TLS certificate of ${url.host} does not match its name`;
    default:
      return `${error.code ?? "network error"}: ${error.message}`;
  }
}
