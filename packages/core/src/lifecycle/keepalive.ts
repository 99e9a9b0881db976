/**
 * lifecycle/keepalive — renews the credentials and leases of a run that another process
 * started (`vaultgate fetch` saved its state) while a long command uses what it read:
 * `vaultgate exec --from-file --renew-state`, Jenkins' vaultgate-env. The run that
 * started them still revokes them.
 */
import { DEFAULT_FETCH } from "../config/schema.js";
import type { LeaseRecord } from "../fetch/run.js";
import type { Platform } from "../platform.js";
import { resume } from "../providers/registry.js";
import { Renewer } from "./renewer.js";
import { USER_AGENT } from "./session.js";
import type { SessionState } from "./state.js";

/** KeepAlive is a running renewal; stop it when the command ends. */
export interface KeepAlive {
  stop(): Promise<void>;
}

/** startKeepAlive looks up the run's token and leases and renews them until stopped. */
export async function startKeepAlive(state: SessionState, platform: Platform): Promise<KeepAlive> {
  if (!state.vault) {
    // An AWS-only run keeps no credentials in its state: STS sessions are re-assumed only by the run that holds the ID token.
    platform.log.info("nothing to renew: the run has no vault token, and its AWS credentials expire with their session");
    return { stop: () => Promise.resolve() };
  }
  const session = await resume(state.vault, state, { platform, userAgent: USER_AGENT, fetch: DEFAULT_FETCH, lookup: true });
  try {
    const leases: LeaseRecord[] = [];
    for (const lease of state.leases) {
      const found = await session.lookupLease(lease.leaseId);
      leases.push({ leaseId: lease.leaseId, path: lease.path, ...found, obtainedAt: Date.now() });
    }
    const { ttlSeconds, renewable } = session.identity;
    const renewer = new Renewer({
      session,
      platform,
      token: state.ownsToken ? { ttlSeconds, renewable } : undefined,
      leases,
    });
    renewer.start();
    return {
      stop: async () => {
        await renewer.stop();
        session.close();
      },
    };
  } catch (error) {
    session.close();
    throw error;
  }
}
