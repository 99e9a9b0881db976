export * from "./model.js";
export { runCheck, type CheckOptions } from "./run.js";
export { toJson, toMarkdown, toJUnit, toText, xml, type MarkdownOptions } from "./writers.js";
export { CHECK_REASONS, GATE_REASONS } from "./reasons.js";
export { reasonRows, type ReasonSpec } from "../reasons.js";
export { nearestAllowed, type PolicyPath } from "./suggest.js";
