// The retry policy with an injected clock and sleep: what is retried, how long it waits.
import { describe, expect, it } from "vitest";
import { RetriesExhaustedError, parseRetryAfter, withRetry, isTransientStatus } from "@vaultgate/core";

function clock() {
  let now = 0;
  const sleeps: number[] = [];
  return {
    now: () => now,
    sleep: (ms: number) => {
      sleeps.push(ms);
      now += ms;
      return Promise.resolve();
    },
    sleeps,
  };
}

describe("withRetry", () => {
  it("retries transient errors with capped, jittered backoff, then succeeds", async () => {
    const c = clock();
    let calls = 0;
    const result = await withRetry(() => (++calls < 4 ? Promise.reject(new Error("transient")) : Promise.resolve("ok")), {
      maxAttempts: 6,
      deadline: 60_000,
      classify: () => ({ retry: true }),
      random: () => 1,
      now: c.now,
      sleep: c.sleep,
      baseDelayMs: 100,
      maxDelayMs: 250,
    });
    expect(result).toBe("ok");
    expect(c.sleeps).toEqual([100, 200, 250]);
  });

  it("rethrows a permanent error at once", async () => {
    const c = clock();
    const error = new Error("403");
    await expect(
      withRetry(() => Promise.reject(error), { maxAttempts: 6, deadline: 1e9, classify: () => ({ retry: false }), ...c }),
    ).rejects.toBe(error);
    expect(c.sleeps).toEqual([]);
  });

  it("honours Retry-After", async () => {
    const c = clock();
    let calls = 0;
    await withRetry(() => (++calls < 2 ? Promise.reject(new Error("429")) : Promise.resolve(1)), {
      maxAttempts: 3,
      deadline: 60_000,
      classify: () => ({ retry: true, afterMs: 2000 }),
      random: () => 0,
      ...c,
    });
    expect(c.sleeps).toEqual([2000]);
  });

  it("stops at the deadline and says how many attempts were made", async () => {
    const c = clock();
    const run = withRetry(() => Promise.reject(new Error("503")), {
      maxAttempts: 100,
      deadline: 1000,
      classify: () => ({ retry: true }),
      random: () => 1,
      baseDelayMs: 300,
      ...c,
    });
    await expect(run).rejects.toThrow(RetriesExhaustedError);
    await expect(run).rejects.toThrow(/failed after 3 attempts: 503 \(deadline reached\)/);
  });

  it("gives up when Retry-After is past the deadline", async () => {
    const c = clock();
    await expect(
      withRetry(() => Promise.reject(new Error("429")), {
        maxAttempts: 5,
        deadline: 1000,
        classify: () => ({ retry: true, afterMs: 5000 }),
        ...c,
      }),
    ).rejects.toThrow(/asked to wait 5 s, past the deadline/);
  });
});

describe("parseRetryAfter and statuses", () => {
  it.each([
    ["3", 3000],
    [undefined, undefined],
    ["soon", undefined],
  ])("parses %j", (value, expected) => expect(parseRetryAfter(value)).toBe(expected));
  it("parses an HTTP date", () => {
    expect(parseRetryAfter(new Date(10_000).toUTCString(), 4_000)).toBe(6000);
  });
  it.each([
    [408, true],
    [412, true],
    [429, true],
    [500, true],
    [503, true],
    [501, false],
    [400, false],
    [401, false],
    [403, false],
    [404, false],
  ])("status %i transient: %s", (status, expected) => expect(isTransientStatus(status)).toBe(expected));
});
