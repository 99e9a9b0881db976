/**
 * export/files — writes files that hold secrets: created 0600 under a fresh name in the
 * target directory, flushed, then renamed into place, so no reader ever sees a
 * half-written file and a failure leaves nothing behind.
 */
import { randomBytes } from "node:crypto";
import { closeSync, fsyncSync, mkdirSync, openSync, renameSync, rmSync, writeSync, constants } from "node:fs";
import { basename, dirname, join } from "node:path";
import { OutputError } from "../errors.js";

/** writeSecureFile writes `content` to `path` atomically with mode 0600. */
export function writeSecureFile(path: string, content: string | Buffer): void {
  writeFileAtomic(path, content, 0o600);
}

/** writeFileAtomic writes `content` to `path` atomically: a fresh temp file, flushed, renamed. */
export function writeFileAtomic(path: string, content: string | Buffer, mode: number): void {
  const dir = dirname(path);
  const temp = join(dir, `.${basename(path)}.${randomBytes(6).toString("hex")}.tmp`);
  let fd: number | undefined;
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    fd = openSync(temp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, mode);
    writeSync(fd, typeof content === "string" ? Buffer.from(content, "utf8") : content);
    fsyncSync(fd);
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
    throw new OutputError(`Cannot write ${path}: ${code}.`, {
      hint: "Choose a writable location (the job's temp directory is a good one).",
      cause: error,
    });
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
