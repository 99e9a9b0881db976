/**
 * global-setup — vitest global setup of the integration suites: builds or reuses
 * OpenBao, starts it on a free loopback port, configures it, and provides the fixture
 * to the tests with `inject("vault")`. Stops the server afterwards.
 */
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import type { TestProject } from "vitest/node";
import { startTestVault, type VaultFixture } from "./vault-setup.js";

declare module "vitest" {
  export interface ProvidedContext {
    vault: VaultFixture;
    cliPath: string;
  }
}

const root = fileURLToPath(new URL("../..", import.meta.url));

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  // Spawned processes run the built CLI; make sure it (and what it references) matches the sources.
  execFileSync(
    process.execPath,
    [fileURLToPath(new URL("../../node_modules/typescript/bin/tsc", import.meta.url)), "-b", "packages/cli"],
    {
      cwd: root,
      stdio: "inherit",
    },
  );
  const vault = await startTestVault();
  project.provide("vault", vault.fixture);
  project.provide("cliPath", fileURLToPath(new URL("../../packages/cli/bin/vaultgate.js", import.meta.url)));
  return () => vault.stop();
}
