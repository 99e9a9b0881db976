/**
 * @vaultgate/core/policy — trust as code: generate least-privilege jwt roles and
 * policies, lint existing trust. A subpath of its own, so the actions' bundles never
 * carry its API clients and parsers.
 */
export * from "./model.js";
export { generateTrust, checkName } from "./generate.js";
export { renderPlan, planRequests, POLICY_FORMATS, type PolicyFormat, type ApiRequest } from "./render.js";
export { applyPlan, type ApplyResult, type Change } from "./apply.js";
export { lookupGitHubIds, lookupGitLabIds, type LookupOptions } from "./ids.js";
export { DEFAULT_ISSUERS, jenkinsIssuer, jenkinsJobUrl } from "./platforms.js";
export { apiPathOf, parsePolicy, LIFECYCLE_RULES } from "./acl.js";
export * from "./lint/model.js";
export { lint, LINT_RULES, DEFAULT_LINT_OPTIONS, ruleById, type LintReport } from "./lint/run.js";
export { toLintText, toLintJson, toSarif, rulesMarkdown } from "./lint/writers.js";
export { readVaultTrust } from "./lint/read-vault.js";
export { readTrustFiles } from "./lint/read-files.js";
