/**
 * github-oidc — a loopback stand-in for the Actions runtime's ID token endpoint:
 * GET <url>&audience=<aud> with `Authorization: Bearer <request token>` answers
 * {"value": "<jwt>"} signed by the local GitHub issuer, as the runner does.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import { randomSecret } from "./vault-setup.js";
import { githubClaims, TestIssuer, type GitHubContext, type IssuerKey } from "./issuer.js";

/** GitHubOidcServer is a running token endpoint and the env vars a job would see. */
export interface GitHubOidcServer {
  env: { ACTIONS_ID_TOKEN_REQUEST_URL: string; ACTIONS_ID_TOKEN_REQUEST_TOKEN: string };
  /** Audiences requested so far, in order. */
  audiences: (string | null)[];
  close(): Promise<void>;
}

/** startGitHubOidc serves tokens for the job identity `ctx`. */
export async function startGitHubOidc(key: IssuerKey, ctx: GitHubContext = {}): Promise<GitHubOidcServer> {
  const issuer = new TestIssuer(key);
  const requestToken = randomSecret();
  const audiences: (string | null)[] = [];
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://localhost");
    if (req.headers.authorization !== `Bearer ${requestToken}`) {
      res.writeHead(401, { "content-type": "application/json" });
      res.end(JSON.stringify({ message: "Bad credentials" }));
      return;
    }
    const aud = url.searchParams.get("audience");
    audiences.push(aud);
    issuer
      .sign(githubClaims(aud ?? "https://github.com/acme", ctx))
      .then((value) => {
        res.writeHead(200, { "content-type": "application/json" });
        res.end(JSON.stringify({ count: 1, value }));
      })
      .catch(() => {
        res.writeHead(500);
        res.end();
      });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    env: {
      // The runner's URL already carries a query string; clients append &audience=.
      ACTIONS_ID_TOKEN_REQUEST_URL: `http://127.0.0.1:${port}/_apis/distributedtask/hubs/build/plans/1/jobs/2/idtoken?api-version=2.0`,
      ACTIONS_ID_TOKEN_REQUEST_TOKEN: requestToken,
    },
    audiences,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
