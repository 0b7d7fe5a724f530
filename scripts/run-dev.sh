#!/usr/bin/env bash
# Builds and runs certctl-server in demo mode from a fresh clone:
#   scripts/run-dev.sh [extra certctl-server arguments]
# Installs missing Debian packages, builds preset `dev` (server only), then
# replaces itself with the server. Data lives in $CERTCTL_DATA_DIR (default
# ./data, relative to the repository root).
set -euo pipefail

root=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"

echo "==> installing dependencies"
packaging/deps/install-debian.sh

echo "==> building"
cmake --preset dev
cmake --build --preset dev --target certctl-server

data_dir=${CERTCTL_DATA_DIR:-./data}
# It will hold the bootstrap CA's private key: keep it to ourselves.
if [[ ! -d "$data_dir" ]]; then
  mkdir -p -- "$data_dir"
  chmod 0700 -- "$data_dir"
fi
CERTCTL_DATA_DIR=$(cd -- "$data_dir" && pwd)
export CERTCTL_DATA_DIR

# Shown relative to the repository root when the data dir is inside it.
shown=${CERTCTL_DATA_DIR#"$root"/}

port=${CERTCTL_SERVER_PORT:-8443}

echo "==> starting certctl-server on https://localhost:$port"
echo "    data dir:      $CERTCTL_DATA_DIR"
if [[ -n "${CERTCTL_AUTH_SECRET:-}" ]]; then
  echo "    API key:       the value of CERTCTL_AUTH_SECRET"
  key_expr="\$CERTCTL_AUTH_SECRET"
else
  echo "    API key:       $shown/api-key (generated on first start, mode 0600)"
  key_expr="\$(cat $shown/api-key)"
fi
echo "    bootstrap CA:  $shown/tls/ca.crt"
echo "    try:           curl --cacert $shown/tls/ca.crt -H \"Authorization: Bearer $key_expr\" https://localhost:$port/api/v1/certificates"

exec "$root/build/dev/bin/certctl-server" --demo "$@"
