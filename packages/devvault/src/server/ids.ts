/** server/ids — random identifiers in the shapes Vault uses (tokens, accessors, lease ids). */
import { randomBytes, randomUUID } from "node:crypto";

const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

/** randomBase62 returns `length` random characters from [A-Za-z0-9]. */
export function randomBase62(length: number): string {
  let out = "";
  while (out.length < length) {
    for (const byte of randomBytes(length * 2)) {
      // 248 = 4 * 62: drop the tail of the byte range so every character is equally likely.
      if (byte < 248 && out.length < length) out += ALPHABET[byte % 62] ?? "";
    }
  }
  return out;
}

/** randomHex returns `bytes` random bytes as hex. */
export function randomHex(bytes: number): string {
  return randomBytes(bytes).toString("hex");
}

/** uuid returns a random UUID. */
export function uuid(): string {
  return randomUUID();
}
