#!/bin/sh
# A sample deploy step for the demo: it prints its secrets the ways real scripts leak
# them (plain, base64, in a URL, in JSON, under `set -x`). vaultgate exec masks them all.
set -eu
echo "Deploying acme/app"
echo "DB password: ${DB_PASSWORD}"
echo "API token as base64: $(printf '%s\n' "${API_TOKEN}" | base64)"
echo "Connection URL: postgres://deployer:$(node -e 'process.stdout.write(encodeURIComponent(process.env.DB_PASSWORD))')@db.internal/app"
echo "Config JSON: {\"token\": \"${API_TOKEN}\"}"
echo "Dynamic database password (leased, revoked when this job ends): ${DB_DYNAMIC_PASSWORD}"
set -x
curl_args="--header Authorization:Bearer:${API_TOKEN}"
set +x
echo "Deploy finished."
