/**
 * mask/matcher — finds, at every start position of a byte buffer, the longest of a fixed
 * set of byte patterns that occurs there.
 *
 * Why a hand-written matcher: the masker must stream ≥ 500 MiB/s with ~250 patterns
 * (issue 3). On the 2-core build machine one V8 RegExp alternation of the patterns does
 * ≈130 MiB/s and a byte-level Aho–Corasick ≈200–300 MiB/s, while a Wu–Manber skip search
 * reaches ≈1 GiB/s (the figures). This one scans 3.6–5.5 GiB/s on its own for
 * 50 × 32-character secrets (550 patterns), ≈0.9–1.3 GiB/s for 50 × 8-character ones;
 * bench/mask.mjs measures it inside the stream (figures in docs/masking.md).
 *
 * Wu–Manber, briefly: let m be the length of the shortest pattern. A window of m bytes
 * slides over the text. The last B bytes of the window are hashed and SHIFT[hash] says
 * how far the window can move without skipping an occurrence: the distance from that
 * block to the end of the nearest place it ends inside some pattern's first m bytes
 * (m - B + 1 if nowhere). Hash collisions only make shifts smaller, never wrong. Where
 * the shift is 0, the window may be the first m bytes of a pattern: the patterns in that
 * hash's bucket are compared byte by byte, and the window moves on by one. Every start
 * position is thus examined, in increasing order, with no state carried between calls:
 * the caller re-scans held-back bytes, so no partial match is ever lost at a boundary.
 */

/**
 * HASH_BITS sizes the shift table for 3-byte blocks: 256 KiB stays in L2 cache and sparse
 * (550 patterns of 32-character secrets lower 2.5% of its entries). 2^16 and 2^20 measured no better.
 */
const HASH_BITS = 18;

/** Matcher is an immutable compiled pattern set. */
export class Matcher {
  /** Length of the shortest and the longest pattern, in bytes. */
  readonly minLength: number;
  readonly maxLength: number;
  readonly #window: number;
  readonly #block: number;
  readonly #shift: Uint8Array;
  readonly #bucketStart: Int32Array;
  readonly #bucketIds: Int32Array;
  readonly #bytes: Buffer;
  readonly #start: Int32Array;
  readonly #length: Int32Array;
  /** Longest pattern starting with each byte, and whether a pattern starts with each byte pair. */
  readonly #firstByteMax: Int32Array;
  readonly #firstPair: Uint8Array;
  /** Pattern ids grouped by first byte: ids #byFirstIds[#byFirstStart[b], #byFirstStart[b + 1]). */
  readonly #byFirstStart: Int32Array;
  readonly #byFirstIds: Int32Array;

