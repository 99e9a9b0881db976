/**
 * state/vault-state — everything one devvault holds: the namespace tree, the token and
 * lease stores, the root token, the clock, and the simulated seal and standby states
 * that sys/health reports.
 */
import { randomBase62, randomHex, uuid } from "../server/ids.js";
import { Acl } from "../policy/acl.js";
import type { PolicyRule } from "../policy/parse.js";
import { LeaseStore, type Clock } from "./leases.js";
import { Namespace } from "./namespace.js";
import { TokenStore, type TokenEntry } from "./tokens.js";

/** VaultState is one server's complete state. */
export class VaultState {
  readonly now: Clock;
  readonly leases: LeaseStore;
  readonly tokens: TokenStore;
  readonly root = new Namespace("", undefined);
  readonly rootToken: TokenEntry;
  readonly unsealKey = randomHex(32);
  readonly clusterName = `devvault-cluster-${randomHex(4)}`;
  readonly clusterId = uuid();
  sealed = false;
  standby = false;
  performanceStandby = false;

  constructor(options: { now?: Clock; rootToken?: string } = {}) {
    this.now = options.now ?? Date.now;
    this.leases = new LeaseStore(this.now);
    this.tokens = new TokenStore(this.now, this.leases);
    this.rootToken = this.tokens.create({
      id: options.rootToken ?? `s.${randomBase62(24)}`,
      policies: ["root"],
      namespace: this.root,
      path: "auth/token/root",
      displayName: "root",
      ttlSeconds: 0,
      maxTtlSeconds: 0,
      renewable: false,
    });
  }

  /** namespace finds a namespace by path ("", "team-a", "team-a/dev/"). */
  namespace(path: string): Namespace | undefined {
    let ns: Namespace | undefined = this.root;
    for (const name of path.split("/").filter(Boolean)) ns = ns?.child(name);
    return ns;
  }

  /** ensureNamespace finds or creates a namespace and its parents. */
  ensureNamespace(path: string): Namespace {
    let ns = this.root;
    for (const name of path.split("/").filter(Boolean)) ns = ns.child(name, true) ?? ns;
    return ns;
  }

  /** aclOf builds the ACL of `token` from the policies of its namespace. */
  aclOf(token: TokenEntry): Acl {
    if (token.policies.includes("root")) return new Acl([], true);
    const rules: PolicyRule[][] = [];
    for (const name of token.policies) {
      const policy = token.namespace.policies.get(name);
      if (policy) rules.push(policy.rules);
    }
    return new Acl(rules);
  }

  /** sweep ends expired tokens and leases. */
  sweep(): void {
    this.tokens.sweep();
    this.leases.sweep();
  }
}
