/**
 * devvault — starts the embedded dev vault: one loopback HTTP server speaking the
 * Vault API subset vaultgate uses (under /v1/) and hosting a local OIDC issuer (under
 * /oidc/), configured from a seed. A KV v2 engine is mounted at secret/ unless the
 * seed says otherwise, as OpenBao's dev server does.
 */
import type { AddressInfo } from "node:net";
import { ConfigError } from "@vaultgate/core";
import { CredentialsEngine } from "./engines/credentials.js";
import { KvV2Engine } from "./engines/kv-v2.js";
import { DevIssuer, type IdentityContexts, type IssuerKeyMaterial } from "./issuer/issuer.js";
import { ISSUER_BASE } from "./issuer/routes.js";
import { applySeed } from "./seed/apply.js";
import { parseSeed } from "./seed/load.js";
import type { IssuerSeed, Seed } from "./seed/schema.js";
import { validateSeed } from "./seed/schema.js";
import { createDevServer, type DevServer, type RequestEvent } from "./server/http.js";
import type { Clock } from "./state/leases.js";
import { VaultState } from "./state/vault-state.js";

const LOOPBACK = ["127.0.0.1", "::1", "localhost"];

/** DevVaultOptions configure a devvault. */
export interface DevVaultOptions {
  /** Loopback interface to listen on (default 127.0.0.1). */
  host?: string;
  /** Port (default 0: any free port). */
  port?: number;
  /** The seed: YAML text or an object. */
  seed?: Seed | string;
  /** Root token id (default: the seed's root_token, else random). */
  rootToken?: string;
  issuer?: {
    /** The `iss` of minted tokens (default <addr>/oidc, where discovery is served). */
    url?: string;
    /** Signing key (default: generated). */
    key?: IssuerKeyMaterial;
    identities?: IdentityContexts;
  };
  /** Clock in milliseconds, for tests of expiry (default Date.now). */
  now?: Clock;
  /** Called after each answer with method, path (no query), status and time; never bodies or headers. */
  onRequest?: (event: RequestEvent) => void;
}

/** DevVault is a running dev vault. */
export class DevVault {
  readonly addr: string;
  readonly issuer: DevIssuer;
  readonly state: VaultState;
  readonly #server: DevServer;

  private constructor(addr: string, issuer: DevIssuer, state: VaultState, server: DevServer) {
    this.addr = addr;
    this.issuer = issuer;
    this.state = state;
    this.#server = server;
  }

  /** start listens, then applies the seed (the issuer's URL is known only once listening). */
  static async start(options: DevVaultOptions = {}): Promise<DevVault> {
    const seed = typeof options.seed === "string" ? parseSeed(options.seed) : validateSeed(options.seed ?? {}, "(object)");
    const state = new VaultState({
      ...(options.now ? { now: options.now } : {}),
      ...((options.rootToken ?? seed.root_token) ? { rootToken: options.rootToken ?? seed.root_token } : {}),
    });
    state.root.mountSecrets("secret", new KvV2Engine(state.now), "key/value secret storage");
    let issuer: DevIssuer | undefined;
    const server = createDevServer(state, () => issuer, options.onRequest);
    const host = options.host ?? "127.0.0.1";
    // A dev vault prints its root token and speaks plain HTTP: it never leaves this machine.
    if (!LOOPBACK.includes(host)) {
      throw new ConfigError(`devvault listens on loopback only (127.0.0.1, ::1 or localhost), not "${host}".`);
    }
    const { listener } = server;
    await new Promise<void>((resolve, reject) => {
      listener.once("error", reject);
      listener.listen(options.port ?? 0, host, () => {
        listener.off("error", reject);
        resolve();
      });
    });
    try {
      const { port } = listener.address() as AddressInfo;
      const addr = `http://${host.includes(":") ? `[${host}]` : host}:${port}`;
      const url = options.issuer?.url ?? seed.issuer?.url ?? `${addr}${ISSUER_BASE}`;
      issuer = await DevIssuer.create(
        url,
        options.issuer?.key,
        options.issuer?.identities ?? identitiesOf(seed.issuer),
        state.now,
      );
      applySeed(state, seed, issuer);
      return new DevVault(addr, issuer, state, server);
    } catch (error) {
      listener.close();
      throw error;
    }
  }

