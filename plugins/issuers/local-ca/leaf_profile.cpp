#include "leaf_profile.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <string_view>
#include <utility>

#include "sdk/pki/openssl_error.h"
#include "sdk/plugin/plugin_error.h"

namespace certctl::local_ca {

namespace {

namespace pki = certctl::sdk::pki;
using nlohmann::json;
using sdk::PluginError;

struct Purpose {
  std::string_view name;  // OpenSSL short name, as CertificateBuilder takes it
  std::string_view folded;
  std::string_view oid;
};

constexpr std::array<Purpose, 5> kPurposes{{
    {"serverAuth", "serverauth", "1.3.6.1.5.5.7.3.1"},
    {"clientAuth", "clientauth", "1.3.6.1.5.5.7.3.2"},
    {"codeSigning", "codesigning", "1.3.6.1.5.5.7.3.3"},
    {"emailProtection", "emailprotection", "1.3.6.1.5.5.7.3.4"},
    {"timeStamping", "timestamping", "1.3.6.1.5.5.7.3.8"},
}};

// Lowercase without '_' and '-': "server_auth", "ServerAuth" -> "serverauth".
std::string fold(std::string_view s) {
  std::string out;
  for (unsigned char c : s) {
    if (c != '_' && c != '-') out.push_back(static_cast<char>(std::tolower(c)));
  }
  return out;
}

bool startsWithNoCase(std::string_view s, std::string_view prefix) {
  return s.size() >= prefix.size() &&
         std::equal(prefix.begin(), prefix.end(), s.begin(), [](char a, char b) {
           return std::tolower(static_cast<unsigned char>(a)) ==
                  std::tolower(static_cast<unsigned char>(b));
         });
}

void addSan(pki::SubjectAltNames& names, std::string_view value) {
  static constexpr std::pair<std::string_view, int> kPrefixes[] = {
      {"dns:", 0}, {"ip:", 1}, {"email:", 2}, {"uri:", 3}};
  for (const auto& [prefix, kind] : kPrefixes) {
    if (!startsWithNoCase(value, prefix)) continue;
    const std::string rest(value.substr(prefix.size()));
    switch (kind) {
      case 0:
        names.addDnsName(rest);
        return;
      case 1:
        names.addIpAddress(rest);
        return;
      case 2:
        names.addEmailAddress(rest);
        return;
      default:
        names.addUri(rest);
        return;
    }
  }
  if (value.find("://") != std::string_view::npos || startsWithNoCase(value, "urn:")) {
    names.addUri(std::string(value));
  } else if (value.find('@') != std::string_view::npos) {
    names.addEmailAddress(std::string(value));
  } else {
    names.add(value);  // IP literal or DNS name
  }
}

}  // namespace

pki::SubjectAltNames parseSans(const json& sans) {
  pki::SubjectAltNames names;
  if (sans.is_null()) return names;
  if (!sans.is_array()) throw PluginError::rejected("sans: must be an array of strings");
  for (std::size_t i = 0; i < sans.size(); ++i) {
    const std::string field = "sans[" + std::to_string(i) + "]";
    if (!sans[i].is_string()) throw PluginError::rejected(field + ": must be a string");
    try {
      addSan(names, sans[i].get_ref<const std::string&>());
    } catch (const pki::PkiError& e) {
      throw PluginError::rejected(field + ": " + e.what());
    }
  }
  return names;
}

std::vector<std::string> parseEkus(const json& request) {
  std::vector<std::string> ekus;
  auto it = request.find("ekus");
  if (it != request.end() && !it->is_null()) {
    if (!it->is_array()) throw PluginError::rejected("ekus: must be an array of strings");
    for (std::size_t i = 0; i < it->size(); ++i) {
      const json& entry = (*it)[i];
      const std::string field = "ekus[" + std::to_string(i) + "]";
      if (!entry.is_string()) throw PluginError::rejected(field + ": must be a string");
      const std::string& value = entry.get_ref<const std::string&>();
      const std::string folded = fold(value);
      auto match = std::find_if(kPurposes.begin(), kPurposes.end(), [&](const Purpose& p) {
        return p.folded == folded || p.oid == value;
      });
      if (match == kPurposes.end()) {
        throw PluginError::rejected(field + ": '" + value +
                                    "' is not issued by this CA (allowed: serverAuth, clientAuth, "
                                    "emailProtection, codeSigning, timeStamping)");
      }
      if (std::find(ekus.begin(), ekus.end(), match->name) == ekus.end())
        ekus.emplace_back(match->name);
    }
  }
  if (ekus.empty()) ekus.emplace_back("serverAuth");
  if (ekus.size() > 1 && std::find(ekus.begin(), ekus.end(), "timeStamping") != ekus.end()) {
    throw PluginError::rejected(
        "ekus: timeStamping must be the only purpose of a certificate (RFC 3161 2.3)");
  }
  return ekus;
}

pki::KeyUsage keyUsageFor(const std::vector<std::string>& ekus, bool rsaKey) {
  using pki::KeyUsage;
  KeyUsage usage = KeyUsage::DigitalSignature;
  bool keyTransport = false;
  for (const auto& eku : ekus) {
    if (eku == "emailProtection") {
      usage |= KeyUsage::ContentCommitment;
      keyTransport = true;
    } else if (eku == "serverAuth" || eku == "clientAuth") {
      keyTransport = true;
    }
  }
  if (keyTransport && rsaKey) usage |= KeyUsage::KeyEncipherment;
  return usage;
}

}  // namespace certctl::local_ca
