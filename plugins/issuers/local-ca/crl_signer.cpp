#include "crl_signer.h"

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "revocation_fields.h"
#include "sdk/pki/base64.h"
#include "sdk/pki/crl_builder.h"
#include "sdk/pki/openssl_error.h"
#include "sdk/plugin/plugin_error.h"
#include "sdk/plugin/revoked_tsv.h"
#include "time_format.h"

namespace certctl::local_ca {

namespace {

namespace pki = certctl::sdk::pki;
using nlohmann::json;
using sdk::PluginError;

std::uint64_t crlNumber(const json& request) {
  auto it = request.find("crl_number");
  if (it == request.end() || it->is_null()) throw PluginError::rejected("crl_number: required");
  if (it->is_number_unsigned()) return it->get<std::uint64_t>();
  if (it->is_number_integer() && it->get<std::int64_t>() >= 0)
    return static_cast<std::uint64_t>(it->get<std::int64_t>());
  if (it->is_string()) {
    const auto& s = it->get_ref<const std::string&>();
    if (!s.empty() && s.size() <= 19 && s.find_first_not_of("0123456789") == std::string::npos)
      return std::stoull(s);
  }
  throw PluginError::rejected("crl_number: must be a non-negative integer");
}

// A builder for the CA with the request's crl_number, this_update and next_update.
pki::CrlBuilder startCrl(const CaMaterial& ca, const json& request) {
  std::optional<pki::CrlBuilder> builder;
  try {
    builder.emplace(ca.cert, ca.key);
  } catch (const pki::PkiError& e) {
    throw PluginError::unsupported(std::string("this CA cannot sign CRLs: ") + e.what());
  }
  builder->number(crlNumber(request));
  const auto thisUpdate = timeField(request, "this_update");
  const auto nextUpdate = timeField(request, "next_update");
  if (nextUpdate && *nextUpdate <= thisUpdate.value_or(std::chrono::system_clock::now()))
    throw PluginError::rejected("next_update: must be after this_update");
  if (thisUpdate) builder->thisUpdate(*thisUpdate);
  if (nextUpdate) builder->nextUpdate(*nextUpdate);
  return std::move(*builder);
}

json signedResult(const pki::CrlBuilder& builder) {
  json result = json::object();
  result["crl_der_base64"] = pki::base64Encode(builder.sign().der);  // moved, not copied
  return result;
}

}  // namespace

json generateCrl(const CaMaterial& ca, const json& request) {
  const json empty = json::array();
  auto it = request.find("revoked");
  const json& revoked = it == request.end() || it->is_null() ? empty : *it;
  if (!revoked.is_array()) throw PluginError::rejected("revoked: must be an array");

  pki::CrlBuilder builder = startCrl(ca, request);
  builder.reserve(revoked.size());
  ReasonCache reasons;
  for (std::size_t i = 0; i < revoked.size(); ++i) {
    const json& entry = revoked[i];
    const std::string field = "revoked[" + std::to_string(i) + "]";
    if (!entry.is_object()) throw PluginError::rejected(field + ": must be an object");
    const std::string serial = serialMember(entry, field + ".serial");
    const auto at = timeField(entry, "revoked_at", std::nullopt, field + ".revoked_at");
    if (!at) throw PluginError::rejected(field + ".revoked_at: required");
    const auto reason = reasons.parse(entry, field + ".reason");
    try {
      builder.add(serial, *at, reason);
    } catch (const pki::PkiError& e) {
      throw PluginError::rejected(field + ": " + e.what());
    }
  }
  return signedResult(builder);
}

json generateCrlCompact(const CaMaterial& ca, const json& request) {
  auto it = request.find("revoked_tsv");
  if (it != request.end() && !it->is_null() && !it->is_string())
    throw PluginError::rejected("revoked_tsv: must be a string");
  const std::string_view tsv =
      it == request.end() || it->is_null() ? std::string_view() : it->get_ref<const std::string&>();

  pki::CrlBuilder builder = startCrl(ca, request);
  // ~47 bytes a line for 128-bit serials: a close guess saves re-allocations.
  builder.reserve(tsv.size() / 40);
  std::size_t line = 0;
  sdk::forEachRevokedEntry(tsv, [&](const sdk::RevokedEntry& e) {
    ++line;
    // TimePoint counts nanoseconds in 64 bits: years 1678..2262. Outside
    // them the conversion would wrap; CrlBuilder refuses < 1950 anyway.
    constexpr std::int64_t kMaxSeconds = 9'000'000'000;
    if (e.revokedAtUnix > kMaxSeconds || e.revokedAtUnix < -kMaxSeconds)
      throw PluginError::rejected("revoked_tsv line " + std::to_string(line) +
                                  ": the revocation time is out of range");
    const auto reason = pki::revocationReasonFromCode(e.reasonCode);  // valid: checked by the SDK
    try {
      builder.add(e.serialHex, TimePoint(std::chrono::seconds(e.revokedAtUnix)),
                  reason.value_or(pki::RevocationReason::unspecified));
    } catch (const pki::PkiError& ex) {
      throw PluginError::rejected("revoked_tsv line " + std::to_string(line) + ": " + ex.what());
    }
  });
  return signedResult(builder);
}

}  // namespace certctl::local_ca
