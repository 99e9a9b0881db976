/**
 * mask/state — the chunk-boundary logic of one masked stream.
 *
 * Positions are absolute byte offsets in the stream. A start position is *decided* once
 * every pattern that could begin there has either been found whole or proven absent;
 * bytes before the first undecided start can be written out, because only occurrences
 * starting at or before a byte can cover it. After each write the undecided starts are
 * those whose remaining bytes are a proper prefix of some pattern (Matcher.firstLive),
 * so at most maxLength - 1 bytes are held back, and usually none: ordinary text flows
 * through at once. Held bytes are scanned again from their first byte with the next
 * write, so a failed partial match never hides a match that starts one byte later.
 *
 * Every maximal run of covered bytes (the union of all occurrences: the longest at each
 * start, overlapping and adjacent ones merged) becomes one replacement, so the output
 * never depends on how the input was split into chunks.
 */
import type { Matcher } from "./matcher.js";

const EMPTY = Buffer.alloc(0);

/** Emit receives output bytes in order; a buffer may be a view of an input chunk. */
export type Emit = (part: Buffer) => void;

/** MaskState masks one stream; `matcher` is asked anew at each write (patterns may grow). */
export class MaskState {
  readonly #matcher: () => Matcher | undefined;
  readonly #replacement: Buffer;
  /** Bytes received but not yet decided; pending[0] is at absolute position #base. */
  #pending: Buffer = EMPTY;
  #base = 0;
  /** End of the last masked run; a match starting at or before it extends that run. */
  #coverEnd = -1;
  readonly #matches: number[] = [];

  constructor(matcher: () => Matcher | undefined, replacement: Buffer) {
    this.#matcher = matcher;
    this.#replacement = replacement;
  }

  /** write masks `chunk` and emits every byte that is now decided. */
  write(chunk: Buffer, emit: Emit): void {
    if (chunk.length > 0) this.#run(chunk, false, emit);
  }

  /** end emits the held-back bytes, masked; the state is then ready for a new stream. */
  end(emit: Emit): void {
    this.#run(EMPTY, true, emit);
    this.#pending = EMPTY;
    this.#base = 0;
    this.#coverEnd = -1;
  }

  #run(chunk: Buffer, final: boolean, emit: Emit): void {
    const matcher = this.#matcher();
    if (!matcher) {
      // No pattern has ever been registered, so nothing is pending either.
      if (chunk.length > 0) emit(chunk);
      this.#base += chunk.length;
      return;
    }
    let pending = this.#pending;
    let body = chunk;
    if (pending.length > 0 && body.length < matcher.maxLength - 1) {
      // A short write: scan held bytes and the chunk as one small buffer.
      pending = Buffer.concat([pending, body]);
      body = EMPTY;
    }
    const frontier = this.#decide(matcher, pending, body, final);
    this.#emitDecided(pending, body, frontier, emit);
    const held = pending.length;
    const keep = frontier < held ? [pending.subarray(frontier), body] : [body.subarray(frontier - held)];
    this.#pending = Buffer.concat(keep); // a copy: the caller may reuse its chunk
    this.#base += frontier;
  }

  /**
   * #decide fills #matches with (start, length) pairs relative to pending[0], in start
   * order, and returns the frontier: every start before it is decided. Either pending is
   * at most a few patterns long and body is empty, or body holds at least maxLength - 1
   * bytes, so that the starts in pending see enough of it for any pattern.
   */
  #decide(matcher: Matcher, pending: Buffer, body: Buffer, final: boolean): number {
    const matches = this.#matches;
    matches.length = 0;
    const held = pending.length;
    if (body.length === 0) {
      matcher.scan(pending, 0, held, held, matches);
      return final ? held : matcher.firstLive(pending, 0, held);
    }
    if (held > 0) {
      const junction = Buffer.concat([pending, body.subarray(0, matcher.maxLength - 1)]);
      matcher.scan(junction, 0, held, junction.length, matches);
    }
    const first = matches.length;
    matcher.scan(body, 0, body.length, body.length, matches);
    for (let i = first; i < matches.length; i += 2) matches[i]! += held;
    return held + (final ? body.length : matcher.firstLive(body, 0, body.length));
  }

  /** #emitDecided emits the bytes before the frontier: raw bytes, and one replacement per masked run. */
  #emitDecided(pending: Buffer, body: Buffer, frontier: number, emit: Emit): void {
    const base = this.#base;
    const held = pending.length;
    const raw = (from: number, to: number) => {
      // Bytes [from, to) in absolute positions, from the held bytes and then the chunk.
      const a = from - base;
      const b = to - base;
      if (a < held) emit(pending.subarray(a, Math.min(b, held)));
      if (b > held) emit(body.subarray(Math.max(a, held) - held, b - held));
    };
    const matches = this.#matches;
    const stop = base + frontier;
    let cursor = Math.max(base, this.#coverEnd);
    for (let i = 0; i < matches.length; i += 2) {
      const start = base + matches[i]!;
      if (start >= stop) break; // undecided: found again, possibly longer, next time
      if (start > this.#coverEnd) {
        if (cursor < start) raw(cursor, start);
        emit(Buffer.from(this.#replacement)); // a copy each time: consumers may modify what they get
      }
      this.#coverEnd = Math.max(this.#coverEnd, start + matches[i + 1]!);
      cursor = Math.max(cursor, this.#coverEnd);
    }
    if (cursor < stop) raw(cursor, stop);
  }
}
