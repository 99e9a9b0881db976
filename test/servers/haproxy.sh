#!/usr/bin/env bash
# haproxy.sh — makes sure HAProxy (Debian's package, 2.6) is installed for the Raft
# cluster's load balancer. On Debian/Ubuntu, as root, it is installed with apt-get when
# missing (apt-get update first); anywhere else a missing haproxy is an error naming the
# fix. Never a skip: the cluster tests fail without it.
#
# Usage: test/servers/haproxy.sh      prints the path of haproxy
set -euo pipefail

log() { echo "haproxy: $*" >&2; }
if ! command -v haproxy >/dev/null 2>&1; then
  if [[ $(id -u) -ne 0 ]] || ! command -v apt-get >/dev/null 2>&1; then
    log "haproxy is missing: install it (apt-get install haproxy) and run the tests again"
    exit 3
  fi
  # One apt-get at a time across test files and other suites; re-check once the lock is ours.
  exec 9>"${TMPDIR:-/tmp}/vaultgate-apt.lock"
  flock -w 600 9
  if ! command -v haproxy >/dev/null 2>&1; then
    log "installing haproxy with apt-get"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >&2
    apt-get install -y -qq --no-install-recommends haproxy >&2
  fi
fi
bin="$(command -v haproxy)"
"$bin" -v >/dev/null || { log "$bin does not run"; exit 3; }
echo "$bin"
