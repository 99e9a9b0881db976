// The AIMD limit (http/aimd): halves on 429 at most once per rate-limit window, grows
// back one slot per full round of answers, never exceeds the configured bound, and
// really holds requests back while its slots are taken.
import { describe, expect, it } from "vitest";
import { AdaptiveLimit, THROTTLE_WINDOW_MS } from "@vaultgate/core";

function manualClock() {
  let now = 0;
  return { now: () => now, advance: (ms: number) => (now += ms) };
}

async function answer(limit: AdaptiveLimit, outcome: "ok" | "throttled" | "neutral") {
  const release = await limit.acquire();
  release(outcome);
}

describe("AdaptiveLimit", () => {
  it("starts at the configured bound and never goes above it", async () => {
    const limit = new AdaptiveLimit(16);
    expect(limit.limit).toBe(16);
    for (let i = 0; i < 100; i++) await answer(limit, "ok");
    expect(limit.limit).toBe(16);
  });

  it("halves on a throttled answer, once per window however many 429s that window brings", async () => {
    const clock = manualClock();
    const limit = new AdaptiveLimit(16, clock.now);
    for (let i = 0; i < 10; i++) await answer(limit, "throttled");
    expect(limit.limit).toBe(8);
    clock.advance(THROTTLE_WINDOW_MS);
    await answer(limit, "throttled");
    expect(limit.limit).toBe(4);
    for (let i = 0; i < 5; i++) {
      clock.advance(THROTTLE_WINDOW_MS);
      await answer(limit, "throttled");
    }
    expect(limit.limit).toBe(1);
  });

  it("grows back by one slot per round of successful answers", async () => {
    const clock = manualClock();
    const limit = new AdaptiveLimit(8, clock.now);
    await answer(limit, "throttled");
    expect(limit.limit).toBe(4);
    for (let i = 0; i < 4; i++) await answer(limit, "ok");
    expect(limit.limit).toBe(4);
    await answer(limit, "ok");
    expect(limit.limit).toBe(5);
    await answer(limit, "neutral");
    expect(limit.limit).toBe(5);
  });

  it("holds the next request until a slot is released", async () => {
    const clock = manualClock();
    const limit = new AdaptiveLimit(2, clock.now);
    await answer(limit, "throttled");
    expect(limit.limit).toBe(1);
    const first = await limit.acquire();
    let secondStarted = false;
    const second = limit.acquire().then((release) => {
      secondStarted = true;
      return release;
    });
    await new Promise((r) => setImmediate(r));
    expect(secondStarted).toBe(false);
    first("ok");
    (await second)("ok");
    expect(secondStarted).toBe(true);
    expect(limit.inFlight).toBe(0);
  });
});
