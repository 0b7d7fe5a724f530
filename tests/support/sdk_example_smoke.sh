#!/usr/bin/env bash
# Installs the build into a temporary prefix, builds sdk/examples/hello-issuer
# out of tree against that installed SDK (find_package(certctl-sdk)), then
# starts the installed server with the example's build dir as
# CERTCTL_PLUGIN_DIR and checks that GET /api/v1/plugins lists HelloCA as loaded.
#   usage: sdk_example_smoke.sh BUILD_DIR SOURCE_DIR
set -euo pipefail
build_dir=$(cd "$1" && pwd)
source_dir=$(cd "$2" && pwd)

work=$(mktemp -d /tmp/certctl-sdk-example.XXXXXX)
server_pid=
cleanup() {
  if [[ -n $server_pid ]] && kill -0 "$server_pid" 2>/dev/null; then
    kill "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

prefix=$work/prefix
example_build=$work/hello-issuer-build
data=$work/data
mkdir -p "$data"

echo "== install to $prefix"
cmake --install "$build_dir" --prefix "$prefix" >/dev/null
test -f "$prefix/lib/cmake/certctl-sdk/certctl-sdkConfig.cmake"
test -f "$prefix/lib/cmake/certctl-sdk/certctl-sdkConfigVersion.cmake"
test -f "$prefix/include/certctl/issuer_v1.h"
test -f "$prefix/include/sdk/plugin/plugin.h"
test -f "$prefix/include/sdk/pki/certificate.h"
test -f "$prefix/lib/libcertctl_pki.a"

# Build from a copy so nothing can reach back into the source tree by a
# relative path; the only way to the SDK is CMAKE_PREFIX_PATH.
echo "== build hello-issuer out of tree"
cp -r "$source_dir/sdk/examples/hello-issuer" "$work/hello-issuer-src"
generator=()
command -v ninja >/dev/null && generator=(-G Ninja)
cmake -S "$work/hello-issuer-src" -B "$example_build" "${generator[@]}" \
  -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_PREFIX_PATH="$prefix" \
  -DCMAKE_FIND_USE_PACKAGE_REGISTRY=OFF
cmake --build "$example_build"
test -f "$example_build/hello_issuer.so"
if nm -D --defined-only "$example_build/hello_issuer.so" | grep -q ' T certctl_plugin_v1$'; then
  echo "exports certctl_plugin_v1"
else
  echo "hello_issuer.so does not export certctl_plugin_v1" >&2
  exit 1
fi

port=$(python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])')
echo "== start $prefix/bin/certctl-server on port $port"
CERTCTL_PLUGIN_DIR="$example_build" CERTCTL_DATA_DIR="$data" CERTCTL_AUTH_TYPE=none \
  CERTCTL_SERVER_HOST=127.0.0.1 CERTCTL_SERVER_PORT="$port" CERTCTL_LOG_FORMAT=text \
  "$prefix/bin/certctl-server" --insecure-http >"$work/server.log" 2>&1 &
server_pid=$!

base=http://127.0.0.1:$port
for _ in $(seq 1 200); do
  if curl -sf "$base/health" >/dev/null 2>&1; then break; fi
  if ! kill -0 "$server_pid" 2>/dev/null; then
    echo "server exited early:" >&2
    cat "$work/server.log" >&2
    exit 1
  fi
  sleep 0.1
done
if ! curl -sf "$base/health" >/dev/null; then
  echo "server did not answer /health:" >&2
  cat "$work/server.log" >&2
  exit 1
fi

plugins=$(curl -s "$base/api/v1/plugins")
echo "GET /api/v1/plugins: $plugins"
if ! python3 - "$plugins" "$example_build/hello_issuer.so" <<'PY'
import json, os, sys
doc = json.loads(sys.argv[1])
want = os.path.realpath(sys.argv[2])
hits = [p for p in doc.get("loaded", [])
        if p.get("kind") == "issuer" and p.get("type") == "HelloCA"]
if not hits:
    sys.exit("HelloCA is not among the loaded plugins")
if os.path.realpath(hits[0].get("path", "")) != want:
    sys.exit("HelloCA was loaded from %r, not %r" % (hits[0].get("path"), want))
if any("hello_issuer" in r.get("path", "") for r in doc.get("refused", [])):
    sys.exit("hello_issuer.so is also listed as refused")
print("HelloCA loaded:", json.dumps(hits[0].get("operations")))
PY
then
  cat "$work/server.log" >&2
  exit 1
fi

kill "$server_pid"
wait "$server_pid" 2>/dev/null || true
server_pid=
echo "sdk example out of tree OK"
