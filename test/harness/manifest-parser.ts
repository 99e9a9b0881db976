/**
 * manifest-parser — vitest setup file: loads the YAML parser, as the CLI and the actions'
 * steps do before a run reads a manifest, for the suites that call loadConfig or
 * parseManifest in-process.
 */
import { loadManifestParser } from "../../packages/core/src/config/manifest.js";

await loadManifestParser();
