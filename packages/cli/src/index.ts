/** @vaultgate/cli — the `vaultgate` command as a library (for wrappers and tests). */
export { main, MAIN_HELP } from "./main.js";
export { processContext, type CommandContext } from "./context.js";
export { terminalPlatform, type TerminalOptions, type Verbosity } from "./terminal.js";
