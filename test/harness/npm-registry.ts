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
  /** tarballUrl is where a published version's tarball is served. */
  tarballUrl(name: string, version: string): string;
  close(): Promise<void>;
}

/** startNpmRegistry serves `packages` on 127.0.0.1 (a random port). */
export async function startNpmRegistry(packages: RegistryPackage[]): Promise<NpmRegistry> {
  const requests: string[] = [];
  const server = createServer((req, res) => {
    const path = decodeURIComponent(req.url ?? "/");
    requests.push(path);
    const doc = packuments.get(path.slice(1));
    if (doc) return void res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(doc));
    const bytes = files.get(path);
    if (bytes) return void res.writeHead(200, { "content-type": "application/octet-stream" }).end(bytes);
    res.writeHead(404, { "content-type": "application/json" }).end(JSON.stringify({ error: "Not found" }));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const files = new Map<string, Buffer>();
  const packuments = new Map<string, { name: string; "dist-tags": Record<string, string>; versions: Record<string, unknown> }>();
  for (const p of packages) {
    const bytes = readFileSync(p.tarball);
    const file = `/${p.name}/-/${p.name.split("/").pop()}-${p.version}.tgz`;
    files.set(file, bytes);
    const integrity = `sha512-${createHash("sha512").update(bytes).digest("base64")}`;
    const doc = packuments.get(p.name) ?? { name: p.name, "dist-tags": {}, versions: {} };
    doc.versions[p.version] = { name: p.name, version: p.version, dist: { tarball: `${url}${file}`, integrity } };
    doc["dist-tags"].latest = p.version;
    packuments.set(p.name, doc);
  }
  return {
    url,
    requests,
    tarballUrl: (name, version) => `${url}/${name}/-/${name.split("/").pop()}-${version}.tgz`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
