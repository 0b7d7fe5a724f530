#!/usr/bin/env bash
# Installs every package certctl needs to build and test on Debian 12.
#
#   packaging/deps/install-debian.sh           install whatever is missing
#   packaging/deps/install-debian.sh --check   list what is missing, exit 1 if any
#
# Idempotent: when everything is present it only runs dpkg-query (well under a
# second) and touches neither the network nor the apt lists.
set -euo pipefail

PACKAGES=(
  # toolchain
  build-essential cmake ninja-build ccache pkg-config git
  # libraries
  libpoco-dev libssl-dev libpq-dev libboost-dev libboost-filesystem-dev
  liblua5.4-dev libspdlog-dev libfmt-dev catch2 nlohmann-json3-dev
  libcli11-dev prometheus-cpp-dev libssh-dev
  # test peers and tools
  postgresql postgresql-contrib sqlite3 curl openssl ca-certificates jq
)

usage() {
  echo "usage: $0 [--check]" >&2
  exit 2
}

check_only=0
case "${1:-}" in
  "") ;;
  --check) check_only=1 ;;
  -h | --help) usage ;;
  *) usage ;;
esac
[[ $# -le 1 ]] || usage

if ! command -v dpkg-query >/dev/null 2>&1; then
  echo "install-debian.sh: dpkg-query not found: this script is for Debian/Ubuntu" >&2
  exit 1
fi

# A package counts as present only when dpkg says "install ok installed";
# removed-but-configured ("deinstall ok config-files") or half-installed
# packages are reinstalled.
missing_packages() {
  local pkg status
  for pkg in "${PACKAGES[@]}"; do
    status=$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)
    if [[ "$status" != "install ok installed" ]]; then
      printf '%s\n' "$pkg"
    fi
  done
}

mapfile -t missing < <(missing_packages)

if [[ ${#missing[@]} -eq 0 ]]; then
  echo "install-debian.sh: all ${#PACKAGES[@]} packages are installed"
  exit 0
fi

if [[ $check_only -eq 1 ]]; then
  echo "install-debian.sh: ${#missing[@]} package(s) missing:" >&2
  printf '  %s\n' "${missing[@]}" >&2
  exit 1
fi

SUDO=()
if [[ $(id -u) -ne 0 ]]; then
  if command -v sudo >/dev/null 2>&1; then
    SUDO=(sudo)
  else
    echo "install-debian.sh: not root and sudo is not available; install as root:" >&2
    echo "  apt-get install ${missing[*]}" >&2
    exit 1
  fi
fi

export DEBIAN_FRONTEND=noninteractive
# Wait for a concurrent apt/dpkg instead of failing; keep existing config files
# when a dependency such as openssl or postgresql is upgraded along the way.
APT_OPTS=(
  -o DPkg::Lock::Timeout=300
  -o Dpkg::Options::=--force-confdef
  -o Dpkg::Options::=--force-confold
)

echo "install-debian.sh: installing ${#missing[@]} package(s): ${missing[*]}"
echo "install-debian.sh: apt-get update"
if ! "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get "${APT_OPTS[@]}" -q update; then
  echo "install-debian.sh: apt-get update failed; retrying once" >&2
  sleep 5
  "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get "${APT_OPTS[@]}" -q update
fi

echo "install-debian.sh: apt-get install ${missing[*]}"
"${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive \
  apt-get "${APT_OPTS[@]}" -q -y install "${missing[@]}"

mapfile -t still_missing < <(missing_packages)
if [[ ${#still_missing[@]} -ne 0 ]]; then
  echo "install-debian.sh: still missing after install: ${still_missing[*]}" >&2
  exit 1
fi
echo "install-debian.sh: done"
