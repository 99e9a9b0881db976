/**
 * protocol — the runner's workflow-command protocol without @actions/core: escaping,
 * stop-commands for untrusted text, and the test for a real runner step. The vaultgate
 * CLI writes its few workflow commands (`::add-mask::`) itself, to stderr, and so must
 * not load the actions' toolkit; it imports this entry point
 * (`@vaultgate/github-actions/protocol`), not the package index.
 */
export * from "./runner/commands.js";
export * from "./runner/detect.js";
