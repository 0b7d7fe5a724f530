#include "plugins/targets/caddy/caddy_tls_config.h"

#include <algorithm>

#include "sdk/deploy/deploy_error.h"

namespace certctl::targets::caddy {

using nlohmann::json;
using sdk::deploy::DeployError;

namespace {

bool hasTag(const json& entry, const std::string& tag) {
  if (!entry.is_object()) return false;
  auto tags = entry.find("tags");
  if (tags == entry.end() || !tags->is_array()) return false;
  return std::any_of(tags->begin(), tags->end(),
                     [&](const json& t) { return t.is_string() && t.get<std::string>() == tag; });
}

// config[key] as an object, created when absent or null.
json& objectMember(json& parent, const char* key, const std::string& where) {
  json& member = parent[key];
  if (member.is_null()) member = json::object();
  if (!member.is_object())
    throw DeployError::rejected("Caddy's config has " + where + " that is not an object");
  return member;
}

}  // namespace

const json* findLoadedPem(const json& config, const std::string& tag) {
  const json* list = nullptr;
  try {
    list = &config.at("apps").at("tls").at("certificates").at("load_pem");
  } catch (const json::exception&) {
    return nullptr;
  }
  if (!list->is_array()) return nullptr;
  for (const auto& entry : *list)
    if (hasTag(entry, tag)) return &entry;
  return nullptr;
}

json withLoadedPem(json config, const std::string& tag, const std::string& certificatePem,
                   const std::string& keyPem) {
  if (!config.is_object()) throw DeployError::rejected("Caddy's config is not a JSON object");
  json& apps = objectMember(config, "apps", "apps");
  json& tls = objectMember(apps, "tls", "apps.tls");
  json& certificates = objectMember(tls, "certificates", "apps.tls.certificates");
  json& list = certificates["load_pem"];
  if (list.is_null()) list = json::array();
  if (!list.is_array())
    throw DeployError::rejected(
        "Caddy's config has apps.tls.certificates.load_pem that is not a list");
  json updated = json::array();
  bool placed = false;
  for (auto& entry : list) {
    if (!hasTag(entry, tag)) {
      updated.push_back(std::move(entry));
      continue;
    }
    if (placed) continue;  // a duplicate of ours: dropped
    entry["certificate"] = certificatePem;
    entry["key"] = keyPem;
    updated.push_back(std::move(entry));
    placed = true;
  }
  if (!placed)
    updated.push_back({{"certificate", certificatePem}, {"key", keyPem}, {"tags", {tag}}});
  list = std::move(updated);
  return config;
}

bool holdsLoadedPem(const json& config, const std::string& tag, const std::string& certificatePem,
                    const std::string& keyPem) {
  const json* entry = findLoadedPem(config, tag);
  if (entry == nullptr) return false;
  auto cert = entry->find("certificate");
  auto key = entry->find("key");
  return cert != entry->end() && key != entry->end() && *cert == certificatePem && *key == keyPem;
}

}  // namespace certctl::targets::caddy
