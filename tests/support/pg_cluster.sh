#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for tests, on a random loopback port.
#
#   pg_cluster.sh start DIR   initdb + start; writes DIR/url
#                             (postgres://postgres@127.0.0.1:PORT/certctl_test)
#   pg_cluster.sh check DIR   runs `select 1` through DIR/url
#   pg_cluster.sh stop  DIR   fast shutdown, then removes DIR
#
# Trust auth, fsync off: for tests only. As root the cluster runs as the
# `postgres` user (initdb refuses root). Set PG_BINDIR to pick the server
# binaries; otherwise `pg_config --bindir`, then the newest
# /usr/lib/postgresql/*/bin.
set -euo pipefail

DB_NAME=certctl_test
PROG=pg_cluster.sh

die() {
  echo "$PROG: $*" >&2
  exit 1
}

usage() {
  echo "usage: $PROG start|check|stop DIR" >&2
  exit 2
}

[[ $# -eq 2 ]] || usage
cmd=$1
dir=$2
[[ -n "$dir" ]] || usage

find_bindir() {
  local d
  if [[ -n "${PG_BINDIR:-}" ]]; then
    [[ -x "$PG_BINDIR/initdb" ]] || die "PG_BINDIR=$PG_BINDIR has no initdb"
    echo "$PG_BINDIR"
    return
  fi
  if command -v pg_config >/dev/null 2>&1; then
    d=$(pg_config --bindir 2>/dev/null || true)
    if [[ -n "$d" && -x "$d/initdb" && -x "$d/pg_ctl" ]]; then
      echo "$d"
      return
    fi
  fi
  # Newest installed server first.
  for d in $(printf '%s\n' /usr/lib/postgresql/*/bin | sort -t/ -k5,5 -rn); do
    if [[ -x "$d/initdb" && -x "$d/pg_ctl" ]]; then
      echo "$d"
      return
    fi
  done
  die "no PostgreSQL server binaries found (install postgresql, or set PG_BINDIR)"
}

# Runs a server binary as the cluster owner: `postgres` when we are root.
as_owner() {
  if [[ $(id -u) -eq 0 ]]; then
    if command -v runuser >/dev/null 2>&1; then
      (cd / && runuser -u postgres -- "$@")
    else
      local q
      q=$(printf '%q ' "$@")
      (cd / && su postgres -s /bin/sh -c "$q")
    fi
  else
    "$@"
  fi
}

# Prints a loopback TCP port that nothing listens on right now. Another
# process may still take it before the server binds; `start` retries then.
pick_port() {
  local port
  if command -v python3 >/dev/null 2>&1 &&
    port=$(python3 -c 'import socket
s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()' 2>/dev/null); then
    echo "$port"
    return
  fi
  for _ in $(seq 1 50); do
    port=$((20000 + RANDOM % 40000))
    # A refused connection means the port is free.
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      echo "$port"
      return
    fi
  done
  die "could not find a free loopback port"
}

# Paths of a cluster, kept in DIR/state so `stop` finds them even when they
# had to live outside DIR.
load_state() {
  pgdata=""
  sockdir=""
  extra=""
  port=""
  if [[ -f "$dir/state" ]]; then
    # shellcheck disable=SC1091
    . "$dir/state"
  fi
}

do_stop() {
  local bindir
  # Only ever delete a directory this script made.
  if [[ ! -f "$dir/state" && -n "$(ls -A -- "$dir" 2>/dev/null)" ]]; then
    die "$dir was not made by $PROG (no state file): not touching it"
  fi
  load_state
  if [[ -n "$pgdata" && -f "$pgdata/postmaster.pid" ]]; then
    bindir=$(find_bindir)
    echo "$PROG: stopping cluster in $pgdata"
    if ! as_owner "$bindir/pg_ctl" -D "$pgdata" -m fast -w -t 60 stop; then
      echo "$PROG: fast stop failed, trying immediate" >&2
      as_owner "$bindir/pg_ctl" -D "$pgdata" -m immediate -w -t 30 stop || true
    fi
  fi
  if [[ -n "$extra" && -d "$extra" ]]; then
    rm -rf -- "$extra"
  fi
  rm -rf -- "$dir"
}

do_start() {
  local bindir cluster attempt log

  bindir=$(find_bindir)
  if [[ $(id -u) -eq 0 ]]; then
    id postgres >/dev/null 2>&1 || die "running as root but there is no 'postgres' user (install postgresql)"
  fi

  # Leftovers of an interrupted run: stop and remove them first.
  if [[ -e "$dir" ]]; then
    do_stop
  fi
  mkdir -p -- "$dir"
  dir=$(cd -- "$dir" && pwd)
  : >"$dir/state"

  cluster="$dir/cluster"
  extra=""
  mkdir -p "$cluster"
  if [[ $(id -u) -eq 0 ]]; then
    chown postgres: "$cluster"
    # The postgres user must be able to reach DIR (a clone under /root is
    # not); and a socket path is limited to ~107 bytes. Fall back to /tmp.
    if ! as_owner test -w "$cluster" || [[ ${#cluster} -gt 80 ]]; then
      rmdir "$cluster"
      extra=$(mktemp -d /tmp/certctl-pg.XXXXXX)
      chmod 755 "$extra"
      cluster="$extra"
      chown postgres: "$cluster"
    fi
  elif [[ ${#cluster} -gt 80 ]]; then
    rmdir "$cluster"
    extra=$(mktemp -d /tmp/certctl-pg.XXXXXX)
    cluster="$extra"
  fi
  pgdata="$cluster/data"
  sockdir="$cluster/sock"
  log="$cluster/postgres.log"
  as_owner mkdir -p "$sockdir"

  {
    printf 'pgdata=%q\n' "$pgdata"
    printf 'sockdir=%q\n' "$sockdir"
    printf 'extra=%q\n' "$extra"
  } >"$dir/state"

  echo "$PROG: initdb $pgdata ($bindir)"
  if ! as_owner "$bindir/initdb" -D "$pgdata" -A trust -U postgres -E UTF8 \
    --no-locale --no-sync >"$dir/initdb.log" 2>&1; then
    cat "$dir/initdb.log" >&2
    die "initdb failed (log above)"
  fi

  port=""
  for attempt in 1 2 3 4 5; do
    port=$(pick_port)
    echo "$PROG: starting on 127.0.0.1:$port (attempt $attempt)"
    # -l sends the server's output to a file, so the daemon holds no pipe
    # of ours open (CTest would otherwise wait for it).
    if as_owner "$bindir/pg_ctl" -D "$pgdata" -l "$log" -w -t 60 \
      -o "-p $port -k $sockdir -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
      start >/dev/null; then
      break
    fi
    port=""
    if grep -qiE 'could not bind|address already in use' "$log" 2>/dev/null; then
      continue
    fi
    cat "$log" >&2 2>/dev/null || true
    do_stop
    die "pg_ctl start failed (server log above)"
  done
  if [[ -z "$port" ]]; then
    cat "$log" >&2 2>/dev/null || true
    do_stop
    die "could not start the server on a free port after 5 attempts"
  fi
  printf 'port=%q\n' "$port" >>"$dir/state"

  if ! "$bindir/createdb" -h 127.0.0.1 -p "$port" -U postgres "$DB_NAME"; then
    do_stop
    die "createdb $DB_NAME failed"
  fi

  echo "postgres://postgres@127.0.0.1:$port/$DB_NAME" >"$dir/url"
  echo "$PROG: ready: $(cat "$dir/url") (url in $dir/url)"
}

do_check() {
  local url
  [[ -f "$dir/url" ]] || die "$dir/url not found: is the cluster started?"
  url=$(cat "$dir/url")
  command -v psql >/dev/null 2>&1 || die "psql not found"
  [[ "$(psql "$url" -X -tAc 'select 1')" == 1 ]] || die "select 1 through $url failed"
  echo "$PROG: $url answers"
}

case "$cmd" in
  start) do_start ;;
  stop)
    if [[ -e "$dir" ]]; then
      do_stop
      echo "$PROG: stopped, removed $dir"
    else
      echo "$PROG: $dir does not exist, nothing to stop"
    fi
    ;;
  check) do_check ;;
  *) usage ;;
esac
