#!/bin/sh -e
# install-cli.sh — run on the agent by vaultgateInstall. Installs the pinned `vaultgate`
# npm package once per agent and prints the directory that holds `vaultgate` and the
# `vaultgate-env` helper (its last line on stdout; everything else goes to stderr).
#
#   1. `npm pack` fetches the package tarball; for a registry package npm checks it
#      against the integrity the registry recorded at publication.
#   2. The tarball's sha512 is compared with VAULTGATE_CLI_INTEGRITY when that is set;
#      a mismatch stops here and nothing is installed.
#   3. `npm install --ignore-scripts` from that same verified tarball into a temporary
#      directory, which is then renamed into the cache: a build never sees a half-made
#      install, and two builds installing at once on one agent do not collide.
# Nothing is piped into a shell and nothing but the one npm package is downloaded.
#
# In:  VAULTGATE_CLI_PACKAGE   npm package spec (vaultgate@<version>, a tarball path or URL)
#      VAULTGATE_CLI_INTEGRITY expected "sha512-<base64>" of the tarball (optional)
#      VAULTGATE_CACHE_DIR     cache root (default ${XDG_CACHE_HOME:-$HOME/.cache}/vaultgate)
set -u
spec=${VAULTGATE_CLI_PACKAGE:?VAULTGATE_CLI_PACKAGE is not set}
want=${VAULTGATE_CLI_INTEGRITY:-}

fail() {
  echo "vaultgateInstall: $*" >&2
  exit 1
}
for tool in node npm; do
  command -v "$tool" >/dev/null 2>&1 ||
    fail "'$tool' is not on this agent's PATH. vaultgate needs Node.js 20.19 or newer with npm: install it on the agent, or wrap the step in your Node.js tool block (e.g. nodejs('node20') { ... })."
done
node -e 'const [a, b] = process.versions.node.split(".").map(Number); process.exit(a > 20 || (a === 20 && b >= 19) ? 0 : 1)' ||
  fail "Node.js $(node --version) is too old: vaultgate needs 20.19 or newer."

cache=${VAULTGATE_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/vaultgate}/cli
# One directory per (package, expected integrity, this script): a new pin or a new helper
# gets a fresh install, an unchanged one is reused.
key=$(node -e '
  const h = require("crypto").createHash("sha256");
  for (const part of [process.argv[1], process.argv[2], require("fs").readFileSync(process.argv[3])]) h.update(part).update("\0");
  process.stdout.write(h.digest("hex").slice(0, 20));
' "$spec" "$want" "$0")
dir="$cache/$key"
if [ -f "$dir/.complete" ] && [ -x "$dir/bin/vaultgate" ]; then
  echo "vaultgateInstall: using $spec cached in $dir" >&2
  echo "$dir/bin"
  exit 0
fi

mkdir -p "$cache"
tmp=$(mktemp -d "$cache/.install.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT TERM
echo "vaultgateInstall: installing $spec into $dir" >&2

npm pack --ignore-scripts --silent --json --pack-destination "$tmp" "$spec" >"$tmp/pack.json" ||
  fail "npm could not fetch $spec (see npm's message above); check the package spec and the agent's npm registry settings."
file=$(node -e 'const [p] = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8")); process.stdout.write(p.filename)' "$tmp/pack.json")
got=$(node -e 'process.stdout.write("sha512-" + require("crypto").createHash("sha512").update(require("fs").readFileSync(process.argv[1])).digest("base64"))' "$tmp/$file")
if [ -n "$want" ] && [ "$got" != "$want" ]; then
  fail "integrity mismatch for $spec: expected $want, the tarball is $got. Nothing was installed; check cliPackage and cliIntegrity."
fi
if [ -z "$want" ]; then
  echo "vaultgateInstall: no expected integrity given; relying on npm's check. Pin it with cliIntegrity: '$got'" >&2
fi

npm install --prefix "$tmp/cli" --no-save --no-package-lock --no-audit --no-fund --ignore-scripts --loglevel=error "$tmp/$file" >&2 ||
  fail "npm could not install $spec (see npm's message above)."
[ -x "$tmp/cli/node_modules/.bin/vaultgate" ] || fail "$spec does not provide a 'vaultgate' command; is it the vaultgate package?"

mkdir "$tmp/cli/bin"
ln -s ../node_modules/.bin/vaultgate "$tmp/cli/bin/vaultgate"
cat >"$tmp/cli/bin/vaultgate-env" <<'HELPER'
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
chmod 0755 "$tmp/cli/bin/vaultgate-env"
printf '%s\n' "$got" >"$tmp/cli/.integrity"
: >"$tmp/cli/.complete"

# rename(2) into place; if another build got there first its install is as good as ours.
node -e '
  const fs = require("fs");
  try { fs.renameSync(process.argv[1], process.argv[2]); } catch (e) { if (!["EEXIST", "ENOTEMPTY"].includes(e.code)) throw e; }
' "$tmp/cli" "$dir"
[ -x "$dir/bin/vaultgate" ] || fail "the install in $dir is incomplete; delete that directory and retry."
echo "$dir/bin"
