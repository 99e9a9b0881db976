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
  /** Namespace every call is sent to (X-Vault-Namespace), if any. */
  readonly namespace: string | undefined;
  constructor(addr: string, token: string, namespace?: string) {
    this.addr = addr;
    this.token = token;
    this.namespace = namespace;
  }

  /** call sends a request with the root token; non-2xx throws with Vault's errors. */
  async call(method: string, path: string, body?: unknown, token = this.token): Promise<Record<string, unknown>> {
    const res = await fetch(`${this.addr}/v1/${path}`, {
      method,
      headers: {
        "x-vault-token": token,
        ...(this.namespace ? { "x-vault-namespace": this.namespace } : {}),
        ...(body === undefined ? {} : { "content-type": "application/json" }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`${method} ${path}: HTTP ${res.status} ${text}`);
    return text ? (JSON.parse(text) as Record<string, unknown>) : {};
  }

  /** attempt sends a request and returns its status and body, whatever the status. */
  async attempt(
    method: string,
    path: string,
    body?: unknown,
    token = this.token,
  ): Promise<{ status: number; json: Record<string, unknown> }> {
    const res = await fetch(`${this.addr}/v1/${path}`, {
      method,
      headers: {
        ...(token ? { "x-vault-token": token } : {}),
        ...(this.namespace ? { "x-vault-namespace": this.namespace } : {}),
        ...(body === undefined ? {} : { "content-type": "application/json" }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    return { status: res.status, json: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
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

/** freshNamespace creates a namespace of its own for a test (isolated from the shared fixture) and an admin in it. */
export async function freshNamespace(admin: VaultAdmin, prefix: string): Promise<VaultAdmin> {
  const name = `${prefix}-${randomBytes(4).toString("hex")}`;
  await admin.call("POST", `sys/namespaces/${name}`, {});
  return new VaultAdmin(admin.addr, admin.token, name);
}

/**
 * FIXTURE_POLICIES are the fixture's policies. app-plain reads like app-read but may not
 * revoke leases itself: its leases die with its token (the default policy has no
 * sys/leases/revoke).
 */
export const FIXTURE_POLICIES: Readonly<Record<string, string>> = {
  "app-read": `
path "secret/data/app/*" { capabilities = ["read"] }
path "secret/metadata/app/*" { capabilities = ["read", "list"] }
path "kv1/app/*" { capabilities = ["read"] }
path "pki/issue/app" { capabilities = ["update"] }
path "sys/leases/revoke" { capabilities = ["update"] }
`,
  "app-plain": `
path "secret/data/app/*" { capabilities = ["read"] }
path "secret/metadata/app/*" { capabilities = ["read", "list"] }
path "pki/issue/app" { capabilities = ["update"] }
`,
};

/** FIXTURE_MOUNTS are the jwt auth mounts, one per CI platform's issuer. */
export const FIXTURE_MOUNTS = { github: "jwt", gitlab: "jwt-gitlab", jenkins: "jwt-jenkins" } as const;

const role = (body: Record<string, unknown>): Record<string, unknown> => ({
  role_type: "jwt",
  bound_audiences: [AUDIENCE],
  user_claim: "sub",
  token_policies: ["app-read"],
  token_ttl: 300,
  token_max_ttl: 900,
  ...body,
});

/** FIXTURE_ROLES are the jwt roles of each platform's mount, complete. */
export const FIXTURE_ROLES: Readonly<Record<keyof typeof FIXTURE_MOUNTS, Readonly<Record<string, Record<string, unknown>>>>> = {
  // GitHub: bound to the main branch of acme/app; `sub` globbed the way users do.
  github: {
    deploy: role({
      bound_claims_type: "glob",
      bound_claims: { sub: "repo:acme/app:ref:refs/heads/main", repository: "acme/app" },
    }),
    "deploy-plain": role({ bound_claims: { repository: "acme/app" }, token_policies: ["app-plain"] }),
    "short-ttl": role({ bound_claims: { repository: "acme/app" }, token_ttl: 5, token_max_ttl: 120 }),
    production: role({ bound_claims: { environment: "production" } }),
  },
  // GitLab: protected main branch of acme/app.
  gitlab: {
    deploy: role({ user_claim: "user_login", bound_claims: { project_path: "acme/app", ref_type: "branch", ref: "main" } }),
  },
  // Jenkins: sub is the job URL.
  jenkins: { deploy: role({ bound_claims: { sub: "https://jenkins.example.com/job/app/job/deploy/" } }) },
};

/** fixtureSecrets lays the run's values out as KV v2 (mount secret/) and KV v1 (kv1/) secrets. */
export function fixtureSecrets(v: Readonly<Record<string, string | undefined>>, bulkCount: number) {
  const kv2: Record<string, Record<string, unknown>> = {
    "app/db": { username: v.dbUser, password: v.dbPassword },
    "app/api": { token: v.apiToken, "api-key": v.apiKey, "tls.crt": v.dotted },
    "app/cert": { pem: v.multiline },
    "app/config": { settings: { db: { password: v.jsonPassword } }, hosts: ["a", "b"], port: 5432 },
    "restricted/root": { token: v.restricted },
  };
  for (let i = 1; i <= bulkCount; i++) {
    const n = String(i).padStart(2, "0");
    kv2[`app/bulk/${n}`] = { value: v[`bulk${n}`] };
  }
  const kv1: Record<string, Record<string, unknown>> = { "app/legacy": { password: v.legacyPassword } };
  return { kv2, kv1 };
}

/** configureVault sets up mounts, roles, policies and secrets. */
export async function configureVault(
  admin: VaultAdmin,
  issuers: { github: IssuerKey; gitlab: IssuerKey; jenkins: IssuerKey },
): Promise<VaultFixture> {
  const mounts = FIXTURE_MOUNTS;
  for (const [name, policy] of Object.entries(FIXTURE_POLICIES)) await admin.call("POST", `sys/policies/acl/${name}`, { policy });
  for (const [platform, mount] of Object.entries(mounts) as [keyof typeof mounts, string][]) {
    await admin.call("POST", `sys/auth/${mount}`, { type: "jwt" });
    await admin.call("POST", `auth/${mount}/config`, {
      jwt_validation_pubkeys: [issuers[platform].publicPem],
      bound_issuer: issuers[platform].issuer,
    });
    for (const [name, body] of Object.entries(FIXTURE_ROLES[platform]))
      await admin.call("POST", `auth/${mount}/role/${name}`, body);
  }

  await admin.call("POST", "sys/auth/approle", { type: "approle" });
  await admin.call("POST", "auth/approle/role/ci", { token_policies: ["app-read"], token_ttl: "5m", secret_id_ttl: "1h" });
  const roleId = String(((await admin.call("GET", "auth/approle/role/ci/role-id")).data as { role_id: string }).role_id);
  const secretId = String(((await admin.call("POST", "auth/approle/role/ci/secret-id")).data as { secret_id: string }).secret_id);

  await admin.call("POST", "sys/mounts/kv1", { type: "kv", options: { version: "1" } });
  await admin.call("POST", "sys/mounts/pki", { type: "pki", config: { max_lease_ttl: "24h" } });
  await admin.call("POST", "pki/root/generate/internal", { common_name: "vaultgate test root", ttl: "24h" });
  await admin.call("POST", "pki/roles/app", { allow_any_name: true, generate_lease: true, ttl: "1h", max_ttl: "2h" });

  const bulkCount = 50;
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
  for (let i = 1; i <= bulkCount; i++) values[`bulk${String(i).padStart(2, "0")}`] = randomSecret();
  const { kv2, kv1 } = fixtureSecrets(values, bulkCount);
  for (const [path, data] of Object.entries(kv2)) await admin.putKv2("secret", path, data);
  for (const [path, data] of Object.entries(kv1)) await admin.call("POST", `kv1/${path}`, data);
  return {
    addr: admin.addr,
    rootToken: admin.token,
    audience: AUDIENCE,
    issuers,
    mounts: { ...mounts },
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
