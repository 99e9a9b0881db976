/**
 * server/list-verb — lets node:http serve Vault's LIST verb. Node's HTTP parser rejects
 * methods it does not know, and LIST is one; Vault treats `LIST /v1/x` exactly as
 * `GET /v1/x?list=true`. So each connection is wrapped in a stream that rewrites a
 * request line starting with "LIST " into that GET before the parser sees it. The
 * rewrite looks at the start of each chunk the socket delivers: clients (Go's, undici,
 * curl) send a request head in one write and never pipeline, so a request line always
 * starts a chunk.
 */
import { Duplex } from "node:stream";
import type { Socket } from "node:net";

const LIST = Buffer.from("LIST ");

/** rewriteList turns "LIST <target> HTTP/1.1" at the start of `chunk` into a GET with list=true. */
export function rewriteList(chunk: Buffer): Buffer {
  if (chunk.length < LIST.length || !chunk.subarray(0, LIST.length).equals(LIST)) return chunk;
  const end = chunk.indexOf(" ", LIST.length);
  if (end === -1) return chunk;
  const target = chunk.subarray(LIST.length, end).toString("latin1");
  const rewritten = `GET ${target}${target.includes("?") ? "&" : "?"}list=true`;
  return Buffer.concat([Buffer.from(rewritten, "latin1"), chunk.subarray(end)]);
}

/** ListVerbConnection is a socket seen through rewriteList, for http.Server's "connection" event. */
export class ListVerbConnection extends Duplex {
  readonly #socket: Socket;

  constructor(socket: Socket) {
    super({ allowHalfOpen: false });
    this.#socket = socket;
    socket.on("data", (chunk: Buffer) => {
      if (!this.push(rewriteList(chunk))) socket.pause();
    });
    socket.on("end", () => this.push(null));
    socket.on("close", () => this.destroy());
    socket.on("error", (error) => this.destroy(error));
  }

  get remoteAddress(): string | undefined {
    return this.#socket.remoteAddress;
  }

  get remotePort(): number | undefined {
    return this.#socket.remotePort;
  }

  override _read(): void {
    this.#socket.resume();
  }

  override _write(chunk: Buffer, encoding: BufferEncoding, done: (error?: Error | null) => void): void {
    this.#socket.write(chunk, encoding, done);
  }

  override _final(done: (error?: Error | null) => void): void {
    this.#socket.end(done);
  }

  override _destroy(error: Error | null, done: (error?: Error | null) => void): void {
    this.#socket.destroy(error ?? undefined);
    done(error);
  }

  /** setTimeout, setNoDelay and setKeepAlive pass through to the socket (http.Server calls them). */
  setTimeout(ms: number, callback?: () => void): this {
    this.#socket.setTimeout(ms, callback);
    return this;
  }

  setNoDelay(noDelay?: boolean): this {
    this.#socket.setNoDelay(noDelay);
    return this;
  }

  setKeepAlive(enable?: boolean, delay?: number): this {
    this.#socket.setKeepAlive(enable, delay);
    return this;
  }
}
