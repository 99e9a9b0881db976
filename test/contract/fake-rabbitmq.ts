/**
 * fake-rabbitmq — the three calls of RabbitMQ's management API that OpenBao's rabbitmq
 * secrets engine makes (create user, set permissions, delete user), on 127.0.0.1. It
 * gives the real OpenBao a dynamic engine with renewable leases and no external
 * service, and shows when a lease's revocation deletes its user.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";

/** FakeRabbitMq is a running fake; `users` are the live usernames. */
export interface FakeRabbitMq {
  url: string;
  users: Set<string>;
  close(): Promise<void>;
}

/** startFakeRabbitMq starts the fake management API. */
export async function startFakeRabbitMq(): Promise<FakeRabbitMq> {
  const users = new Set<string>();
  const server = http.createServer((req, res) => {
    req.resume();
    req.on("end", () => {
      const path = (req.url ?? "/").split("?")[0] ?? "/";
      const user = /^\/api\/users\/([^/]+)$/.exec(path)?.[1];
      if (user && req.method === "PUT") users.add(decodeURIComponent(user));
      if (user && req.method === "DELETE") users.delete(decodeURIComponent(user));
      const known = user !== undefined || /^\/api\/permissions\/[^/]+\/[^/]+$/.test(path);
      res.writeHead(known ? (req.method === "PUT" ? 201 : 204) : 404);
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    users,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
