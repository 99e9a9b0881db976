/**
 * fault-proxy — a loopback HTTP proxy in front of the vault that injects faults on
 * chosen requests: an HTTP status (with Retry-After), a connection reset, a stall
 * before answering, a fixed delay (for the latency benchmark), an answer held back
 * after the vault processed the request (`late`: a slow node, as seen by the client),
 * or a blackhole that never answers at all (until the proxy closes). Every request is
 * recorded, so tests can assert what was sent and how often.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";

/** Fault is what to do with one request instead of (or before) forwarding it. */
export type Fault =
  | { kind: "status"; status: number; retryAfter?: string; body?: string }
  | { kind: "reset" }
  | { kind: "stall"; ms: number }
  | { kind: "delay"; ms: number }
  | { kind: "late"; ms: number }
  | { kind: "blackhole" };

/** ProxiedRequest records one request the proxy saw. */
export interface ProxiedRequest {
  method: string;
  path: string;
  fault: Fault["kind"] | undefined;
  at: number;
  /** The request body, once received (the telemetry suites read the raw OTLP payloads). */
  body?: Buffer;
  /** The vault's answer to a `late` request, as it was held back. */
  answer?: string;
}

/** FaultScript decides per request; `count` is how many requests with this method+path came before. */
export type FaultScript = (req: { method: string; path: string; count: number }) => Fault | undefined;

/** FaultProxy is a running proxy. */
export interface FaultProxy {
  url: string;
  requests: ProxiedRequest[];
  setScript(script: FaultScript | undefined): void;
  close(): Promise<void>;
}

/** startFaultProxy starts a proxy to `target` (e.g. http://127.0.0.1:8200). */
export async function startFaultProxy(target: string, script?: FaultScript): Promise<FaultProxy> {
  const upstream = new URL(target);
  const requests: ProxiedRequest[] = [];
  const counts = new Map<string, number>();
  let current = script;
  const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });

  const server = http.createServer((req, res) => {
    const method = req.method ?? "GET";
    const path = (req.url ?? "/").split("?")[0] ?? "/";
    const key = `${method} ${path}`;
    const count = counts.get(key) ?? 0;
    counts.set(key, count + 1);
    const fault = current?.({ method, path, count });
    const entry: ProxiedRequest = { method, path, fault: fault?.kind, at: Date.now() };
    requests.push(entry);
    const body: Buffer[] = [];
    req.on("data", (c: Buffer) => body.push(c));
    req.on("end", () => {
      entry.body = Buffer.concat(body);
      if (fault?.kind === "blackhole") return;
      if (fault?.kind === "reset") {
        req.socket.destroy();
        return;
      }
      if (fault?.kind === "status") {
        const headers: Record<string, string> = { "content-type": "application/json" };
        if (fault.retryAfter !== undefined) headers["retry-after"] = fault.retryAfter;
        res.writeHead(fault.status, headers);
        res.end(fault.body ?? JSON.stringify({ errors: [`injected ${fault.status}`] }));
        return;
      }
      if (fault?.kind === "late") return forward(req, res, Buffer.concat(body), entry, fault.ms);
      const wait = fault?.kind === "stall" || fault?.kind === "delay" ? fault.ms : 0;
      setTimeout(() => forward(req, res, Buffer.concat(body)), wait);
    });
  });

  const forward = (req: http.IncomingMessage, res: http.ServerResponse, body: Buffer, late?: ProxiedRequest, holdMs = 0) => {
    const headers = { ...req.headers, host: upstream.host };
    const out = http.request(
      { host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers, agent },
      (up) => {
        if (!late) {
          res.writeHead(up.statusCode ?? 502, up.headers);
          up.pipe(res);
          return;
        }
        // Processed now, answered later: the whole answer is held back.
        const chunks: Buffer[] = [];
        up.on("data", (c: Buffer) => chunks.push(c));
        up.on("end", () => {
          late.answer = Buffer.concat(chunks).toString("utf8");
          setTimeout(() => {
            if (res.destroyed) return;
            res.writeHead(up.statusCode ?? 502, up.headers);
            res.end(late.answer);
          }, holdMs);
        });
      },
    );
    out.on("error", () => {
      res.writeHead(502);
      res.end();
    });
    out.end(body);
  };

  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    setScript(next) {
      current = next;
      counts.clear();
      requests.length = 0;
    },
    close: () =>
      new Promise<void>((resolve) => {
        agent.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
