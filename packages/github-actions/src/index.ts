/**
 * @vaultgate/github-actions — vaultgate on GitHub Actions: the runner's protocol
 * (inputs, workflow commands, file commands, state) and the Platform, inputs and
 * exports shared by actions/secrets and actions/check. No @actions/* dependency.
 */
export * from "./runner/commands.js";
export * from "./runner/file-commands.js";
export * from "./runner/detect.js";
export * from "./runner/runner.js";
export * from "./platform.js";
export * from "./step.js";
export * from "./inputs.js";
export * from "./secrets.js";
export * from "./post.js";
export * from "./check.js";
