/** config/load — the one call every entry point makes: manifest + inputs → config. */
import type { Env } from "../platform.js";
import { mergeRaw, rawFromInputs, type Inputs } from "./inputs.js";
import { readManifest } from "./manifest.js";
import { normalizeConfig } from "./normalize.js";
import type { VaultgateConfig } from "./schema.js";

/** LoadConfigOptions: an optional manifest path, inline inputs, and the environment. */
export interface LoadConfigOptions {
  manifest?: string | undefined;
  inputs?: Inputs;
  env: Env;
  cwd: string;
  /** Wrappers whose inputs are themselves secret (a token input) allow literal tokens. */
  allowTokenValue?: boolean;
}

/** loadConfig reads the manifest (if any), lays the inputs over it and validates. */
export function loadConfig(options: LoadConfigOptions): VaultgateConfig {
  const fromInputs = rawFromInputs(options.inputs ?? {});
  if (options.manifest) {
    const manifest = readManifest(options.manifest, options.env, options.cwd);
    const merged = mergeRaw(manifest.raw, fromInputs);
    const manifestDeclaresToken = hasTokenValue(manifest.raw);
    return normalizeConfig(merged, {
      env: options.env,
      baseDir: manifest.dir,
      source: manifest.path,
      allowTokenValue: !manifestDeclaresToken && (options.allowTokenValue ?? false),
    });
  }
  return normalizeConfig(fromInputs, {
    env: options.env,
    baseDir: options.cwd,
    source: "inputs",
    allowTokenValue: options.allowTokenValue ?? false,
  });
}

function hasTokenValue(raw: unknown): boolean {
  if (raw === null || typeof raw !== "object") return false;
  const auth = (raw as Record<string, unknown>).auth;
  if (auth === null || typeof auth !== "object") return false;
  const a = auth as Record<string, unknown>;
  return a.token !== undefined || a["secret-id"] !== undefined;
}
