#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "ca_material.h"
#include "config.h"

namespace certctl::local_ca {

// issue / renew: signs the CSR of `request` ({common_name, sans, csr_pem,
// ttl_seconds, max_ttl_seconds, ekus}) with `ca` and returns {cert_pem,
// chain_pem, serial, not_before, not_after}. Stateless: safe on many
// threads at once. Throws sdk::PluginError(Rejected) for a bad request.
nlohmann::json issueCertificate(const CaMaterial& ca, const std::string& chainPem,
                                const LocalCaConfig& config, const nlohmann::json& request);

// A fresh serial from RAND_bytes: 16 octets, the first 01xxxxxx, so it is
// positive, always 16 DER content octets and always 32 hex digits, with
// 126 random bits. Uppercase hex, as Certificate::serialHex() prints it.
std::string randomSerialHex();

}  // namespace certctl::local_ca
