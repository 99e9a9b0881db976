/**
 * targets — the two servers every contract test runs against: the real OpenBao from
 * the integration global setup (configured by test/harness/vault-setup.ts) and a
 * devvault started in-process from the equivalent seed, with the same issuer keys and
 * secret values. On top, each test file adds the same extras to both over the HTTP API
 * (a policy, jwt roles, a rabbitmq-type dynamic engine, a namespace), named with a
 * per-file suffix so files running in parallel never share them.
 */
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, inject } from "vitest";
import { startDevVault, type DevVault } from "@vaultgate/devvault";
import { AUDIENCE, TestIssuer, githubClaims, type TokenOptions, type VaultFixture } from "@vaultgate/test-harness";
import { startFakeRabbitMq, type FakeRabbitMq } from "./fake-rabbitmq.js";
import { fixtureSeed } from "./seed.js";

/** TARGETS names the servers, for describe.each. */
export const TARGETS = [{ name: "openbao" }, { name: "devvault" }] as const;
export type TargetName = (typeof TARGETS)[number]["name"];

/** ApiAnswer is a raw answer: status, parsed JSON (if any) and the text. */
export interface ApiAnswer {
  status: number;
  json: Record<string, unknown> | undefined;
  text: string;
}

/** Names are the per-file extras both servers carry. */
export interface ExtraNames {
  suffix: string;
  policy: string;
  role: string;
  globRole: string;
  subjectRole: string;
  /** A role with only the contract policy: no sys/leases/revoke. */
  plainRole: string;
  dynMount: string;
  namespace: string;
  kvPrefix: string;
}

/** Target is one configured server. */
export interface Target {
  name: TargetName;
  addr: string;
  rootToken: string;
  fixture: VaultFixture;
  names: ExtraNames;
  /** api sends one request (root token unless `token` is given; `token: null` sends none). */
  api(method: string, path: string, options?: { body?: unknown; token?: string | null; namespace?: string }): Promise<ApiAnswer>;
  /** githubToken signs a GitHub-shaped token with the fixture's GitHub issuer key. */
  githubToken(options?: TokenOptions & { aud?: string }): Promise<string>;
  /** login logs in on the GitHub jwt mount and returns the client token (fails the test otherwise). */
  login(role?: string): Promise<string>;
  /** credentialsLive tells whether a dynamic username has not been revoked yet. */
  credentialsLive(username: string): boolean;
  devvault: DevVault | undefined;
  close(): Promise<void>;
}

/** useTarget sets `name` up before the enclosing describe's tests and returns an accessor. */
export function useTarget(name: TargetName): () => Target {
  let target: Target | undefined;
  beforeAll(async () => {
    target = await openTarget(name);
  });
  afterAll(async () => {
    await target?.close();
  });
  return () => {
    if (!target) throw new Error(`target ${name} is not set up`);
    return target;
  };
}

async function openTarget(name: TargetName): Promise<Target> {
  const bao = inject("vault");
  const suffix = randomBytes(4).toString("hex");
  const names: ExtraNames = {
    suffix,
    policy: `contract-${suffix}`,
    role: `contract-${suffix}`,
    globRole: `contract-${suffix}-glob`,
    subjectRole: `contract-${suffix}-subject`,
    plainRole: `contract-${suffix}-plain`,
    dynMount: `dyn-${suffix}`,
    namespace: `contract-${suffix}`,
    kvPrefix: `app/contract-${suffix}`,
  };
  let devvault: DevVault | undefined;
  let rabbit: FakeRabbitMq | undefined;
  let fixture = bao;
  if (name === "devvault") {
    devvault = await startDevVault({ seed: fixtureSeed(bao) });
    fixture = { ...bao, addr: devvault.addr, rootToken: devvault.rootToken };
  } else {
    rabbit = await startFakeRabbitMq();
  }
  const api: Target["api"] = async (method, path, options = {}) => {
    const token = options.token === undefined ? fixture.rootToken : options.token;
    const headers: Record<string, string> = {};
    if (token !== null) headers["x-vault-token"] = token;
    if (options.namespace) headers["x-vault-namespace"] = options.namespace;
    if (options.body !== undefined) headers["content-type"] = "application/json";
    const res = await fetch(`${fixture.addr}/v1/${path}`, {
      method,
      headers,
      ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
    });
    const text = await res.text();
    let json: Record<string, unknown> | undefined;
    try {
      json = text ? (JSON.parse(text) as Record<string, unknown>) : undefined;
    } catch {
      json = undefined;
    }
    return { status: res.status, json, text };
  };
  const issuer = new TestIssuer(bao.issuers.github);
  const target: Target = {
    name,
    addr: fixture.addr,
    rootToken: fixture.rootToken,
    fixture,
    names,
    api,
    devvault,
    githubToken: ({ aud, ...options } = {}) => issuer.sign(githubClaims(aud ?? AUDIENCE), options),
    async login(role = names.role) {
      const answer = await api("POST", `auth/${bao.mounts.github}/login`, {
        token: null,
        body: { role, jwt: await target.githubToken() },
      });
      const auth = answer.json?.auth as { client_token?: string } | undefined;
      if (answer.status !== 200 || !auth?.client_token) throw new Error(`login as ${role} failed: ${answer.text}`);
      return auth.client_token;
    },
    credentialsLive: (username) =>
      devvault ? devvault.liveCredentials(names.dynMount).includes(username) : (rabbit?.users.has(username) ?? false),
    async close() {
      await devvault?.close();
      await rabbit?.close();
    },
  };
  await applyExtras(target, rabbit?.url ?? "http://127.0.0.1:9");
  return target;
}

