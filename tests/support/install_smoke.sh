#!/usr/bin/env bash
# Installs the build into a temporary prefix and starts the installed server
# from there: it must find its migrations relative to its own binary (not the
# source tree, which is hidden by running from a copy under a new prefix).
set -euo pipefail
build_dir=$1
prefix=$(mktemp -d /tmp/certctl-install.XXXXXX)
data=$(mktemp -d /tmp/certctl-install-data.XXXXXX)
trap 'rm -rf "$prefix" "$data"' EXIT

cmake --install "$build_dir" --prefix "$prefix" >/dev/null
test -x "$prefix/bin/certctl-server"
test -f "$prefix/share/certctl/migrations/sqlite/0001_initial_schema.sql"
test -f "$prefix/share/certctl/migrations/postgres/0001_initial_schema.sql"
for kind in issuers targets notifiers discovery; do
  test -d "$prefix/lib/certctl/plugins/$kind"
done

out=$(CERTCTL_DATA_DIR="$data" "$prefix/bin/certctl-server" --migrate-only 2>&1)
echo "$out"
grep -q "migrations: [1-9][0-9]* applied from $prefix/share/certctl/migrations" <<<"$out"
"$prefix/bin/certctl-server" --help | grep -q CERTCTL_DATABASE_URL

# The built-in plugins are installed where the server looks by default
# (<prefix>/lib/certctl/plugins/<kind>/), and the installed server loads them.
test -f "$prefix/lib/certctl/plugins/issuers/local-ca.so"
port=$(python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])')
log=$data/server.log
CERTCTL_DATA_DIR="$data" CERTCTL_AUTH_TYPE=none CERTCTL_SERVER_HOST=127.0.0.1 \
  CERTCTL_SERVER_PORT="$port" CERTCTL_LOG_FORMAT=text \
  "$prefix/bin/certctl-server" --insecure-http >"$log" 2>&1 &
server_pid=$!
trap 'kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; rm -rf "$prefix" "$data"' EXIT
base=http://127.0.0.1:$port
for _ in $(seq 1 200); do
  curl -sf "$base/health" >/dev/null 2>&1 && break
  kill -0 "$server_pid" 2>/dev/null || { cat "$log" >&2; exit 1; }
  sleep 0.1
done
plugins=$(curl -sf "$base/api/v1/plugins") || { cat "$log" >&2; exit 1; }
if ! python3 - "$plugins" "$prefix/lib/certctl/plugins/issuers/local-ca.so" <<'PY'
import json, os, sys
doc = json.loads(sys.argv[1])
want = os.path.realpath(sys.argv[2])
hits = [p for p in doc.get("loaded", []) if p.get("kind") == "issuer" and p.get("type") == "GenericCA"]
if not hits:
    sys.exit("GenericCA is not among the loaded plugins: %s" % json.dumps(doc))
if os.path.realpath(hits[0].get("path", "")) != want:
    sys.exit("GenericCA was loaded from %r, not %r" % (hits[0].get("path"), want))
if doc.get("refused"):
    sys.exit("plugins refused: %s" % json.dumps(doc["refused"]))
print("GenericCA loaded from", want)
PY
then
  cat "$log" >&2
  exit 1
fi
echo "install layout OK"
