#!/bin/sh -e
# install-cli.sh — run on the agent by vaultgateInstall, once per use. Puts the pinned
# `vaultgate` npm package, verified, into a fresh private directory for this build and
# prints the directory that holds `vaultgate` and the `vaultgate-env` helper (its last
# line on stdout; everything else goes to stderr).
#
# Nothing on the agent is trusted from one build to the next: other builds run there as
# the same user and can write the cache. So on every use:
#   1. The expected integrity is VAULTGATE_CLI_INTEGRITY or, for a registry package at
#      an exact version, the integrity the registry records for it (`npm view`, asked
#      each time). Anything else without VAULTGATE_CLI_INTEGRITY is refused.
#   2. The tarball is copied from the agent's cache (or, the first time, fetched with
#      `npm pack --ignore-scripts`) into a new private directory, and that copy's sha512
#      is compared with the expected integrity. A cached tarball that no longer matches
#      was changed after it was verified: the build stops, nothing of it has run.
#   3. `npm install --ignore-scripts` of that same verified copy, in the private
#      directory. Only the verified tarball is kept in the cache, never an installed
#      tree another build could have edited.
# Nothing is piped into a shell and nothing but the one npm package is downloaded.
#
# In:  VAULTGATE_CLI_PACKAGE   npm package spec (vaultgate@<version>, a tarball path or URL)
#      VAULTGATE_CLI_INTEGRITY expected "sha512-<base64>" of the tarball
#      VAULTGATE_CACHE_DIR     cache root (default ${XDG_CACHE_HOME:-$HOME/.cache}/vaultgate)
#      WORKSPACE_TMP           where the private directory goes (else the cache root)
set -u
spec=${VAULTGATE_CLI_PACKAGE:?VAULTGATE_CLI_PACKAGE is not set}
want=${VAULTGATE_CLI_INTEGRITY:-}

fail() {
  printf 'vaultgateInstall: Error: %s\nvaultgateInstall: Hint: %s\n' "$1" "$2" >&2
  exit 1
}
for tool in node npm; do
  command -v "$tool" >/dev/null 2>&1 ||
    fail "'$tool' is not on this agent's PATH." "vaultgate needs Node.js 20.19 or newer with npm: install it on the agent, or wrap the step in your Node.js tool block (e.g. nodejs('node20') { ... })."
done
node -e 'const [a, b] = process.versions.node.split(".").map(Number); process.exit(a > 20 || (a === 20 && b >= 19) ? 0 : 1)' ||
  fail "Node.js $(node --version) is too old." "vaultgate needs Node.js 20.19 or newer on the agent."
# What the messages show of the spec: a URL's user, password and query string are hidden.
shown=$(node -e 'process.stdout.write(process.argv[1].replace(/:\/\/[^/@]*@/, "://***@").replace(/\?.*$/, "?***"))' "$spec")
sri() {
  node -e 'process.stdout.write("sha512-" + require("crypto").createHash("sha512").update(require("fs").readFileSync(process.argv[1])).digest("base64"))' "$1"
}

if [ -n "$want" ]; then
  printf '%s' "$want" | node -e 'process.exit(/^sha512-[A-Za-z0-9+\/]{86}==$/.test(require("fs").readFileSync(0, "utf8")) ? 0 : 1)' ||
    fail "cliIntegrity '$want' is not an npm integrity string (sha512- and 88 base64 characters)." \
      "copy the sha512-... string from the release notes, or compute it from the tarball as docs/install.md shows."
elif printf '%s' "$spec" | node -e 'process.exit(/^(@[a-z0-9._~-]+\/)?[a-z0-9._~-]+@\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/.test(require("fs").readFileSync(0, "utf8")) ? 0 : 1)'; then
  want=$(npm view --prefer-online --loglevel=error "$spec" dist.integrity) && [ -n "$want" ] ||
    fail "npm could not tell the integrity the registry records for $shown (see npm's message above)." \
      "check the agent's npm registry settings, or pin the package with cliIntegrity (VAULTGATE_CLI_INTEGRITY)."
else
  fail "$shown is not a registry package at an exact version, and no cliIntegrity is given: nothing would check what it holds." \
    "pass cliIntegrity: 'sha512-...' (or set VAULTGATE_CLI_INTEGRITY on the agent) with the tarball's integrity from its release notes."
fi

