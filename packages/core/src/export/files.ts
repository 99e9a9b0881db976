/**
 * export/files — writes files that hold secrets: created 0600 under a fresh name in the
 * target directory, every byte written (a short write is continued, a write that makes
 * no progress — a file size limit, a full disk — fails), flushed to disk (unless the
 * file only has to outlive the process, not the machine), its size checked, then
 * renamed into place, so no reader ever sees a half-written file and a failure leaves
 * nothing behind. Records appended to a file (the audit log, a job summary) never wait:
 * a named pipe nobody reads would otherwise hold the run past its deadline.
 */
import { randomBytes } from "node:crypto";
import {
  closeSync,
  constants,
  fstatSync,
  fsyncSync,
  mkdirSync,
  openSync,
  renameSync,
  rmSync,
  statSync,
  writeSync,
} from "node:fs";
import { basename, dirname, join } from "node:path";
import { OutputError } from "../errors.js";

/**
 * WriteOptions: `durable: false` skips the fsync, for a file read back on the same machine
 * while it runs (a run's state file): a killed process leaves it in the page cache, and a
 * crash of the machine ends the job anyway. An fsync costs 4–27 ms here, on every write.
 */
export interface WriteOptions {
  durable?: boolean;
}

/** writeSecureFile writes `content` to `path` atomically with mode 0600. */
export function writeSecureFile(path: string, content: string | Buffer, options: WriteOptions = {}): void {
  writeFileAtomic(path, content, 0o600, options);
}

/** writeFileAtomic writes `content` to `path` atomically: a fresh temp file, flushed, renamed. */
export function writeFileAtomic(path: string, content: string | Buffer, mode: number, options: WriteOptions = {}): void {
  const dir = dirname(path);
  const temp = join(dir, `.${basename(path)}.${randomBytes(6).toString("hex")}.tmp`);
  let fd: number | undefined;
  try {
    ensureDir(dir);
    fd = openSync(temp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, mode);
    const bytes = typeof content === "string" ? Buffer.from(content, "utf8") : content;
    writeAll(fd, bytes);
    if (options.durable !== false) fsyncSync(fd);
    if (fstatSync(fd).size !== bytes.length) throw Object.assign(new Error("short write"), { code: "EIO" });
    closeSync(fd);
    fd = undefined;
    renameSync(temp, path);
  } catch (error) {
    if (fd !== undefined) closeSync(fd);
    try {
      rmSync(temp, { force: true });
    } catch {
      // The directory itself is unusable; there is no temp file to remove.
    }
    const code = (error as NodeJS.ErrnoException).code ?? String(error);
    const full = code === "ENOSPC" || code === "EFBIG" || code === "EDQUOT";
    throw new OutputError(
      `Cannot write ${path}: ${code}${full ? " (the disk or the file size limit is full)" : ""}; nothing was written.`,
      {
        hint: full
          ? "Free space on the disk, or raise the file size limit (ulimit -f), then run again."
          : "Choose a writable location (the job's temp directory is a good one).",
        cause: error,
      },
    );
  }
}

/**
 * ensureDir makes `dir` and its missing parents (0700), one level at a time: a recursive
 * mkdir can spin forever under /proc, and a path through a file must fail as ENOTDIR.
 */
export function ensureDir(dir: string): void {
  const missing: string[] = [];
  let current = dir;
  for (;;) {
    try {
      if (!statSync(current).isDirectory()) throw Object.assign(new Error("not a directory"), { code: "ENOTDIR" });
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
      const parent = dirname(current);
      if (parent === current) throw error;
      missing.push(current);
      current = parent;
    }
  }
  for (const d of missing.reverse()) mkdirSync(d, { mode: 0o700 });
}

/**
 * assertWritableDir proves, before login, that a file can be created in `dir` (made if
 * missing): a probe file is created and removed. `what` names the place in the error.
 */
export function assertWritableDir(dir: string, what: string): void {
  const probe = join(dir, `.vaultgate-probe-${randomBytes(6).toString("hex")}`);
  try {
    ensureDir(dir);
    closeSync(openSync(probe, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o600));
    rmSync(probe, { force: true });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? String(error);
    throw new OutputError(`Cannot create files in ${dir} (${what}): ${code}; nothing was fetched.`, {
      hint: "Choose a directory you can write to (the job's temp directory is a good one); it is checked before login.",
      cause: error,
    });
  }
}

/**
 * appendNoWait appends `text` to `path` (created with `mode`) without ever blocking: the
 * file is opened O_NONBLOCK, so a named pipe with no reader fails at once (ENXIO) and a
 * pipe nobody drains fails when full (EAGAIN), instead of holding the run forever. `what`
 * names the file in the error.
 */
export function appendNoWait(path: string, text: string, mode: number, what: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(path, constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT | constants.O_NONBLOCK, mode);
    writeAll(fd, Buffer.from(text, "utf8"));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? String(error);
    const why =
      code === "ENXIO"
        ? " (a named pipe that nobody reads)"
        : code === "EAGAIN"
          ? " (a pipe that nobody drains)"
          : code === "ENOSPC" || code === "EFBIG" || code === "EDQUOT"
            ? " (the disk or the file size limit is full)"
            : "";
    throw new OutputError(`Cannot append ${what} to ${path}: ${code}${why}.`, {
      hint: "Choose a regular file you can write to (the job's temp directory is a good one).",
      cause: error,
    });
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** writeAll writes every byte: a short write is continued; one that writes nothing is EFBIG. */
function writeAll(fd: number, bytes: Buffer): void {
  let offset = 0;
  while (offset < bytes.length) {
    const written = writeSync(fd, bytes, offset, bytes.length - offset);
    if (written <= 0) throw Object.assign(new Error("no progress"), { code: "EFBIG" });
    offset += written;
  }
}

/** removeFile deletes a file (or a directory vaultgate created, with its files) if it exists. */
export function removeFile(path: string): boolean {
  try {
    rmSync(path, { recursive: true });
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return false;
    throw new OutputError(`Cannot remove ${path}: ${(error as NodeJS.ErrnoException).code ?? String(error)}.`, { cause: error });
  }
}
