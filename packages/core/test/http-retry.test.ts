// The retry policy (http/retry) with an injected clock, sleep and randomness: what is
// retried, how long it waits, that the deadline (not an attempt count) ends it, and
// that many throttled jobs spread their retries instead of coming back together.
import { describe, expect, it } from "vitest";
import {
  RetriesExhaustedError,
  THROTTLE_WINDOW_MS,
  backoffDelay,
  isTransientStatus,
  parseRetryAfter,
  serverWait,
  withRetry,
} from "@vaultgate/core";

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

  it("takes Retry-After as a floor with up to one window of jitter on top", () => {
    const shape = { baseDelayMs: 200, maxDelayMs: 4000 };
    expect(backoffDelay(1, { retry: true, afterMs: 1000 }, { ...shape, random: () => 0 })).toBe(1000);
    expect(backoffDelay(1, { retry: true, afterMs: 1000 }, { ...shape, random: () => 0.999 })).toBe(1999);
  });

  it("waits a throttled answer out for at least one rate-limit window, capped a few seconds later", () => {
    const shape = { baseDelayMs: 200, maxDelayMs: 4000 };
    for (const attempt of [1, 2, 5, 20]) {
      expect(backoffDelay(attempt, { retry: true, throttled: true }, { ...shape, random: () => 0 })).toBe(THROTTLE_WINDOW_MS);
      expect(backoffDelay(attempt, { retry: true, throttled: true }, { ...shape, random: () => 0.999 })).toBeLessThan(
        THROTTLE_WINDOW_MS + 4000,
      );
    }
    expect(backoffDelay(1, { retry: true }, { ...shape, random: () => 0.5 })).toBe(100);
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

  it("without an attempt cap, retries until the deadline and starts the last attempt before it", async () => {
    const c = clock();
    let calls = 0;
    const run = withRetry(
      () => {
        calls++;
        return Promise.reject(new Error("429"));
      },
      { deadline: 60_000, classify: () => ({ retry: true, throttled: true }), random: () => 0.5, ...c },
    );
    await expect(run).rejects.toThrow(/deadline reached/);
    // 60 s of throttled waits of 1.5-3 s each: far more than the 6 attempts of a fixed cap.
    expect(calls).toBeGreaterThan(15);
    expect(c.now()).toBeLessThanOrEqual(60_000);
    expect(Math.max(...c.sleeps)).toBeLessThanOrEqual(THROTTLE_WINDOW_MS + 4000);
  });

  it("shortens the last wait so that one more attempt starts before the deadline", async () => {
    const c = clock();
    let calls = 0;
    await expect(
      withRetry(() => (++calls, Promise.reject(new Error("503"))), {
        deadline: 2500,
        classify: () => ({ retry: true }),
        random: () => 1,
        baseDelayMs: 2000,
        ...c,
      }),
    ).rejects.toThrow(RetriesExhaustedError);
    expect(c.sleeps).toEqual([2000, 400]);
    expect(calls).toBe(3);
  });

  it("retries throttled answers until the later throttled deadline, other errors until the deadline", async () => {
    /** retriedUntil is the clock's time when retries of always-failing attempts end. */
    const retriedUntil = async (throttled: boolean) => {
      const c = clock();
      await expect(
        withRetry(() => Promise.reject(new Error(throttled ? "429" : "503")), {
          deadline: 10_000,
          throttledDeadline: 60_000,
          classify: () => ({ retry: true, throttled }),
          random: () => 0.5,
          ...c,
        }),
      ).rejects.toThrow(/deadline reached/);
      return c.now();
    };
    const throttledEnd = await retriedUntil(true);
    expect(throttledEnd).toBeGreaterThan(50_000);
    expect(throttledEnd).toBeLessThanOrEqual(60_000);
    expect(await retriedUntil(false)).toBeLessThanOrEqual(10_000);
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

describe("many jobs throttled at the same moment", () => {
  /** seeded is a small deterministic PRNG (mulberry32), so the spread is the same on every run. */
  function seeded(seed: number): () => number {
    let a = seed;
    return () => {
      a = (a + 0x6d2b79f5) | 0;
      let t = Math.imul(a ^ (a >>> 15), 1 | a);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
  }

  it("do not retry in lockstep: their retries spread over several one-second windows", async () => {
    const jobs = 50;
    const retryTimes: number[] = [];
    await Promise.all(
      Array.from({ length: jobs }, async (_, job) => {
        const c = clock();
        let calls = 0;
        await withRetry(
          () => {
            if (++calls > 1) retryTimes.push(c.now());
            return calls < 3 ? Promise.reject(new Error("429")) : Promise.resolve();
          },
          { deadline: 60_000, classify: () => ({ retry: true, throttled: true, afterMs: 0 }), random: seeded(job + 1), ...c },
        );
      }),
    );
    const perWindow = new Map<number, number>();
    for (const t of retryTimes) perWindow.set(Math.floor(t / 1000), (perWindow.get(Math.floor(t / 1000)) ?? 0) + 1);
    // 100 retries of 50 jobs that were all refused at t=0: none in the spent window, no window with most of them.
    expect(perWindow.has(0)).toBe(false);
    expect(perWindow.size).toBeGreaterThanOrEqual(4);
    expect(Math.max(...perWindow.values())).toBeLessThan(retryTimes.length / 2);
  });
});

describe("parseRetryAfter, serverWait and statuses", () => {
  it("reads OpenBao's X-Ratelimit-Reset when there is no Retry-After", () => {
    expect(serverWait({ "x-ratelimit-reset": "2" })).toBe(2000);
    expect(serverWait({ "retry-after": "1", "x-ratelimit-reset": "2" })).toBe(1000);
    expect(serverWait({})).toBeUndefined();
  });
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
