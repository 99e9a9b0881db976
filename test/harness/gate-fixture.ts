/**
 * gate-fixture — the broken and healthy setups the gate's verdict tests add to the test
 * vault, named with a per-file suffix: a namespace with its own KV v2 mount, policy and
 * jwt mounts (GitLab and GitHub issuers, role `deploy`), jwt roles that issue batch
 * tokens, and a KV v2 secret whose latest version is destroyed.
 */
import { randomBytes } from "node:crypto";
import { FIXTURE_MOUNTS, FIXTURE_ROLES, VaultAdmin, randomSecret, type VaultFixture } from "./vault-setup.js";

/** GateFixture names what setUpGateFixture created. */
export interface GateFixture {
  suffix: string;
  /** A namespace where a healthy setup lives: secret/app/db (key password) readable by role deploy. */
  namespace: string;
  /** A namespace name that does not exist. */
  missingNamespace: string;
  /** A jwt role issuing batch tokens, on the GitLab and on the GitHub mount. */
  batchRole: string;
  /** A KV v2 secret (key value) whose version 2 is destroyed and version 1 still has data. */
  destroyedPath: string;
  /** The values this fixture wrote. */
  values: string[];
}

/** setUpGateFixture configures the fixture with the root token. */
export async function setUpGateFixture(vault: VaultFixture): Promise<GateFixture> {
  const admin = new VaultAdmin(vault.addr, vault.rootToken);
  const suffix = randomBytes(4).toString("hex");
  const namespace = `gate-${suffix}`;
  const values = [randomSecret(), randomSecret(), randomSecret()];
  const inNamespace = async (method: string, path: string, body: unknown) => {
    const res = await fetch(`${vault.addr}/v1/${path}`, {
      method,
      headers: { "x-vault-token": vault.rootToken, "x-vault-namespace": namespace, "content-type": "application/json" },
      body: JSON.stringify(body),
    });
    if (!res.ok) throw new Error(`${method} ${path} in ${namespace}: HTTP ${res.status} ${await res.text()}`);
    await res.arrayBuffer();
  };
  await admin.call("POST", `sys/namespaces/${namespace}`, {});
  await inNamespace("POST", "sys/mounts/secret", { type: "kv", options: { version: "2" } });
  await inNamespace("POST", "secret/data/app/db", { data: { password: values[0] } });
  await inNamespace("PUT", "sys/policies/acl/app-read", { policy: 'path "secret/data/app/*" { capabilities = ["read"] }' });
  for (const platform of ["gitlab", "github"] as const) {
    const mount = FIXTURE_MOUNTS[platform];
    await inNamespace("POST", `sys/auth/${mount}`, { type: "jwt" });
    await inNamespace("POST", `auth/${mount}/config`, {
      jwt_validation_pubkeys: [vault.issuers[platform].publicPem],
      bound_issuer: vault.issuers[platform].issuer,
    });
    await inNamespace("POST", `auth/${mount}/role/deploy`, { ...FIXTURE_ROLES[platform].deploy, token_policies: ["app-read"] });
    await admin.call("POST", `auth/${mount}/role/batch-${suffix}`, { ...FIXTURE_ROLES[platform].deploy, token_type: "batch" });
  }
  const destroyed = `app/destroyed-${suffix}`;
  await admin.putKv2("secret", destroyed, { value: values[1] });
  await admin.putKv2("secret", destroyed, { value: values[2] });
  await admin.call("PUT", `secret/destroy/${destroyed}`, { versions: [2] });
  return {
    suffix,
    namespace,
    missingNamespace: `no-such-${suffix}`,
    batchRole: `batch-${suffix}`,
    destroyedPath: `secret/${destroyed}`,
    values,
  };
}