cache=${VAULTGATE_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/vaultgate}/cli
# One cache entry per (package, expected integrity): a new pin gets a fresh download.
key=$(node -e 'process.stdout.write(require("crypto").createHash("sha256").update(["tarball", ...process.argv.slice(1)].join("\0")).digest("hex").slice(0, 20))' "$spec" "$want")
cached="$cache/$key/package.tgz"
base=${WORKSPACE_TMP:-$cache}
mkdir -p "$base" "$cache"
work=$(mktemp -d "$base/vaultgate-cli.XXXXXX")
trap 'rm -rf "$work"' EXIT
trap 'exit 130' INT TERM

if [ -f "$cached" ]; then
  cp "$cached" "$work/package.tgz"
  got=$(sri "$work/package.tgz")
  [ "$got" = "$want" ] ||
    fail "the CLI cached in $cache/$key is not the package it was verified as: its integrity is $got, expected $want. It changed after it was verified; another build or user on this agent may have replaced it. Nothing of it was run." \
      "find out what changed it, then delete $cache/$key; the next build fetches and verifies $shown again."
  echo "vaultgateInstall: using $shown cached in $cache/$key, verified ($want)" >&2
else
  echo "vaultgateInstall: fetching $shown" >&2
  mkdir "$work/pack"
  npm pack --ignore-scripts --loglevel=error --pack-destination "$work/pack" "$spec" >/dev/null ||
    fail "npm could not fetch $shown (see npm's message above)." "check the package spec and the agent's npm registry settings."
  for file in "$work/pack"/*.tgz; do mv "$file" "$work/package.tgz"; done
  got=$(sri "$work/package.tgz")
  [ "$got" = "$want" ] ||
    fail "integrity mismatch for $shown: expected $want, the tarball is $got. Nothing was installed." \
      "check cliPackage and cliIntegrity; if $shown was replaced on purpose, pin the new tarball's integrity."
  # Into the cache with rename(2): a concurrent build sees the whole tarball or none.
  entry=$(mktemp -d "$cache/.fetch.XXXXXX")
  cp "$work/package.tgz" "$entry/package.tgz"
  node -e '
    const fs = require("fs");
    try { fs.renameSync(process.argv[1], process.argv[2]); } catch (e) { if (!["EEXIST", "ENOTEMPTY"].includes(e.code)) throw e; }
  ' "$entry" "$cache/$key"
  rm -rf "$entry"
fi

npm install --prefix "$work" --no-save --no-package-lock --no-audit --no-fund --ignore-scripts --loglevel=error "$work/package.tgz" >&2 ||
  fail "npm could not install $shown (see npm's message above)." "check that $shown is the vaultgate package."
[ -x "$work/node_modules/.bin/vaultgate" ] ||
  fail "$shown does not provide a 'vaultgate' command." "check that cliPackage names the vaultgate package."
rm -rf "$work/package.tgz" "$work/pack"
mkdir "$work/bin"
ln -s ../node_modules/.bin/vaultgate "$work/bin/vaultgate"
cat >"$work/bin/vaultgate-env" <<'HELPER'
#!/bin/sh
# vaultgate-env COMMAND [ARGS...] — runs COMMAND with the secrets withVaultgate fetched in
# its environment, read from the 0600 file $VAULTGATE_ENV_FILE, its output masked by
# `vaultgate exec --from-file` (no second login: the exact values fetched once), and the
# block's token and leases renewed while it runs.
set +x
if [ -z "${VAULTGATE_ENV_FILE:-}" ] || [ ! -r "$VAULTGATE_ENV_FILE" ]; then
  echo "vaultgate-env: \$VAULTGATE_ENV_FILE is not set or not readable; use vaultgate-env inside withVaultgate { }." >&2
  exit 2
fi
if [ $# -eq 0 ]; then
  echo "vaultgate-env: usage: vaultgate-env COMMAND [ARGS...]" >&2
  exit 2
fi
if [ -n "${VAULTGATE_RUN_DIR:-}" ] && [ -f "$VAULTGATE_RUN_DIR/state.json" ]; then
  exec "$(dirname "$0")/vaultgate" exec --from-file "$VAULTGATE_ENV_FILE" --renew-state "$VAULTGATE_RUN_DIR/state.json" -- "$@"
fi
exec "$(dirname "$0")/vaultgate" exec --from-file "$VAULTGATE_ENV_FILE" -- "$@"
HELPER
chmod 0755 "$work/bin/vaultgate-env"
trap - EXIT
echo "$work/bin"
