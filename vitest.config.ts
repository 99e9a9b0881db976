import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));

// Tests import the workspace packages from source; processes the tests spawn (the CLI,
// the actions' dist/) run the built output, which the test command builds first.
const alias = {
  // Subpath entries first: a prefix alias would also catch "@vaultgate/core/policy".
  "@vaultgate/core/policy": here("packages/core/src/policy/index.ts"),
  "@vaultgate/core": here("packages/core/src/index.ts"),
  "@vaultgate/cli": here("packages/cli/src/index.ts"),
  "@vaultgate/devvault": here("packages/devvault/src/index.ts"),
  "@vaultgate/github-actions/protocol": here("packages/github-actions/src/protocol.ts"),
  "@vaultgate/github-actions/check-report": here("packages/github-actions/src/check-report.ts"),
  "@vaultgate/github-actions": here("packages/github-actions/src/index.ts"),
  "@vaultgate/test-harness": here("test/harness/index.ts"),
};

export default defineConfig({
  resolve: { alias },
  test: {
    setupFiles: [here("test/harness/manifest-parser.ts")],
    projects: [
      {
        extends: true,
        test: {
          name: "unit",
          include: ["packages/*/test/**/*.test.ts", "actions/*/test/**/*.test.ts"],
        },
      },
      {
        extends: true,
        test: {
          name: "integration",
          include: ["test/integration/**/*.test.ts", "test/contract/**/*.test.ts"],
          globalSetup: ["test/harness/global-setup.ts"],
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
      {
        extends: true,
        test: {
          // The docs as tests (docs/contributing.md): doc blocks run against shared servers.
          name: "docs",
          include: ["test/docs/**/*.test.ts"],
          testTimeout: 600_000,
          hookTimeout: 300_000,
        },
      },
    ],
  },
});
