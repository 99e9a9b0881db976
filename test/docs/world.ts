/**
 * world — the servers and commands doc blocks run against, started once for the whole
 * docs suite: one devvault with the default seed (the environment `vaultgate dev`
 * prints), one OpenBao dev server (each document in its own namespace), and a bin
 * directory that puts `vaultgate` (the built CLI) and `bao`/`vault` (OpenBao) on PATH.
 */
import { execFileSync } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { nullLogger, type Platform } from "@vaultgate/core";
import { CLI_PATH, REPO_ROOT, ensureOpenBao, startOpenBao, type OpenBaoServer } from "@vaultgate/test-harness";
import { startDev, type RunningDev } from "../../packages/cli/src/commands/dev.js";
import type { CommandContext } from "../../packages/cli/src/context.js";

/** DOC_AUDIENCE is the audience the docs' vault-side commands bind (vault.example.com). */
export const DOC_AUDIENCE = "https://vault.example.com";

/** DocWorld is what every run block can use. */
export interface DocWorld {
  bin: string;
  devvault: RunningDev;
  /** devEnv is exactly the environment `vaultgate dev` printed, plus VAULT_TOKEN (root). */
  devEnv: Record<string, string>;
  /** openbao starts the shared OpenBao on first use and returns the environment for `namespace`. */
  openbao(namespace: string): Promise<Record<string, string>>;
  stop(): Promise<void>;
}

/** quietContext is a CommandContext that keeps what a command prints. */
function quietContext(cwd: string): { ctx: CommandContext; out: () => string } {
  const stdout = new PassThrough();
  let out = "";
  stdout.on("data", (c: Buffer) => (out += c.toString()));
  const stderr = new PassThrough();
  stderr.resume();
  const platform = (): Platform => ({ name: "local", env: {}, mask: () => undefined, log: nullLogger });
  return { ctx: { env: {}, cwd, stdout, stderr, platform }, out: () => out };
}

/** parseExports reads `export NAME='value'` lines back into an environment. */
export function parseExports(text: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const m of text.matchAll(/^export ([A-Z_]+)='((?:[^']|'\\'')*)'$/gm)) env[m[1]!] = m[2]!.replace(/'\\''/g, "'");
  return env;
}

/** startWorld starts devvault and writes the command shims; OpenBao starts when a block needs it. */
export async function startWorld(): Promise<DocWorld> {
  // The shims run the built CLI: make sure it matches the sources (as the integration setup does).
  execFileSync(process.execPath, [join(REPO_ROOT, "node_modules/typescript/bin/tsc"), "-b", "packages/cli"], {
    cwd: REPO_ROOT,
    stdio: "inherit",
  });
  const base = mkdtempSync(join(tmpdir(), "vaultgate-docs-"));
  const bin = join(base, "bin");
  mkdirSync(bin);
  writeFileSync(join(bin, "vaultgate"), `#!/bin/sh\nexec ${JSON.stringify(process.execPath)} ${JSON.stringify(CLI_PATH)} "$@"\n`);
  chmodSync(join(bin, "vaultgate"), 0o755);
  const { ctx, out } = quietContext(base);
  const devvault = await startDev(["--quiet"], ctx);
  if (!devvault) throw new Error("vaultgate dev did not start");
  const printed = parseExports(out());
  const devEnv = { ...printed, VAULT_TOKEN: devvault.devvault.rootToken };
  let bao: Promise<OpenBaoServer> | undefined;
  const created = new Set<string>();
  return {
    bin,
    devvault,
    devEnv,
    async openbao(namespace) {
      bao ??= (async () => {
        const binary = await ensureOpenBao();
        symlinkSync(binary, join(bin, "bao"));
        symlinkSync(binary, join(bin, "vault"));
        return startOpenBao(binary, `docs-root-${Math.random().toString(36).slice(2)}`);
      })();
      const server = await bao;
      if (!created.has(namespace)) {
        const res = await fetch(`${server.addr}/v1/sys/namespaces/${namespace}`, {
          method: "POST",
          headers: { "X-Vault-Token": server.rootToken },
        });
        if (!res.ok) throw new Error(`OpenBao namespace ${namespace}: ${res.status} ${await res.text()}`);
        created.add(namespace);
      }
      const issuer = devvault.devvault;
      const mint = (kind: "github" | "gitlab" | "jenkins") => issuer.issuer.platformToken(kind, DOC_AUDIENCE);
      return {
        BAO_ADDR: server.addr,
        VAULT_ADDR: server.addr,
        BAO_TOKEN: server.rootToken,
        VAULT_TOKEN: server.rootToken,
        BAO_NAMESPACE: namespace,
        VAULT_NAMESPACE: namespace,
        ISSUER_URL: `${issuer.addr}/oidc`,
        GITHUB_ID_TOKEN: await mint("github"),
        GITLAB_ID_TOKEN: await mint("gitlab"),
        JENKINS_ID_TOKEN: await mint("jenkins"),
      };
    },
    async stop() {
      await devvault.stop();
      if (bao) await (await bao).stop();
    },
  };
}
