/**
 * vault-setup — configures a fresh OpenBao for the suites: jwt auth per CI platform
 * (validated with the local issuers' public keys), KV v1 and v2 mounts, a PKI engine
 * that issues leased certificates, policies, roles, and secrets generated for this run.
 */
import { randomBytes } from "node:crypto";
import type { IssuerKey } from "./issuer.js";

/** AUDIENCE is the audience every test role is bound to. */
export const AUDIENCE = "https://vault.vaultgate.test";

export const ISSUERS = {
  github: "https://token.actions.githubusercontent.com",
  gitlab: "https://gitlab.example.com",
  jenkins: "https://jenkins.example.com/oidc",
} as const;

/** VaultFixture describes the configured vault to the tests (provided by global setup). */
export interface VaultFixture {
  addr: string;
  rootToken: string;
  audience: string;
  issuers: { github: IssuerKey; gitlab: IssuerKey; jenkins: IssuerKey };
  mounts: { github: string; gitlab: string; jenkins: string };
  /** Secret values generated for this run, by name. */
  values: Record<string, string>;
  /** Number of bulk secrets at secret/app/bulk/NN (key `value`). */
  bulkCount: number;
  /** AppRole login material (mount `approle`, role `ci`). */
  approle: { roleId: string; secretId: string };
}

/** randomSecret returns a fresh random secret value. */
export function randomSecret(bytes = 24): string {
  return randomBytes(bytes).toString("base64url");
}

/** VaultAdmin is a root-token HTTP helper for setting up fixtures. */
export class VaultAdmin {
  readonly addr: string;
  readonly token: string;
  constructor(addr: string, token: string) {
    this.addr = addr;
    this.token = token;
  }

