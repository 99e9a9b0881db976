/** platform — a recording Platform for driving the core engine from tests. */
import type { Env, Logger, Platform, PlatformName } from "@vaultgate/core";

/** RecordingPlatform keeps every masked value and log line for assertions. */
export interface RecordingPlatform extends Platform {
  masked: string[];
  logs: { level: keyof Logger; message: string }[];
}

/** recordingPlatform returns a Platform whose mask and log calls are recorded. */
export function recordingPlatform(env: Env = {}, name: PlatformName = "local"): RecordingPlatform {
  const masked: string[] = [];
  const logs: { level: keyof Logger; message: string }[] = [];
  const log = (level: keyof Logger) => (message: string) => void logs.push({ level, message });
  return {
    name,
    env,
    masked,
    logs,
    mask: (value) => void masked.push(value),
    log: { debug: log("debug"), info: log("info"), warn: log("warn"), error: log("error") },
  };
}
