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
  DnsPersist01Solver(HookRunner run, std::string presentHook, std::string cleanupHook)
      : run_(run),
        presentHook_(presentHook),
        dns01_(std::move(run), std::move(presentHook), std::move(cleanupHook)) {}
  const char* type() const override { return "dns-persist-01"; }
  bool needsToken() const override { return false; }
  ChallengeSolver* fallback() override { return &dns01_; }
  void present(const Challenge& challenge) override;
  void cleanup(const Challenge&) noexcept override {}  // the record is meant to persist

 private:
  HookRunner run_;
  std::string presentHook_;
  Dns01Solver dns01_;
};

// The TXT value for the challenge object's first "issuer-domain-names"
// entry: "<issuer>; accounturi=<accountUrl>[; policy=wildcard]". Throws
// PluginError(Rejected) for missing or malformed issuer domain names or a
// malformed account URL, so no hook sees quotes, blanks or newlines.
std::string dnsPersistTxtValue(const nlohmann::json& challenge, const std::string& accountUrl,
                               bool wildcard);

}  // namespace certctl::acme
