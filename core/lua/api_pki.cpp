#include <nlohmann/json.hpp>

#include "core/lua/api_support.h"
#include "core/lua/certctl_api.h"
#include "core/lua/json_bridge.h"
#include "sdk/pki/certificate_summary.h"
#include "sdk/pki/csr.h"

namespace certctl::lua {

namespace {

using nlohmann::json;

// certctl.pki.parse_csr(pem) -> {common_name, subject, sans = {dns, ip, email, uri},
//   key_algorithm, key_bits, signature_valid}
int parseCsr(lua_State* L) {
  size_t size = 0;
  const char* pem = luaL_checklstring(L, 1, &size);
  auto csr = sdk::pki::Csr::fromPem(std::string_view(pem, size));
  auto sans = csr.subjectAltNames();
  pushJson(L, {{"common_name", csr.subjectCommonName()},
               {"subject", csr.subjectString()},
               {"sans",
                {{"dns", sans.dnsNames()},
                 {"ip", sans.ipAddresses()},
                 {"email", sans.emailAddresses()},
                 {"uri", sans.uris()}}},
               {"key_algorithm", csr.keyAlgorithm()},
               {"key_bits", csr.keyBits()},
               {"signature_valid", csr.verifySignature()}});
  return 1;
}

// certctl.pki.parse_cert(pem) -> {common_name, subject, issuer, sans, serial,
//   not_before, not_after, key_algorithm, key_bits, is_ca, fingerprint_sha256}
int parseCert(lua_State* L) {
  size_t size = 0;
  const char* pem = luaL_checklstring(L, 1, &size);
  auto summary = sdk::pki::summarize(sdk::pki::Certificate::fromPem(std::string_view(pem, size)));
  pushJson(L, {{"common_name", summary.commonName},
               {"subject", summary.subjectDn},
               {"issuer", summary.issuerDn},
               {"sans", summary.sans},
               {"serial", summary.serialNumber},
               {"not_before", summary.notBefore},
               {"not_after", summary.notAfter},
               {"key_algorithm", summary.keyAlgorithm},
               {"key_bits", summary.keyBits},
               {"is_ca", summary.isCa},
               {"fingerprint_sha256", summary.fingerprintSha256}});
  return 1;
}

}  // namespace

void registerPki(lua_State* L) {
  lua_newtable(L);
  setFunction(L, "parse_csr", &guarded<parseCsr>);
  setFunction(L, "parse_cert", &guarded<parseCert>);
  lua_setfield(L, -2, "pki");
}

}  // namespace certctl::lua
