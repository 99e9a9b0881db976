export * from "./schema.js";
export { parseSecretsSyntax, parseEntry, normalizeKey, optionalAdvice } from "./secrets-syntax.js";
export { parseSelector, prepareSelectors, selectValue } from "./selector.js";
export { normalizeConfig, assertNoUserinfo, type NormalizeContext } from "./normalize.js";
export { loadManifestParser, readManifest, parseManifest, type ManifestFile } from "./manifest.js";
export { rawFromInputs, mergeRaw, parseHeaderLines, ACCEPTED_INPUTS, type Inputs } from "./inputs.js";
export { loadConfig, type LoadConfigOptions } from "./load.js";
export { vaultOf } from "./sources.js";
