// The README's first command: the demo pipeline against the embedded dev vault runs end
// to end and exits 0, with the deploy's output masked.
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { expect, it } from "vitest";
import { baseEnv } from "@vaultgate/test-harness";

it("runs check → exec → audit → revoke on devvault and exits 0", () => {
  const demo = fileURLToPath(new URL("../../packages/cli/dist/demo.js", import.meta.url));
  const result = spawnSync(process.execPath, [demo], { env: baseEnv(), encoding: "utf8", timeout: 60_000 });
  expect(result.stderr).not.toMatch(/\n\s+at /);
  expect(result.status).toBe(0);
  expect(result.stdout).toContain("vaultgate check PASSED");
  expect(result.stdout).toContain("DB password: ***");
  expect(result.stdout).toContain("API token as base64: ***");
  expect(result.stdout).toContain("The deploy's token and its leases are revoked.");
  expect(result.stdout).toContain("Demo finished");
});