  /** call sends a request with the root token; non-2xx throws with Vault's errors. */
  async call(method: string, path: string, body?: unknown, token = this.token): Promise<Record<string, unknown>> {
    const res = await fetch(`${this.addr}/v1/${path}`, {
      method,
      headers: { "x-vault-token": token, ...(body === undefined ? {} : { "content-type": "application/json" }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`${method} ${path}: HTTP ${res.status} ${text}`);
    return text ? (JSON.parse(text) as Record<string, unknown>) : {};
  }

  /** tokenWorks tells whether `token` can still look itself up. */
  async tokenWorks(token: string): Promise<boolean> {
    const res = await fetch(`${this.addr}/v1/auth/token/lookup-self`, { headers: { "x-vault-token": token } });
    await res.arrayBuffer();
    return res.ok;
  }

  /** leaseExists tells whether a lease is still live. */
  async leaseExists(leaseId: string): Promise<boolean> {
    const res = await fetch(`${this.addr}/v1/sys/leases/lookup`, {
      method: "PUT",
      headers: { "x-vault-token": this.token, "content-type": "application/json" },
      body: JSON.stringify({ lease_id: leaseId }),
    });
    await res.arrayBuffer();
    return res.ok;
  }

  /** accessorWorks tells whether the token behind `accessor` still exists. */
  async accessorWorks(accessor: string): Promise<boolean> {
    const res = await fetch(`${this.addr}/v1/auth/token/lookup-accessor`, {
      method: "POST",
      headers: { "x-vault-token": this.token, "content-type": "application/json" },
      body: JSON.stringify({ accessor }),
    });
    await res.arrayBuffer();
    return res.ok;
  }

  /** putKv2 writes a KV v2 secret. */
  async putKv2(mount: string, path: string, data: Record<string, unknown>): Promise<void> {
    await this.call("POST", `${mount}/data/${path}`, { data });
  }
}

const APP_POLICY = `
path "secret/data/app/*" { capabilities = ["read"] }
path "secret/metadata/app/*" { capabilities = ["read", "list"] }
path "kv1/app/*" { capabilities = ["read"] }
path "pki/issue/app" { capabilities = ["update"] }
path "sys/leases/revoke" { capabilities = ["update"] }
`;

// Reads app secrets like APP_POLICY but may not revoke leases itself: its leases die
// with its token (the default policy has no sys/leases/revoke).
const APP_PLAIN_POLICY = `
path "secret/data/app/*" { capabilities = ["read"] }
path "secret/metadata/app/*" { capabilities = ["read", "list"] }
path "pki/issue/app" { capabilities = ["update"] }
`;

/** configureVault sets up mounts, roles, policies and secrets. */
export async function configureVault(
  admin: VaultAdmin,
  issuers: { github: IssuerKey; gitlab: IssuerKey; jenkins: IssuerKey },
): Promise<VaultFixture> {
  const mounts = { github: "jwt", gitlab: "jwt-gitlab", jenkins: "jwt-jenkins" };
  await admin.call("POST", "sys/policies/acl/app-read", { policy: APP_POLICY });
  await admin.call("POST", "sys/policies/acl/app-plain", { policy: APP_PLAIN_POLICY });

  for (const [platform, mount] of Object.entries(mounts) as [keyof typeof mounts, string][]) {
    await admin.call("POST", `sys/auth/${mount}`, { type: "jwt" });
    await admin.call("POST", `auth/${mount}/config`, {
      jwt_validation_pubkeys: [issuers[platform].publicPem],
      bound_issuer: issuers[platform].issuer,
    });
  }
  const role = (mount: string, name: string, body: Record<string, unknown>) =>
    admin.call("POST", `auth/${mount}/role/${name}`, {
      role_type: "jwt",
      bound_audiences: [AUDIENCE],
      user_claim: "sub",
      token_policies: ["app-read"],
      token_ttl: 300,
      token_max_ttl: 900,
      ...body,
    });
  // GitHub: bound to the main branch of acme/app; `sub` globbed the way users do.
  await role(mounts.github, "deploy", {
    bound_claims_type: "glob",
    bound_claims: { sub: "repo:acme/app:ref:refs/heads/main", repository: "acme/app" },
  });
  await role(mounts.github, "deploy-plain", { bound_claims: { repository: "acme/app" }, token_policies: ["app-plain"] });
  await role(mounts.github, "short-ttl", { bound_claims: { repository: "acme/app" }, token_ttl: 5, token_max_ttl: 120 });
  await role(mounts.github, "production", { bound_claims: { environment: "production" } });
  // GitLab: protected main branch of acme/app.
  await role(mounts.gitlab, "deploy", {
    user_claim: "user_login",
    bound_claims: { project_path: "acme/app", ref_type: "branch", ref: "main" },
  });
  // Jenkins: sub is the job URL.
  await role(mounts.jenkins, "deploy", { bound_claims: { sub: "https://jenkins.example.com/job/app/job/deploy/" } });

  await admin.call("POST", "sys/auth/approle", { type: "approle" });
  await admin.call("POST", "auth/approle/role/ci", { token_policies: ["app-read"], token_ttl: "5m", secret_id_ttl: "1h" });
  const roleId = String(((await admin.call("GET", "auth/approle/role/ci/role-id")).data as { role_id: string }).role_id);
  const secretId = String(((await admin.call("POST", "auth/approle/role/ci/secret-id")).data as { secret_id: string }).secret_id);

  await admin.call("POST", "sys/mounts/kv1", { type: "kv", options: { version: "1" } });
  await admin.call("POST", "sys/mounts/pki", { type: "pki", config: { max_lease_ttl: "24h" } });
  await admin.call("POST", "pki/root/generate/internal", { common_name: "vaultgate test root", ttl: "24h" });
  await admin.call("POST", "pki/roles/app", { allow_any_name: true, generate_lease: true, ttl: "1h", max_ttl: "2h" });

  const values: Record<string, string> = {
    dbUser: "app_user",
    dbPassword: randomSecret(),
    apiToken: randomSecret(),
    apiKey: randomSecret(),
    legacyPassword: randomSecret(),
    restricted: randomSecret(),
    jsonPassword: randomSecret(),
    multiline: `-----BEGIN TEST KEY-----\n${randomSecret(40)}\n${randomSecret(40)}\n-----END TEST KEY-----`,
    dotted: randomSecret(),
  };
  await admin.putKv2("secret", "app/db", { username: values.dbUser, password: values.dbPassword });
  await admin.putKv2("secret", "app/api", { token: values.apiToken, "api-key": values.apiKey, "tls.crt": values.dotted });
  await admin.putKv2("secret", "app/cert", { pem: values.multiline });
  await admin.putKv2("secret", "app/config", {
    settings: { db: { password: values.jsonPassword } },
    hosts: ["a", "b"],
    port: 5432,
  });
  await admin.putKv2("secret", "restricted/root", { token: values.restricted });
  await admin.call("POST", "kv1/app/legacy", { password: values.legacyPassword });
  const bulkCount = 50;
  for (let i = 1; i <= bulkCount; i++) {
    const name = `bulk${String(i).padStart(2, "0")}`;
    values[name] = randomSecret();
    await admin.putKv2("secret", `app/bulk/${String(i).padStart(2, "0")}`, { value: values[name] });
  }
  return {
    addr: admin.addr,
    rootToken: admin.token,
    audience: AUDIENCE,
    issuers,
    mounts,
    values,
    bulkCount,
    approle: { roleId, secretId },
  };
}

/** TestVault is a started OpenBao, configured, with its fixture. */
export interface TestVault {
  fixture: VaultFixture;
  stop(): Promise<void>;
}

/** startTestVault builds or reuses OpenBao, starts it, and configures it with fresh issuer keys. */
export async function startTestVault(): Promise<TestVault> {
  const { ensureOpenBao, startOpenBao } = await import("./openbao.js");
  const { createIssuerKey } = await import("./issuer.js");
  const server = await startOpenBao(await ensureOpenBao(), `root-${randomBytes(12).toString("hex")}`);
  try {
    const issuers = {
      github: await createIssuerKey(ISSUERS.github),
      gitlab: await createIssuerKey(ISSUERS.gitlab),
      jenkins: await createIssuerKey(ISSUERS.jenkins),
    };
    const fixture = await configureVault(new VaultAdmin(server.addr, server.rootToken), issuers);
    return { fixture, stop: () => server.stop() };
  } catch (error) {
    await server.stop();
    throw error;
  }
}
