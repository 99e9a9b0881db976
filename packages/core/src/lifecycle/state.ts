/**
 * lifecycle/state — what a later step needs to end a run: the vault, the token, its
 * leases, the files written, and the credentials that only expire (AWS's: an AWS-only
 * run's state has no vault and no token). Saved 0600 by `fetch` (or a wrapper's main step) and
 * consumed by `revoke` (or the post step), which deletes it.
 *
 * The file keeps only what revocation needs: the vault's URL and namespace, the token,
 * its accessor, the lease ids, the files to remove. Not the vault's headers. PEM
 * material (a CA bundle, and for mutual TLS the client certificate and key, without
 * which the vault cannot be reached at all) goes to 0600 files beside it, named by
 * path; the audit record so far too. So the state stays small whatever the inputs (a
 * 200 KB CA bundle once made GitHub's post step fail to start: one environment string
 * is capped at 128 KiB), and GitHub's GITHUB_STATE carries only the state file's path.
 */
import { lstatSync, readFileSync } from "node:fs";
import type { TlsConfig, VaultConfig } from "../config/schema.js";
import { ConfigError } from "../errors.js";
import { removeFile, writeSecureFile } from "../export/files.js";
import type { AuditRecord } from "./audit.js";
import { foreignReason } from "./paths.js";

/** UnrevocableSource names credentials a run obtained that cannot be revoked (STS): they expire. */
export interface UnrevocableSource {
  source: "vault" | "aws";
  /** The role (an IAM role ARN) the credentials are of. */
  role: string;
  expiresAt?: string | undefined;
}

/** SessionState is the serializable hand-over from a fetch to its revoke. */
export interface SessionState {
  version: 1;
  /** The vault; absent when the run had none (AWS-only): then there is no token either. */
  vault?: VaultConfig | undefined;
  /** The vault token; "" (and absent from the file) without one. */
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
  /** Credentials of the run that cannot be revoked, so its end can say so. */
  unrevocable?: UnrevocableSource[] | undefined;
}

/** SavedVault is what a state file keeps of the vault configuration. */
interface SavedVault {
  url: string;
  namespace?: string | undefined;
  caCertFile?: string | undefined;
  clientCertFile?: string | undefined;
  clientKeyFile?: string | undefined;
  skipVerify?: boolean | undefined;
}

/** SIDE_FILES are the files beside a state file, by what they hold. */
const SIDE_FILES = { caCert: ".ca.pem", clientCert: ".client.pem", clientKey: ".client-key.pem", audit: ".audit.json" } as const;

/** saveState writes the state file and its side files (0600, atomically). */
export function saveState(path: string, state: SessionState): void {
  const tls = state.vault?.tls;
  const vault: SavedVault | undefined = state.vault && {
    url: state.vault.url,
    namespace: state.vault.namespace,
    caCertFile: keepSide(path, "caCert", tls?.caCert),
    clientCertFile: keepSide(path, "clientCert", tls?.clientCert),
    clientKeyFile: keepSide(path, "clientKey", tls?.clientKey),
    ...(tls?.skipVerify ? { skipVerify: true } : {}),
  };
  const auditFile = keepSide(path, "audit", state.audit ? JSON.stringify(state.audit) : undefined);
  const saved: Record<string, unknown> = { ...state, vault, auditFile };
  delete saved.audit;
  // Without a vault there is no token: the file holds no token field at all.
  if (!vault) for (const key of ["vault", "token", "accessor"]) delete saved[key];
  // Read by `revoke` or the post step on this machine: it must outlive a killed process, not a power loss.
  writeSecureFile(path, `${JSON.stringify(saved)}\n`, { durable: false });
}

/** removeState deletes a state file and its side files; missing ones are not an error. */
export function removeState(path: string): void {
  for (const suffix of Object.values(SIDE_FILES)) removeFile(`${path}${suffix}`);
  removeFile(path);
}

/** stateFileWriter returns the saveState of fetchJob for a state file: write it, or delete it when undefined. */
export function stateFileWriter(path: string): (state: SessionState | undefined) => void {
  return (state) => (state ? saveState(path, state) : removeState(path));
}

/** keepSide writes `content` to the state's side file of `kind` and returns its path, or removes it when undefined. */
function keepSide(path: string, kind: keyof typeof SIDE_FILES, content: string | undefined): string | undefined {
  const file = `${path}${SIDE_FILES[kind]}`;
  if (content === undefined) {
    removeFile(file);
    return undefined;
  }
  writeSecureFile(file, content, { durable: false });
  return file;
}

/**
 * loadState reads and checks a state file. A file that is not this user's own regular
 * file is refused unread: another user could have planted it to have `revoke` delete
 * files or talk to a vault of theirs.
 */
export function loadState(path: string): SessionState {
  let text: string;
  try {
    const stats = lstatSync(path);
    const reason = foreignReason(stats, "file");
    if (reason) {
      throw new ConfigError(`The state file ${path} is ${reason}; it was not used and nothing was revoked.`, {
        hint: "vaultgate only ends runs this user started; another user may have put it there. Remove it.",
      });
    }
    text = readFileSync(path, "utf8");
  } catch (error) {
    if (error instanceof ConfigError) throw error;
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

/** parseState checks a state file's text and reads the side files it names. */
export function parseState(text: string, label = "the saved state"): SessionState {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new ConfigError(`${label} is not JSON; nothing was revoked.`, { cause: error });
  }
  const state = parsed as Partial<Omit<SessionState, "vault">> & {
    vault?: SavedVault & Partial<VaultConfig>;
    auditFile?: string;
  };
  const shaped = state !== null && typeof state === "object" && state.version === 1;
  // An AWS-only run's state: no vault, no token, the credentials that only expire.
  const vaultless = shaped && state.vault === undefined && state.token === undefined && Array.isArray(state.unrevocable);
  if (!shaped || (!vaultless && (typeof state.token !== "string" || !state.vault?.url))) {
    throw new ConfigError(`${label} is not vaultgate state; nothing was revoked.`);
  }
  const audit = state.auditFile ? (JSON.parse(readSide(state.auditFile, label)) as AuditRecord) : state.audit;
  return {
    version: 1,
    ...(state.vault ? { vault: savedVault(state.vault, label) } : {}),
    token: state.token ?? "",
    accessor: state.accessor,
    ownsToken: state.ownsToken ?? true,
    leases: state.leases ?? [],
    files: state.files ?? [],
    createdAt: state.createdAt ?? "",
    ...(typeof state.expiresAt === "string" ? { expiresAt: state.expiresAt } : {}),
    ...(audit ? { audit } : {}),
    ...(Array.isArray(state.unrevocable) ? { unrevocable: state.unrevocable } : {}),
  };
}

/** savedVault rebuilds the vault configuration a state file describes (also the older, inline form). */
function savedVault(saved: SavedVault & Partial<VaultConfig>, label: string): VaultConfig {
  const read = (file: string | undefined) => (file ? readSide(file, label) : undefined);
  const tls: TlsConfig = saved.tls ?? {
    caCert: read(saved.caCertFile),
    clientCert: read(saved.clientCertFile),
    clientKey: read(saved.clientKeyFile),
    skipVerify: saved.skipVerify === true,
  };
  return { url: saved.url, namespace: saved.namespace, tls, headers: {} };
}

function readSide(file: string, label: string): string {
  try {
    return readFileSync(file, "utf8");
  } catch (error) {
    throw new ConfigError(`${label} names ${file}, which cannot be read; nothing was revoked.`, {
      hint: "The files beside a state file belong to it: remove them only with `vaultgate revoke`.",
      cause: error,
    });
  }
}
