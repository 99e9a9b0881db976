export * from "./model.js";
export { runCheck, type CheckOptions } from "./run.js";
export { toJson, toMarkdown, toJUnit, toText, xml, type MarkdownOptions } from "./writers.js";
export { checkHealth } from "./health.js";
