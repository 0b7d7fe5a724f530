#include "plugins/targets/caddy/caddy_admin_target.h"

#include <algorithm>

#include "plugins/targets/caddy/caddy_admin_api.h"
#include "plugins/targets/caddy/caddy_tls_config.h"
#include "sdk/deploy/certificate_material.h"
#include "sdk/deploy/config_fields.h"
#include "sdk/deploy/deploy_error.h"
#include "sdk/deploy/deploy_result.h"
#include "sdk/deploy/file_target_plugin.h"
#include "sdk/pki/certificate.h"
#include "sdk/plugin/host.h"

namespace certctl::targets::caddy {

using nlohmann::json;
namespace deploy = sdk::deploy;
using deploy::DeployError;
using deploy::FailureKind;

namespace {

constexpr const char* kDefaultAdmin = "http://localhost:2019";

// The fields of this mode; cert_dir, cert_file and key_file are accepted
// without a word (the original product's example config carries them in
// both modes). "host" is filled in by a host.
const std::vector<std::string>& knownFields() {
  static const std::vector<std::string> fields = {"mode",
                                                  "admin_api",
                                                  "allow_remote_admin_api",
                                                  "admin_timeout_seconds",
                                                  "verify",
                                                  "post_deploy_verify",
                                                  "cert_dir",
                                                  "cert_file",
                                                  "key_file",
                                                  "host"};
  return fields;
}

// Fields of the file mode that mean nothing here.
const std::vector<std::string>& fileModeFields() {
  static const std::vector<std::string> fields = {"validate_command", "reload_command",
                                                  "command_timeout_seconds", "owner", "group"};
  return fields;
}

bool listed(const std::vector<std::string>& list, const std::string& key) {
  return std::find(list.begin(), list.end(), key) != list.end();
}

void info(const std::string& line) { sdk::log(sdk::LogLevel::Info, "Caddy target: " + line); }

// The certificate id of the request: the tag of our load_pem entry.
std::string certificateTag(const json& request) {
  std::string tag;
  if (auto it = request.find("certificate_id"); it != request.end() && it->is_string())
    tag = it->get<std::string>();
  if (tag.empty())
    throw DeployError::rejected(
        "certificate_id: is required in the admin-API mode (it tags the certificate in "
        "Caddy's config)");
  if (tag.size() > 256) throw DeployError::rejected("certificate_id: longer than 256 characters");
  for (unsigned char c : tag)
    if (c < 0x20 || c == 0x7f)
      throw DeployError::rejected("certificate_id: has a control character");
  return tag;
}

std::string targetAddress(const CaddyAdminConfig& config) {
  if (config.verify) return deploy::endpointString(config.verify->host, config.verify->port);
  return config.admin.url();
}

// Puts `previous` back after a failed step; returns the sentence for the
// error message, or throws DeployError(Internal) when Caddy refuses it.
std::string restore(const CaddyAdminApi& api, const json& previous, const std::string& failure) {
  std::string why;
  try {
    deploy::HttpResponse r = api.replace(previous, "");
    if (r.ok()) {
      info(failure + "; restored the previous config");
      return failure + "; rolled back: restored Caddy's previous config";
    }
    why = "status " + std::to_string(r.status) + ": " + bodyExcerpt(r.body);
  } catch (const DeployError& e) {
    why = e.what();
  }
  throw DeployError(FailureKind::Internal,
                    failure + "; ROLLBACK FAILED, Caddy may serve the new certificate: " + why);
}

}  // namespace

CaddyAdminConfig CaddyAdminConfig::parse(const json& config) {
  if (!config.is_object()) throw DeployError::invalidConfig("config", "must be a JSON object");
  CaddyAdminConfig c;
  const bool allowRemote =
      deploy::boolField(config, "allow_remote_admin_api", "allow_remote_admin_api").value_or(false);
  auto url = deploy::stringField(config, kAdminField, kAdminField).value_or("");
  c.admin = deploy::parseHttpEndpoint(url.empty() ? kDefaultAdmin : url, kAdminField, allowRemote);
  if (auto t = deploy::durationField(config, "admin_timeout_seconds", 1000, 600000,
                                     "admin_timeout_seconds"))
    c.timeout = *t;
  c.verify = deploy::parseVerifyEndpoint(config);
  for (const auto& [key, value] : config.items()) {
    if (listed(fileModeFields(), key))
      c.warnings.push_back("\"" + key + "\" is ignored in the admin-API mode");
    else if (!listed(knownFields(), key))
      c.warnings.push_back("unknown field \"" + key + "\" is ignored");
  }
  return c;
}

json CaddyAdminTarget::deploy(const json& request) {
  try {
    deploy::CertificateMaterial material = deploy::CertificateMaterial::fromRequest(request);
    struct Wipe {
      deploy::CertificateMaterial& m;
      ~Wipe() { deploy::wipe(m); }
    } wipeOnExit{material};
    const std::string tag = certificateTag(request);
    const std::string fullChain = material.fullChainPem();
    CaddyAdminApi api(config_.admin, config_.timeout);

    CaddyAdminApi::Snapshot current = api.read();
    if (current.config.is_null())
      throw DeployError::rejected("Caddy at " + config_.admin.url() +
                                  " has no config loaded: no site would serve the certificate");
    json metadata = {
        {"target_type", "Caddy"},           {"mode", "api"},
        {"admin_api", config_.admin.url()}, {"tag", tag},
        {"serial", material.serial},        {"fingerprint_sha256", material.fingerprintSha256}};
    if (holdsLoadedPem(current.config, tag, fullChain, material.keyPem)) {
      const std::string message =
          "unchanged: Caddy's config already holds this certificate and key (tag " + tag + ")";
      info(message);
      metadata.update({{"unchanged", "true"}, {"loaded", "false"}, {"verified", "false"}});
      return deploy::deploymentResult(targetAddress(config_), message, std::move(metadata));
    }

    json updated = withLoadedPem(current.config, tag, fullChain, material.keyPem);
    deploy::HttpResponse r;
    try {
      r = api.replace(updated, current.etag);
    } catch (const CaddyAdminUnreachable& e) {
      throw DeployError(FailureKind::Retryable, std::string(e.what()) + "; nothing was changed");
    } catch (const DeployError& e) {
      // The request may have reached Caddy: put the previous config back.
      throw DeployError(FailureKind::Retryable, restore(api, current.config, e.what()));
    }
    if (r.status == 412)
      throw DeployError(FailureKind::Retryable,
                        "Caddy's config changed while deploying (If-Match " + current.etag +
                            " failed); nothing was changed");
    if (!r.ok())
      throw DeployError::rejected("Caddy refused the new config (status " +
                                  std::to_string(r.status) + "): " + bodyExcerpt(r.body) +
                                  "; Caddy keeps its previous config");
    info("loaded the certificate (tag " + tag + ") through " + config_.admin.url());

    std::string message = "loaded into Caddy's config through " + config_.admin.url();
    if (config_.verify) {
      deploy::VerifyResult v =
          deploy::verifyServedCertificate(*config_.verify, material.fingerprintSha256);
      if (!v.ok)
        throw DeployError(
            FailureKind::Retryable,
            restore(api, current.config, "post-deploy verification failed: " + v.message));
      message += ", " + v.message;
      info("verify: " + v.message);
    }
    metadata.update({{"unchanged", "false"},
                     {"loaded", "true"},
                     {"verified", config_.verify ? "true" : "skipped"}});
    return deploy::deploymentResult(targetAddress(config_), message, std::move(metadata));
  } catch (const DeployError& e) {
    sdk::log(sdk::LogLevel::Warn, std::string("Caddy target: deploy failed: ") + e.what());
    throw deploy::toPluginError(e);
  }
}

json CaddyAdminTarget::validateDeployment(const json& request) {
  try {
    const std::string expected = deploy::requestedSerial(request);
    const std::string address = targetAddress(config_);
    json metadata = {{"target_type", "Caddy"}, {"mode", "api"}};
    if (config_.verify)
      return deploy::validateByTls(*config_.verify, address, expected, std::move(metadata));

    metadata["method"] = "admin_api";
    const std::string tag = certificateTag(request);
    CaddyAdminApi::Snapshot current = CaddyAdminApi(config_.admin, config_.timeout).read();
    const json* entry = findLoadedPem(current.config, tag);
    if (entry == nullptr || !entry->contains("certificate") ||
        !entry->at("certificate").is_string())
      return deploy::unreachableResult(address, "Caddy's config holds no certificate tagged " + tag,
                                       std::move(metadata));
    std::string served;
    try {
      auto leaf = sdk::pki::Certificate::chainFromPem(entry->at("certificate").get<std::string>());
      served = leaf.front().serialHex();
      metadata["fingerprint_sha256"] = leaf.front().sha256FingerprintHex();
    } catch (const std::exception& e) {
      return deploy::unreachableResult(
          address, "the certificate tagged " + tag + " in Caddy's config: " + e.what(),
          std::move(metadata));
    }
    return deploy::validationResult(address, "Caddy's config at " + address + " holds", served,
                                    expected, std::move(metadata));
  } catch (const DeployError& e) {
    throw deploy::toPluginError(e);
  }
}

}  // namespace certctl::targets::caddy
