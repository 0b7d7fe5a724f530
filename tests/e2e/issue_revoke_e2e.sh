#!/usr/bin/env bash
# Issue 3 acceptance, as a user would do it: install to a prefix, start the
# installed server, and with curl and openssl alone issue a certificate
# (server keygen), verify it, revoke it, and see the revocation through the
# CRL and OCSP. Usage: issue_revoke_e2e.sh BUILD_DIR
set -euo pipefail
build_dir=$1
work=$(mktemp -d /tmp/certctl-e2e.XXXXXX)
prefix=$work/prefix
data=$work/data
server_pid=
cleanup() {
  if [[ -n $server_pid ]]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; echo "--- server log" >&2; tail -50 "$work/server.log" >&2 || true; exit 1; }
step() { echo "== $*"; }

cmake --install "$build_dir" --prefix "$prefix" >/dev/null
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])' 2>/dev/null ||
       shuf -i 20000-60000 -n 1)

step "start the installed server on 127.0.0.1:$port (CERTCTL_KEYGEN_MODE=server)"
CERTCTL_DATA_DIR=$data CERTCTL_SERVER_PORT=$port CERTCTL_KEYGEN_MODE=server \
  CERTCTL_LOG_FORMAT=text "$prefix/bin/certctl-server" >"$work/server.log" 2>&1 &
server_pid=$!
base=https://127.0.0.1:$port
for _ in $(seq 1 100); do
  curl -sf --cacert "$data/tls/ca.crt" "$base/health" >/dev/null 2>&1 && break
  kill -0 "$server_pid" 2>/dev/null || fail "server exited"
  sleep 0.1
done
key=$(cat "$data/api-key")
api() { curl -sS --cacert "$data/tls/ca.crt" -H "Authorization: Bearer $key" "$@"; }

step "create a managed certificate on the default local CA"
created=$(api -X POST "$base/api/v1/certificates" -H 'Content-Type: application/json' \
  -d '{"name":"e2e-web","common_name":"e2e.example.com","sans":["e2e.example.com","127.0.0.1"],"issuer_id":"iss-local"}')
id=$(jq -r .id <<<"$created")
[[ $id == mc-* ]] || fail "create: $created"

status=
for _ in $(seq 1 100); do
  status=$(api "$base/api/v1/certificates/$id" | jq -r .status)
  [[ $status == Active || $status == Failed ]] && break
  sleep 0.1
done
[[ $status == Active ]] || fail "certificate status $status"

step "export and verify the chain with openssl"
api "$base/api/v1/certificates/$id/export/pem" >"$work/export.json"
jq -r .certificate_pem "$work/export.json" >"$work/leaf.pem"
jq -r .chain_pem "$work/export.json" >"$work/ca.pem"
openssl verify -CAfile "$work/ca.pem" "$work/leaf.pem" || fail "openssl verify"
serial=$(openssl x509 -in "$work/leaf.pem" -noout -serial | cut -d= -f2)

ocsp_status() {
  openssl ocsp -issuer "$work/ca.pem" -cert "$work/leaf.pem" -CAfile "$work/ca.pem" \
    -url "$base/.well-known/pki/ocsp/iss-local" 2>&1 | tee "$work/ocsp.out" | grep "^$work/leaf.pem:" |
    awk '{print $2}'
}
step "OCSP before revocation"
[[ $(ocsp_status) == good ]] || { cat "$work/ocsp.out"; fail "OCSP not good before revocation"; }

step "revoke (keyCompromise)"
api -X POST "$base/api/v1/certificates/$id/revoke" -H 'Content-Type: application/json' \
  -d '{"reason":"keyCompromise"}' | tee "$work/revoke.json"; echo
[[ $(api "$base/api/v1/certificates/$id" | jq -r .status) == Revoked ]] || fail "status after revoke"

step "CRL lists the serial, signature verified by openssl"
curl -sS --cacert "$data/tls/ca.crt" -o "$work/crl.der" "$base/.well-known/pki/crl/iss-local"
openssl crl -inform DER -in "$work/crl.der" -CAfile "$work/ca.pem" -noout -text >"$work/crl.txt" 2>&1 ||
  { cat "$work/crl.txt"; fail "openssl crl"; }
grep -q "verify OK" "$work/crl.txt" || fail "CRL signature"
grep -qi "Serial Number: *$serial" "$work/crl.txt" || { cat "$work/crl.txt"; fail "serial $serial not on the CRL"; }
grep -q "Key Compromise" "$work/crl.txt" || fail "reason not on the CRL"

step "OCSP after revocation"
[[ $(ocsp_status) == revoked ]] || { cat "$work/ocsp.out"; fail "OCSP not revoked after revocation"; }
grep -q "Reason: keyCompromise" "$work/ocsp.out" || fail "OCSP reason"
echo "issue/revoke/CRL/OCSP end to end OK"
