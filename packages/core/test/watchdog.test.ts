import { describe, expect, it } from "vitest";
import { ExitCode, OutputError, VaultUnavailableError, Watchdog } from "../src/index.js";

const never = () => new Promise<never>(() => undefined);

describe("Watchdog", () => {
  it("passes through a step that settles before the deadline", async () => {
    const watchdog = new Watchdog(60);
    await expect(watchdog.within({ doing: "reading", kind: "vault" }, Promise.resolve(7))).resolves.toBe(7);
    await expect(watchdog.within({ doing: "reading", kind: "vault" }, Promise.reject(new Error("own")))).rejects.toThrow("own");
  });

  it("abandons a vault step still running at the deadline: VaultUnavailableError (exit 5) naming the step", async () => {
    const watchdog = new Watchdog(0);
    const error = await watchdog
      .within({ doing: "reading the secrets from https://v", kind: "vault" }, never())
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(VaultUnavailableError);
    expect((error as VaultUnavailableError).exitCode).toBe(ExitCode.unavailable);
    expect((error as Error).message).toMatch(/timeout of 0s: it was still reading the secrets from https:\/\/v/);
    expect((error as VaultUnavailableError).hint).toMatch(/--timeout/);
    expect(watchdog.expired).toBe(true);
  });

  it("an output step past the deadline is an OutputError (exit 6); an expired watchdog refuses at once", async () => {
    const watchdog = new Watchdog(60, Date.now() - 120_000);
    expect(watchdog.expired).toBe(true);
    const error = await watchdog.within({ doing: "writing out.env", kind: "output" }, never()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OutputError);
    expect((error as OutputError).exitCode).toBe(ExitCode.output);
  });

  it("gives a step its own grace past the deadline (a sent login)", async () => {
    const watchdog = new Watchdog(0);
    const step = { doing: "logging in", kind: "vault", graceSeconds: 3600 } as const;
    await expect(watchdog.within(step, Promise.resolve("token"))).resolves.toBe("token");
  });
});
