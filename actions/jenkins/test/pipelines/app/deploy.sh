#!/bin/sh
# deploy.sh — stands in for a deploy script: proves it received each secret (its sha256)
# and then prints the value itself, which the console must never show unmasked.
set -e
for name in ${DEPLOY_SECRETS:-DB_PASSWORD API_TOKEN TLS_PEM TLS_KEY}; do
  eval "value=\${$name-}"
  if [ -z "$value" ]; then
    echo "deploy.sh: $name is not in the environment" >&2
    exit 3
  fi
  printf '%s sha256 %s\n' "$name" "$(printf %s "$value" | sha256sum | cut -c1-64)"
  if [ -z "${HASH_ONLY:-}" ]; then
    printf '%s value: %s\n' "$name" "$value"
  fi
done
echo "deploy.sh: deployed"
