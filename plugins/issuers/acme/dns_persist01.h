#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "challenges.h"

namespace certctl::acme {

// dns-persist-01 (draft-ietf-acme-dns-persist): a TXT record at
// _validation-persist.<domain> naming the CA and the account, created once
// through "present" of dns_present_script and left in place (no cleanup).
// An authorization that does not offer it is solved with dns-01 through
// the same hooks.
class DnsPersist01Solver final : public ChallengeSolver {
 public:
  DnsPersist01Solver(HookRunner run, std::string presentHook, std::string cleanupHook,
                     std::string issuerDomain = {})
      : run_(run),
        presentHook_(presentHook),
        issuerDomain_(std::move(issuerDomain)),
        dns01_(std::move(run), std::move(presentHook), std::move(cleanupHook)) {}
  const char* type() const override { return "dns-persist-01"; }
  bool needsToken() const override { return false; }
  ChallengeSolver* fallback() override { return &dns01_; }
  void present(const Challenge& challenge) override;
  void cleanup(const Challenge&) noexcept override {}  // the record is meant to persist

 private:
  HookRunner run_;
  std::string presentHook_;
  std::string issuerDomain_;
  Dns01Solver dns01_;
};

// The TXT value "<issuer>; accounturi=<accountUrl>[; policy=wildcard]" for
// the challenge object's "issuer-domain-names": `preferredIssuer` when set
// (it must be one of them, case-insensitively), else the first. Throws
// PluginError(Rejected) for missing or malformed issuer domain names, a
// preferred one the CA does not list, or a malformed account URL, so no
// hook sees quotes, blanks or newlines.
std::string dnsPersistTxtValue(const nlohmann::json& challenge, const std::string& accountUrl,
                               bool wildcard, const std::string& preferredIssuer = {});

}  // namespace certctl::acme
