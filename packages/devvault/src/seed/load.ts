/**
 * seed/load — reads a seed from YAML. The `!random` tag stands for a value generated
 * at each start (`password: !random`, or `!random 32` for 32 bytes), so a committed
 * seed never holds a real secret.
 */
import { readFileSync } from "node:fs";
import { randomBytes } from "node:crypto";
import { parse, type ScalarTag } from "yaml";
import { ConfigError } from "@vaultgate/core";
import { validateSeed, type Seed } from "./schema.js";

const randomTag: ScalarTag = {
  tag: "!random",
  resolve: (text) => randomBytes(/^\d+$/.test(text.trim()) ? Math.min(256, Number(text.trim())) : 24).toString("base64url"),
};

/** parseSeed parses YAML seed text; `source` names it in messages. */
export function parseSeed(text: string, source = "(inline)"): Seed {
  let value: unknown;
  try {
    value = parse(text, { customTags: [randomTag] });
  } catch (error) {
    throw new ConfigError(`Invalid devvault seed ${source}: ${error instanceof Error ? error.message : String(error)}`, {
      hint: "The seed is YAML; see docs/devvault.md for its format.",
      cause: error,
    });
  }
  return validateSeed(value ?? {}, source);
}

/** loadSeedFile reads and parses a seed file. */
export function loadSeedFile(file: string): Seed {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    throw new ConfigError(`Cannot read the devvault seed ${file}: ${(error as NodeJS.ErrnoException).code ?? String(error)}.`, {
      hint: "Check the path given to --seed.",
      cause: error,
    });
  }
  return parseSeed(text, file);
}
