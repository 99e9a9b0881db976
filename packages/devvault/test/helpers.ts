/** helpers — a small client for driving a devvault over HTTP in unit tests. */
import type { DevVault } from "@vaultgate/devvault";

/** Answer is a status and the parsed JSON body (undefined for 204). */
export interface Answer {
  status: number;
  json: Record<string, unknown> | undefined;
}

/** client returns a function sending requests to `dv` with the root token unless told otherwise. */
export function client(dv: DevVault) {
  return async (
    method: string,
    path: string,
    options: { body?: unknown; token?: string | null; namespace?: string } = {},
  ): Promise<Answer> => {
    const token = options.token === undefined ? dv.rootToken : options.token;
    const res = await fetch(`${dv.addr}/v1/${path}`, {
      method,
      headers: {
        ...(token === null ? {} : { "x-vault-token": token }),
        ...(options.namespace ? { "x-vault-namespace": options.namespace } : {}),
      },
      ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
    });
    const text = await res.text();
    return { status: res.status, json: text ? (JSON.parse(text) as Record<string, unknown>) : undefined };
  };
}
