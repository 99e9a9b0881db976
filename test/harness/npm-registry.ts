/**
 * npm-registry — a loopback stand-in for the npm registry (the tests never reach the real
 * one): it answers npm's two documented requests for a package, the packument
 * (GET /<name>: versions with dist.tarball and dist.integrity) and the tarball, for the
 * tarballs it is given. Enough for `npm view NAME@VERSION dist.integrity` and
 * `npm pack NAME@VERSION`, which checks the tarball against that integrity.
 */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";

/** RegistryPackage is one published version: its name, version and tarball file. */
export interface RegistryPackage {
  name: string;
  version: string;
  tarball: string;
}

/** NpmRegistry is a running stand-in; `url` is what NPM_CONFIG_REGISTRY takes. */
export interface NpmRegistry {
  url: string;
  /** The paths requested so far. */
  requests: string[];
  close(): Promise<void>;
}

/** startNpmRegistry serves `packages` on 127.0.0.1 (a random port). */
export async function startNpmRegistry(packages: RegistryPackage[]): Promise<NpmRegistry> {
  const requests: string[] = [];
  const files = new Map<string, Buffer>();
  let url = "";
  const packument = (name: string) => {
    const versions = packages.filter((p) => p.name === name);
    if (versions.length === 0) return undefined;
    const entries = versions.map((p) => {
      const bytes = readFileSync(p.tarball);
      const file = `/${name}/-/${name.split("/").pop()}-${p.version}.tgz`;
      files.set(file, bytes);
      const integrity = `sha512-${createHash("sha512").update(bytes).digest("base64")}`;
      return [p.version, { name, version: p.version, dist: { tarball: `${url}${file}`, integrity } }] as const;
    });
    return { name, "dist-tags": { latest: entries.at(-1)![0] }, versions: Object.fromEntries(entries) };
  };
  const server = createServer((req, res) => {
    const path = decodeURIComponent(req.url ?? "/");
    requests.push(path);
    const doc = packument(path.slice(1));
    if (doc) return void res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(doc));
    const bytes = files.get(path);
    if (bytes) return void res.writeHead(200, { "content-type": "application/octet-stream" }).end(bytes);
    res.writeHead(404, { "content-type": "application/json" }).end(JSON.stringify({ error: "Not found" }));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { url, requests, close: () => new Promise((resolve) => server.close(() => resolve())) };
}
