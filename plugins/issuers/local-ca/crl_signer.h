#pragma once

#include <nlohmann/json.hpp>

#include "ca_material.h"

namespace certctl::local_ca {

// generate_crl: {revoked: [{serial, revoked_at, reason}], crl_number,
// this_update, next_update} -> {crl_der_base64}, a v2 CRL signed by the CA
// key. The revocation list is the host's: this only encodes and signs it.
// Reasons are RFC 5280 names ("keyCompromise"; snake_case and the wire codes
// are accepted too). Throws sdk::PluginError(Rejected) naming the bad field.
nlohmann::json generateCrl(const CaMaterial& ca, const nlohmann::json& request);

// generate_crl_compact (ABI 1.1): the same CRL from {revoked_tsv, crl_number,
// this_update, next_update}, revoked_tsv holding one "SERIALHEX\tUNIX_SECONDS\t
// REASON_CODE\n" line per entry, parsed straight into the CrlBuilder.
// Rejected naming the line of a bad entry.
nlohmann::json generateCrlCompact(const CaMaterial& ca, const nlohmann::json& request);

}  // namespace certctl::local_ca
