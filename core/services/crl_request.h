#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "core/services/crl_entry_list.h"

namespace certctl::plugins {
class IssuerPlugin;
}

namespace certctl::services {

// The two ways of asking an issuer plugin for a CRL
// (plugin-api/certctl/issuer_v1.h) and the choice between them.

// generate_crl: {"revoked": [{serial, revoked_at, reason}], crl_number,
// this_update, next_update}. One JSON object per entry: ~107 MB for 1M.
nlohmann::json crlRequestJson(const CrlEntryList& entries, long long crlNumber,
                              const std::string& thisUpdate, const std::string& nextUpdate);

// generate_crl_compact (ABI 1.1): the JSON text of {"crl_number",
// "this_update", "next_update", "revoked_tsv"}, written straight from the
// rows (no DOM): "SERIALHEX\tUNIX_SECONDS\tREASON_CODE\n" per entry, the
// serial without "0x" or ':', the reason as its RFC 5280 code. nullopt, with
// `problem` saying which entry, when an entry cannot be written so (a serial
// that is not hex, a time that is not RFC 3339, an unknown reason name):
// generate_crl then carries the list as it is and the plugin judges it.
std::optional<std::string> compactCrlRequestJson(const CrlEntryList& entries, long long crlNumber,
                                                 const std::string& thisUpdate,
                                                 const std::string& nextUpdate,
                                                 std::string* problem = nullptr);

// The DER CRL signed by `plugin`: through generate_crl_compact when the
// plugin has that slot, otherwise (a plugin built against ABI 1.0, an entry
// compactCrlRequestJson cannot write, or generate_crl_compact answering
// UNSUPPORTED) through generate_crl. PluginCallError on failure, including a
// result without a valid crl_der_base64.
std::string generateCrlDer(const plugins::IssuerPlugin& plugin, const std::string& issuerId,
                           const CrlEntryList& entries, long long crlNumber,
                           const std::string& thisUpdate, const std::string& nextUpdate);

}  // namespace certctl::services