/** applyExtras configures the per-file extras over the HTTP API, identically on both servers. */
async function applyExtras(t: Target, rabbitUrl: string): Promise<void> {
  const n = t.names;
  const must = async (method: string, path: string, body?: unknown, namespace?: string) => {
    const answer = await t.api(method, path, { body, ...(namespace ? { namespace } : {}) });
    if (answer.status >= 300) throw new Error(`${t.name}: ${method} ${path}: HTTP ${answer.status} ${answer.text}`);
  };
  const jwt = t.fixture.mounts.github;
  await must("PUT", `sys/policies/acl/${n.policy}`, {
    policy: [
      `path "${n.dynMount}/creds/app" { capabilities = ["read"] }`,
      `path "secret/data/${n.kvPrefix}/*" { capabilities = ["read"] }`,
      `path "secret/metadata/${n.kvPrefix}" { capabilities = ["list"] }`,
      `path "secret/data/${n.kvPrefix}/+/config" { capabilities = ["read", "update"] }`,
    ].join("\n"),
  });
  const role = (extra: Record<string, unknown>) => ({
    role_type: "jwt",
    bound_audiences: [AUDIENCE],
    user_claim: "sub",
    token_policies: ["app-read", n.policy],
    token_ttl: 300,
    token_max_ttl: 900,
    ...extra,
  });
  await must("POST", `auth/${jwt}/role/${n.role}`, role({ bound_claims: { repository: "acme/app" } }));
  await must(
    "POST",
    `auth/${jwt}/role/${n.globRole}`,
    role({ bound_claims_type: "glob", bound_claims: { sub: "repo:acme/app*" } }),
  );
  await must("POST", `auth/${jwt}/role/${n.subjectRole}`, role({ bound_subject: "repo:acme/app:ref:refs/heads/release" }));
  await must(
    "POST",
    `auth/${jwt}/role/${n.plainRole}`,
    role({ bound_claims: { repository: "acme/app" }, token_policies: [n.policy] }),
  );
  await must("POST", `sys/mounts/${n.dynMount}`, { type: "rabbitmq" });
  await must("POST", `${n.dynMount}/config/connection`, {
    connection_uri: rabbitUrl,
    username: "admin",
    password: randomBytes(12).toString("hex"),
    verify_connection: false,
  });
  await must("POST", `${n.dynMount}/config/lease`, { ttl: 600, max_ttl: 1800 });
  await must("POST", `${n.dynMount}/roles/app`, { vhosts: '{"/":{"write":".*","read":".*"}}' });
  await must("POST", `sys/namespaces/${n.namespace}`, {});
  await must("POST", "sys/mounts/secret", { type: "kv", options: { version: "2" } }, n.namespace);
  await must("PUT", "sys/policies/acl/reader", { policy: 'path "secret/data/*" { capabilities = ["read"] }' }, n.namespace);
  await must("POST", `sys/auth/${jwt}`, { type: "jwt" }, n.namespace);
  await must(
    "POST",
    `auth/${jwt}/config`,
    { jwt_validation_pubkeys: [t.fixture.issuers.github.publicPem], bound_issuer: t.fixture.issuers.github.issuer },
    n.namespace,
  );
  await must(
    "POST",
    `auth/${jwt}/role/reader`,
    role({ bound_claims: { repository: "acme/app" }, token_policies: ["reader"] }),
    n.namespace,
  );
}

/** eventually retries `check` until it passes or `ms` elapse (OpenBao revokes a token's leases in the background). */
export async function eventually(check: () => Promise<void> | void, ms = 3000): Promise<void> {
  const until = Date.now() + ms;
  for (;;) {
    try {
      await check();
      return;
    } catch (error) {
      if (Date.now() > until) throw error;
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}
