#!/usr/bin/env bash
# gitlab-tools.sh — makes sure the host has what gitlab-ci-local's shell executor runs:
# rsync (it copies artifacts, and with --shell-isolation the job's files, with it) and
# git. On Debian/Ubuntu, as root, a missing tool is installed with apt-get; anywhere
# else a missing tool is an error that names the fix. Never a skip.
#
# Usage: test/servers/gitlab-tools.sh      prints the path of rsync
set -euo pipefail

log() { echo "gitlab-tools: $*" >&2; }
missing=()
for tool in rsync git; do
  command -v "$tool" >/dev/null 2>&1 || missing+=("$tool")
done

if ((${#missing[@]} > 0)); then
  if [[ $(id -u) -ne 0 ]] || ! command -v apt-get >/dev/null 2>&1; then
    log "missing ${missing[*]}: install it (e.g. apt-get install ${missing[*]}) and run the tests again"
    exit 3
  fi
  # Test files start in parallel: one apt-get at a time; re-check once the lock is ours.
  exec 9>"${TMPDIR:-/tmp}/vaultgate-apt.lock"
  flock -w 600 9
  still=()
  for tool in "${missing[@]}"; do command -v "$tool" >/dev/null 2>&1 || still+=("$tool"); done
  if ((${#still[@]} > 0)); then
    log "installing ${still[*]} with apt-get"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >&2
    apt-get install -y -qq --no-install-recommends "${still[@]}" >&2
  fi
  for tool in "${missing[@]}"; do
    command -v "$tool" >/dev/null 2>&1 || { log "$tool is still missing after apt-get install"; exit 3; }
  done
fi

command -v rsync
