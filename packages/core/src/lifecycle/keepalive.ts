/**
 * lifecycle/keepalive — renews the token and leases of a run that another process
 * started (`vaultgate fetch` saved its state) while a long command uses what it read:
 * `vaultgate exec --from-file --renew-state`, Jenkins' vaultgate-env. The run that
 * started them still revokes them.
 */
import { DEFAULT_FETCH } from "../config/schema.js";
import type { LeaseRecord } from "../fetch/run.js";
import type { Platform } from "../platform.js";
import { VaultClient } from "../providers/vault/client.js";
import { Renewer } from "./renewer.js";
import { USER_AGENT } from "./session.js";
import type { SessionState } from "./state.js";

/** KeepAlive is a running renewal; stop it when the command ends. */
export interface KeepAlive {
  stop(): Promise<void>;
}

/** startKeepAlive looks up the run's token and leases and renews them until stopped. */
export async function startKeepAlive(state: SessionState, platform: Platform): Promise<KeepAlive> {
  const client = new VaultClient({ vault: state.vault, fetch: DEFAULT_FETCH, userAgent: USER_AGENT });
  client.setToken(state.token);
  try {
    const self = await client.lookupSelf();
    const ttl = typeof self.creation_ttl === "number" && self.creation_ttl > 0 ? self.creation_ttl : Number(self.ttl ?? 0);
    const leases: LeaseRecord[] = [];
    for (const lease of state.leases) {
      const res = await client.call<{ data?: { ttl?: number; renewable?: boolean } }>("PUT", "sys/leases/lookup", {
        body: { lease_id: lease.leaseId },
        idempotent: true,
      });
      const data = res.body.data ?? {};
      leases.push({
        leaseId: lease.leaseId,
        path: lease.path,
        ttlSeconds: data.ttl ?? 0,
        renewable: data.renewable === true,
        obtainedAt: Date.now(),
      });
    }
    const renewer = new Renewer({
      client,
      platform,
      token: state.ownsToken ? { ttlSeconds: ttl, renewable: self.renewable === true } : undefined,
      leases,
    });
    renewer.start();
    return {
      stop: async () => {
        await renewer.stop();
        client.close();
      },
    };
  } catch (error) {
    client.close();
    throw error;
  }
}