  /** Matcher compiles `patterns` (non-empty, each at least one byte). */
  constructor(patterns: readonly Buffer[]) {
    if (patterns.length === 0 || patterns.some((p) => p.length === 0)) {
      throw new RangeError("Matcher needs at least one pattern and no empty pattern.");
    }
    this.minLength = patterns.reduce((min, p) => Math.min(min, p.length), Infinity);
    this.maxLength = patterns.reduce((max, p) => Math.max(max, p.length), 0);
    // The window is capped at 255 so shifts fit in a byte; B = 3 gives a sparse table
    // for windows of 6 bytes and more, shorter windows need B = 2 or 1 to shift at all.
    this.#window = Math.min(this.minLength, 255);
    this.#block = this.#window >= 6 ? 3 : this.#window >= 2 ? 2 : 1;
    this.#bytes = Buffer.concat(patterns);
    this.#start = new Int32Array(patterns.length);
    this.#length = new Int32Array(patterns.length);
    this.#firstByteMax = new Int32Array(256);
    this.#firstPair = new Uint8Array(65536);
    let offset = 0;
    patterns.forEach((p, id) => {
      this.#start[id] = offset;
      this.#length[id] = p.length;
      offset += p.length;
      this.#firstByteMax[p[0]!] = Math.max(this.#firstByteMax[p[0]!]!, p.length);
      if (p.length > 1) this.#firstPair[(p[0]! << 8) | p[1]!] = 1;
    });
    [this.#byFirstStart, this.#byFirstIds] = group(patterns.length, 256, (id) => patterns[id]![0]!);

    const size = this.#block === 3 ? 1 << HASH_BITS : 1 << (8 * this.#block);
    const m = this.#window;
    const b = this.#block;
    this.#shift = new Uint8Array(size).fill(m - b + 1);
    for (const p of patterns) {
      for (let end = b - 1; end < m; end++) {
        const h = this.#hash(p, end);
        this.#shift[h] = Math.min(this.#shift[h]!, m - 1 - end);
      }
    }
    [this.#bucketStart, this.#bucketIds] = group(patterns.length, size, (id) => this.#hash(patterns[id]!, m - 1));
  }

  /**
   * scan appends (start, length) pairs to `out` for every start in [from, to) of `buf`
   * where some pattern lying entirely inside buf[0, limit) occurs; length is the longest
   * such pattern. Pairs come in increasing start order.
   */
  scan(buf: Buffer, from: number, to: number, limit: number, out: number[]): void {
    const m = this.#window;
    const last = Math.min(to + m - 2, limit - 1);
    const shift = this.#shift;
    let pos = from + m - 1;
    if (this.#block === 3) {
      // The hot loop: kept free of calls and branches on the block size.
      const rightShift = 32 - HASH_BITS;
      while (pos <= last) {
        const h = Math.imul((buf[pos - 2]! << 16) | (buf[pos - 1]! << 8) | buf[pos]!, 0x9e3779b1) >>> rightShift;
        const distance = shift[h]!;
        if (distance !== 0) {
          pos += distance;
          continue;
        }
        this.#verify(buf, pos - m + 1, limit, h, out);
        pos++;
      }
      return;
    }
    for (; pos <= last; pos++) {
      const h = this.#hash(buf, pos);
      if (shift[h] === 0) this.#verify(buf, pos - m + 1, limit, h, out);
      else pos += shift[h]! - 1;
    }
  }

  /**
   * firstLive returns the first start s in [from, limit) where buf[s, limit) is a proper
   * prefix of some pattern: an occurrence may still begin there once more bytes arrive.
   * Returns `limit` when there is none. Only the last maxLength - 1 starts can qualify.
   */
  firstLive(buf: Buffer, from: number, limit: number): number {
    for (let s = Math.max(from, limit - this.maxLength + 1); s < limit; s++) {
      const rest = limit - s;
      const first = buf[s]!;
      if (this.#firstByteMax[first]! <= rest) continue;
      if (rest === 1) return s;
      if (this.#firstPair[(first << 8) | buf[s + 1]!] === 0) continue;
      if (this.#isLivePrefix(buf, s, rest)) return s;
    }
    return limit;
  }

  #isLivePrefix(buf: Buffer, s: number, rest: number): boolean {
    const bytes = this.#bytes;
    const first = buf[s]!;
    for (let i = this.#byFirstStart[first]!, end = this.#byFirstStart[first + 1]!; i < end; i++) {
      const id = this.#byFirstIds[i]!;
      if (this.#length[id]! <= rest) continue;
      const p = this.#start[id]!;
      let k = 0;
      while (k < rest && bytes[p + k] === buf[s + k]) k++;
      if (k === rest) return true;
    }
    return false;
  }

  #verify(buf: Buffer, s: number, limit: number, h: number, out: number[]): void {
    const bytes = this.#bytes;
    let best = 0;
    for (let i = this.#bucketStart[h]!, end = this.#bucketStart[h + 1]!; i < end; i++) {
      const id = this.#bucketIds[i]!;
      const length = this.#length[id]!;
      if (length <= best || s + length > limit) continue;
      const p = this.#start[id]!;
      let k = 0;
      while (k < length && bytes[p + k] === buf[s + k]) k++;
      if (k === length) best = length;
    }
    if (best > 0) out.push(s, best);
  }

  /** #hash hashes the block of #block bytes of `buf` ending at `end`. */
  #hash(buf: Buffer, end: number): number {
    switch (this.#block) {
      case 3:
        return Math.imul((buf[end - 2]! << 16) | (buf[end - 1]! << 8) | buf[end]!, 0x9e3779b1) >>> (32 - HASH_BITS);
      case 2:
        return (buf[end - 1]! << 8) | buf[end]!;
      default:
        return buf[end]!;
    }
  }
}

/**
 * group sorts ids 0..count-1 into `keys` buckets by key(id), as compressed rows: the ids
 * of bucket k are ids[start[k], start[k + 1]).
 */
function group(count: number, keys: number, key: (id: number) => number): [start: Int32Array, ids: Int32Array] {
  const start = new Int32Array(keys + 1);
  for (let id = 0; id < count; id++) start[key(id) + 1]!++;
  for (let k = 0; k < keys; k++) start[k + 1]! += start[k]!;
  const next = start.slice();
  const ids = new Int32Array(count);
  for (let id = 0; id < count; id++) ids[next[key(id)]!++] = id;
  return [start, ids];
}
