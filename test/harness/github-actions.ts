/** github-actions — the GitHub Actions runner emulation and tools (act, actionlint) for the github-* suites. */
export * from "./github-runner.js";
export * from "./github-tools.js";
