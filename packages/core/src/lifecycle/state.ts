/**
 * lifecycle/state — what a later step needs to end a run: the vault, the token, its
 * leases and the files written. Saved 0600 by `fetch` (or a wrapper's main step) and
 * consumed by `revoke` (or the post step), which deletes it.
 */
import { readFileSync } from "node:fs";
import type { VaultConfig } from "../config/schema.js";
import { ConfigError } from "../errors.js";
import { removeFile, writeSecureFile } from "../export/files.js";
import type { AuditRecord } from "./audit.js";

/** SessionState is the serializable hand-over from a fetch to its revoke. */
export interface SessionState {
  version: 1;
  vault: VaultConfig;
  token: string;
  accessor: string | undefined;
  /** False when the token was supplied by the user (method token): it is not revoked. */
  ownsToken: boolean;
  leases: { leaseId: string; path: string; expiresAt?: string | undefined }[];
  files: string[];
  createdAt: string;
  /** When the token's TTL at login ends (ISO 8601), to name it if its revocation fails. */
  expiresAt?: string | undefined;
  /** The run's audit record so far, for the step that ends it (GitHub's post step). */
  audit?: AuditRecord | undefined;
}

/** saveState writes the state file (0600, atomically). */
export function saveState(path: string, state: SessionState): void {
  writeSecureFile(path, `${JSON.stringify(state)}\n`);
}

/** stateFileWriter returns the saveState of fetchJob for a state file: write it, or delete it when undefined. */
export function stateFileWriter(path: string): (state: SessionState | undefined) => void {
  return (state) => (state ? saveState(path, state) : removeFile(path));
}

/** loadState reads and checks a state file. */
export function loadState(path: string): SessionState {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new ConfigError(
      `Cannot read the state file ${path}: ${code === "ENOENT" ? "no such file" : (code ?? String(error))}.`,
      {
        hint: "Pass the --state file written by `vaultgate fetch`; if it is gone, the run was already revoked.",
        cause: error,
      },
    );
  }
  return parseState(text, path);
}

/** parseState checks serialized state (a state file's text, a wrapper's saved state). */
export function parseState(text: string, label = "the saved state"): SessionState {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new ConfigError(`${label} is not JSON; nothing was revoked.`, { cause: error });
  }
  const state = parsed as Partial<SessionState>;
  if (
    state === null ||
    typeof state !== "object" ||
    state.version !== 1 ||
    typeof state.token !== "string" ||
    !state.vault?.url
  ) {
    throw new ConfigError(`${label} is not vaultgate state; nothing was revoked.`);
  }
  return {
    version: 1,
    vault: state.vault,
    token: state.token,
    accessor: state.accessor,
    ownsToken: state.ownsToken ?? true,
    leases: state.leases ?? [],
    files: state.files ?? [],
    createdAt: state.createdAt ?? "",
    ...(typeof state.expiresAt === "string" ? { expiresAt: state.expiresAt } : {}),
    ...(state.audit ? { audit: state.audit } : {}),
  };
}
