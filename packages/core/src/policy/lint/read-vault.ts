/**
 * policy/lint/read-vault — reads a live vault's trust with a read-only admin token:
 * the jwt/oidc auth mounts (sys/auth), their config and roles, the policies those roles
 * grant plus `default` (sys/policies/acl), and the KV mounts (sys/mounts). Reads only.
 */
import { VaultHttpError, type VaultClient } from "../../providers/vault/client.js";
import { parsePolicy } from "../acl.js";
import { policySnapshot } from "./read-files.js";
import type { Location, MountSnapshot, PolicySnapshot, RoleSnapshot, TrustSnapshot } from "./model.js";
import { policiesOf, text } from "./facts.js";

const vaultAt = (uri: string, logical: string): Location => ({ uri, vault: true, line: undefined, logical });

async function readOrUndefined(client: VaultClient, path: string): Promise<Record<string, unknown> | undefined> {
  try {
    return (await client.read(path)).data ?? undefined;
  } catch (error) {
    if (error instanceof VaultHttpError && error.status === 404) return undefined;
    throw error;
  }
}

async function listOrEmpty(client: VaultClient, path: string): Promise<string[]> {
  try {
    const keys = (await client.call<{ data?: { keys?: unknown } }>("LIST", path)).body.data?.keys;
    return Array.isArray(keys) ? keys.map(String) : [];
  } catch (error) {
    if (error instanceof VaultHttpError && error.status === 404) return [];
    throw error;
  }
}

/** readVaultTrust builds a snapshot of the vault behind `client` (its namespace, if any). */
export async function readVaultTrust(client: VaultClient, label: string): Promise<TrustSnapshot> {
  const auth = (await client.read("sys/auth")).data ?? {};
  const mounts: MountSnapshot[] = [];
  for (const [rawPath, info] of Object.entries(auth)) {
    const type = text((info as { type?: unknown }).type);
    if (type !== "jwt" && type !== "oidc") continue;
    const path = rawPath.replace(/\/+$/, "");
    const config = (await readOrUndefined(client, `auth/${path}/config`)) ?? {};
    const roles: RoleSnapshot[] = [];
    for (const name of await listOrEmpty(client, `auth/${path}/role`)) {
      const data = await readOrUndefined(client, `auth/${path}/role/${encodeURIComponent(name)}`);
      if (data)
        roles.push({ mount: path, name, data, location: vaultAt(`auth/${path}/role/${name}`, `role ${name} on auth/${path}`) });
    }
    mounts.push({ path, type, config, location: vaultAt(`auth/${path}/config`, `auth/${path} config`), roles });
  }
  const names = new Set(["default", ...mounts.flatMap((m) => m.roles.flatMap((r) => policiesOf(r)))]);
  const policies = new Map<string, PolicySnapshot>();
  for (const name of names) {
    if (name === "root") continue;
    const data = await readOrUndefined(client, `sys/policies/acl/${encodeURIComponent(name)}`);
    const text = typeof data?.policy === "string" ? data.policy : undefined;
    if (text === undefined) continue;
    const uri = `sys/policies/acl/${name}`;
    const rules = await parsePolicy(text, uri);
    policies.set(name, policySnapshot(name, rules, text, vaultAt(uri, `policy ${name}`)));
  }
  const secretMounts = (await client.read("sys/mounts")).data ?? {};
  const kvMounts = Object.entries(secretMounts)
    .filter(([, info]) => (info as { type?: unknown }).type === "kv")
    .map(([p]) => p.replace(/\/+$/, ""));
  return { source: label, mounts, policies, kvMounts, aws: [] };
}