  /** rootToken is the root token's id. */
  get rootToken(): string {
    return this.state.rootToken.id;
  }

  /** unsealKey unseals through PUT sys/unseal {"key": ...}. */
  get unsealKey(): string {
    return this.state.unsealKey;
  }

  /** apply adds a seed's content to the running vault. */
  apply(seed: Seed | string): void {
    applySeed(this.state, typeof seed === "string" ? parseSeed(seed) : validateSeed(seed, "(object)"), this.issuer);
  }

  /** seal makes every request but sys/health, seal-status and unseal answer 503 "Vault is sealed". */
  seal(): void {
    this.state.sealed = true;
  }

  /** unseal ends seal(). */
  unseal(): void {
    this.state.sealed = false;
  }

  /** setStandby makes sys/health report a standby (429) or performance standby (473) node. */
  setStandby(standby: boolean, performance = false): void {
    this.state.standby = standby && !performance;
    this.state.performanceStandby = standby && performance;
  }

  /** githubEnv is what a GitHub job with `id-token: write` sees, pointing at this issuer. */
  githubEnv(): { ACTIONS_ID_TOKEN_REQUEST_URL: string; ACTIONS_ID_TOKEN_REQUEST_TOKEN: string } {
    return {
      // The runner's URL already carries a query string; clients append &audience=.
      ACTIONS_ID_TOKEN_REQUEST_URL: `${this.addr}${ISSUER_BASE}/github/idtoken?api-version=2.0`,
      ACTIONS_ID_TOKEN_REQUEST_TOKEN: this.issuer.requestToken,
    };
  }

  /** liveLeases lists the ids of leases that have not ended. */
  liveLeases(): string[] {
    return this.state.leases.ids();
  }

  /** liveCredentials lists the usernames a database (or rabbitmq) mount has issued and not yet revoked. */
  liveCredentials(mount = "database", namespace = ""): string[] {
    const engine = this.state.namespace(namespace)?.secretMounts.get(`${mount}/`)?.engine;
    return engine instanceof CredentialsEngine ? engine.liveUsernames() : [];
  }

  /** close stops the server and drops open connections. */
  close(): Promise<void> {
    return this.#server.close();
  }
}

/** startDevVault is DevVault.start. */
export function startDevVault(options: DevVaultOptions = {}): Promise<DevVault> {
  return DevVault.start(options);
}

function identitiesOf(seed: IssuerSeed | undefined): IdentityContexts {
  const out: IdentityContexts = {};
  const gh = seed?.github;
  if (gh) {
    out.github = {
      ...(gh.repository ? { repository: gh.repository } : {}),
      ...(gh.ref ? { ref: gh.ref } : {}),
      ...(gh.environment ? { environment: gh.environment } : {}),
      ...(gh.event_name ? { eventName: gh.event_name } : {}),
    };
  }
  const gl = seed?.gitlab;
  if (gl) {
    out.gitlab = {
      ...(gl.project_path ? { projectPath: gl.project_path } : {}),
      ...(gl.ref ? { ref: gl.ref } : {}),
      ...(gl.ref_type ? { refType: gl.ref_type } : {}),
      ...(gl.environment ? { environment: gl.environment } : {}),
    };
  }
  const jk = seed?.jenkins;
  if (jk) {
    out.jenkins = {
      ...(jk.url ? { jenkinsUrl: jk.url } : {}),
      ...(jk.job ? { job: jk.job } : {}),
      ...(jk.build_number !== undefined ? { buildNumber: jk.build_number } : {}),
    };
  }
  return out;
}
