#!/usr/bin/env bash
# Installs every package certctl needs to build and test on Debian 12.
#
#   packaging/deps/install-debian.sh           install whatever is missing
#   packaging/deps/install-debian.sh --check   list what is missing, exit 1 if any
#
# Idempotent: when everything is present it only runs dpkg-query (well under a
# second) and touches neither the network nor the apt lists.
#
# The deployment-target servers (nginx, apache2, haproxy, caddy, postfix,
# dovecot) are installed for their binaries only: the tests start their own
# instances on random loopback ports. Their Debian packages would start and
# enable system daemons on ports 80/443/25/143, so services are forbidden to
# start while apt runs (a temporary /usr/sbin/policy-rc.d, unless one is
# already there) and the ones installed here are stopped and disabled
# afterwards (postfix is preseeded to "Local only").
set -euo pipefail

PACKAGES=(
  # toolchain
  build-essential cmake ninja-build ccache pkg-config git
  # libraries
  libpoco-dev libssl-dev libpq-dev libboost-dev libboost-filesystem-dev
  liblua5.4-dev libspdlog-dev libfmt-dev catch2 nlohmann-json3-dev
  libcli11-dev prometheus-cpp-dev libssh-dev libjemalloc-dev
  # test peers and tools
  postgresql postgresql-contrib sqlite3 curl openssl ca-certificates jq
  # an independent YAML/TOML parser for the Traefik target test (python3 has tomllib)
  python3-yaml
  # deployment targets, run by the tests as their own processes
  nginx apache2 haproxy caddy postfix dovecot-imapd
  # ACME, DNS and enrollment peers (issues 5 and 6): Pebble + challtestsrv,
  # named + nsupdate for RFC 2136, certbot and lego as ACME clients, and
  # certmonger's SCEP helper
  pebble bind9 bind9-dnsutils certbot lego certmonger
)

# Packages that ship a system daemon the tests must not find running: package
# name -> its init scripts / systemd units.
declare -A DAEMONS=(
  [nginx]=nginx [apache2]="apache2 apache-htcacheclean" [haproxy]=haproxy
  [caddy]="caddy caddy-api" [postfix]=postfix [dovecot-imapd]=dovecot
  [bind9]=named [certmonger]=certmonger [certbot]=certbot.timer
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
# postfix asks how mail leaves the machine: nowhere (tests run their own).
if [[ " ${missing[*]} " == *" postfix "* ]] && command -v debconf-set-selections >/dev/null 2>&1; then
  echo "postfix postfix/main_mailer_type select Local only" | "${SUDO[@]}" debconf-set-selections
fi
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

# No service may start while apt runs (invoke-rc.d and deb-systemd-invoke
# both ask policy-rc.d; 101 = "action forbidden"). An existing policy is
# left alone: the daemons are stopped below either way.
POLICY_RC=/usr/sbin/policy-rc.d
own_policy=0
remove_policy() {
  if [[ $own_policy -eq 1 ]]; then
    "${SUDO[@]}" rm -f "$POLICY_RC"
    own_policy=0
  fi
}
if [[ ! -e $POLICY_RC ]]; then
  printf '#!/bin/sh\n# written by certctl install-debian.sh for the duration of apt-get install\nexit 101\n' |
    "${SUDO[@]}" tee "$POLICY_RC" >/dev/null
  "${SUDO[@]}" chmod 0755 "$POLICY_RC"
  own_policy=1
  trap remove_policy EXIT
fi

echo "install-debian.sh: apt-get install ${missing[*]}"
"${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive \
  apt-get "${APT_OPTS[@]}" -q -y install "${missing[@]}"
remove_policy

# Stops a system service now and keeps it from starting at boot, with or
# without systemd running (systemctl enable/disable also work offline).
quiet_service() {
  local unit=$1
  echo "install-debian.sh: stopping and disabling the $unit system service (tests run their own)"
  if [[ -d /run/systemd/system ]] && command -v systemctl >/dev/null 2>&1; then
    "${SUDO[@]}" systemctl stop "$unit" >/dev/null 2>&1 || true
  elif [[ -x /etc/init.d/$unit ]]; then
    "${SUDO[@]}" /etc/init.d/"$unit" stop >/dev/null 2>&1 || true
  fi
  if command -v systemctl >/dev/null 2>&1; then
    "${SUDO[@]}" systemctl disable "$unit" >/dev/null 2>&1 || true
  fi
  if [[ -x /etc/init.d/$unit ]] && command -v update-rc.d >/dev/null 2>&1; then
    "${SUDO[@]}" update-rc.d "$unit" disable >/dev/null 2>&1 || true
  fi
}

# The daemons of the server packages installed just now: nothing of theirs
# listens on port 80 or comes back at boot.
for pkg in "${missing[@]}"; do
  for unit in ${DAEMONS[$pkg]:-}; do
    quiet_service "$unit"
  done
done

mapfile -t still_missing < <(missing_packages)
if [[ ${#still_missing[@]} -ne 0 ]]; then
  echo "install-debian.sh: still missing after install: ${still_missing[*]}" >&2
  exit 1
fi
echo "install-debian.sh: done"
