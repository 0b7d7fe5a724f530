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
echo "install layout OK"
