/**
 * tls — a private CA made with the openssl CLI, a TLS-terminating loopback proxy in
 * front of the vault (optionally requiring a client certificate), and an HTTP proxy
 * that tunnels CONNECT, for testing custom CAs, mutual TLS and HTTPS_PROXY/NO_PROXY
 * against the real OpenBao.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import http from "node:http";
import https from "node:https";
import net, { type AddressInfo } from "node:net";
import type { TLSSocket } from "node:tls";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** TestPki holds PEM files of a CA, a server certificate for 127.0.0.1 and a client certificate. */
export interface TestPki {
  dir: string;
  caCert: string;
  serverCert: string;
  serverKey: string;
  clientCert: string;
  clientKey: string;
}

/** createTestPki generates a fresh CA and two leaf certificates (RSA 2048, 1 day). */
export function createTestPki(): TestPki {
  const dir = mkdtempSync(join(tmpdir(), "vaultgate-pki-"));
  const f = (name: string) => join(dir, name);
  const ssl = (...args: string[]) => execFileSync("openssl", args, { stdio: ["ignore", "ignore", "pipe"] });
  ssl(
    "req",
    "-x509",
    "-newkey",
    "rsa:2048",
    "-nodes",
    "-keyout",
    f("ca.key"),
    "-out",
    f("ca.pem"),
    "-days",
    "1",
    "-subj",
    "/CN=vaultgate test CA",
  );
  const leaf = (name: string, subject: string, ext: string) => {
    writeFileSync(f(`${name}.ext`), ext);
    ssl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", f(`${name}.key`), "-out", f(`${name}.csr`), "-subj", subject);
    ssl(
      "x509",
      "-req",
      "-in",
      f(`${name}.csr`),
      "-CA",
      f("ca.pem"),
      "-CAkey",
      f("ca.key"),
      "-CAcreateserial",
      "-out",
      f(`${name}.pem`),
      "-days",
      "1",
      "-extfile",
      f(`${name}.ext`),
    );
  };
  leaf("server", "/CN=127.0.0.1", "subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n");
  leaf("client", "/CN=vaultgate-ci", "extendedKeyUsage=clientAuth\n");
  return {
    dir,
    caCert: f("ca.pem"),
    serverCert: f("server.pem"),
    serverKey: f("server.key"),
    clientCert: f("client.pem"),
    clientKey: f("client.key"),
  };
}

/** LoopbackServer is a started server with its URL. */
export interface LoopbackServer {
  url: string;
  close(): Promise<void>;
}

/** startTlsProxy terminates TLS with the test PKI and forwards plain HTTP to `target`. */
export async function startTlsProxy(
  target: string,
  pki: TestPki,
  options: { requireClientCert: boolean },
): Promise<LoopbackServer & { clients: string[] }> {
  const upstream = new URL(target);
  const clients: string[] = [];
  const server = https.createServer(
    {
      key: readFileSync(pki.serverKey),
      cert: readFileSync(pki.serverCert),
      ca: readFileSync(pki.caCert),
      requestCert: options.requireClientCert,
      rejectUnauthorized: options.requireClientCert,
    },
    (req, res) => {
      const peer = (req.socket as TLSSocket).getPeerCertificate();
      if (peer.subject?.CN) clients.push(String(peer.subject.CN));
      const out = http.request(
        {
          host: upstream.hostname,
          port: upstream.port,
          method: req.method,
          path: req.url,
          headers: { ...req.headers, host: upstream.host },
        },
        (up) => {
          res.writeHead(up.statusCode ?? 502, up.headers);
          up.pipe(res);
        },
      );
      out.on("error", () => res.destroy());
      req.pipe(out);
    },
  );
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `https://127.0.0.1:${port}`,
    clients,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/**
 * startConnectProxy is a forward proxy: CONNECT tunnels (HTTPS) and absolute-URI requests (HTTP).
 * `hosts` maps a plain-http `host:port` (e.g. a name no resolver knows) to the `host:port` it reaches.
 */
export async function startConnectProxy(
  options: { hosts?: Record<string, string> } = {},
): Promise<LoopbackServer & { seen: string[] }> {
  const seen: string[] = [];
  const sockets = new Set<net.Socket>();
  const server = http.createServer((req, res) => {
    seen.push(`${req.method ?? "GET"} ${req.url ?? ""}`);
    const url = new URL(req.url ?? "");
    const to = new URL(`http://${options.hosts?.[url.host] ?? url.host}`);
    const out = http.request(
      { host: to.hostname, port: to.port, method: req.method, path: `${url.pathname}${url.search}`, headers: req.headers },
      (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
      },
    );
    out.on("error", () => res.destroy());
    req.pipe(out);
  });
  server.on("connect", (req: http.IncomingMessage, client: net.Socket, head: Buffer) => {
    seen.push(`CONNECT ${req.url ?? ""}`);
    const [host, port] = (req.url ?? "").split(":");
    // Tests listen on IPv4 loopback only; "localhost" may resolve to ::1 first.
    const remote = net.connect(Number(port), host === "localhost" ? "127.0.0.1" : host, () => {
      client.write("HTTP/1.1 200 Connection Established\r\n\r\n");
      remote.write(head);
      remote.pipe(client);
      client.pipe(remote);
    });
    for (const s of [client, remote]) {
      sockets.add(s);
      s.on("close", () => sockets.delete(s));
      s.on("error", () => {
        client.destroy();
        remote.destroy();
      });
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    seen,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
