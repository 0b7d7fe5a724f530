#include "core/protocols/est/est_csr_attrs.h"

#include "core/protocols/est/der_writer.h"
#include "core/services/profile_enforcement.h"

namespace certctl::protocols::est {

namespace {

constexpr const char* kChallengePassword = "1.2.840.113549.1.9.7";
constexpr const char* kExtensionRequest = "1.2.840.113549.1.9.14";
constexpr const char* kEcPublicKey = "1.2.840.10045.2.1";
constexpr const char* kRsaEncryption = "1.2.840.113549.1.1.1";
constexpr const char* kEd25519 = "1.3.101.112";

const char* curveFor(int minSize) {
  if (minSize > 384) return "1.3.132.0.35";  // secp521r1
  if (minSize > 256) return "1.3.132.0.34";  // secp384r1
  return "1.2.840.10045.3.1.7";              // prime256v1
}

}  // namespace

std::string csrAttrsDer(const nlohmann::json& certificateProfile, bool channelBinding) {
  std::string items;
  if (channelBinding) items += derOid(kChallengePassword);
  if (certificateProfile.is_object()) {
    auto allowed = services::parseAllowedKeyAlgorithms(
        certificateProfile.value("allowed_key_algorithms", nlohmann::json()));
    for (const auto& entry : allowed) {
      if (entry.algorithm == "ECDSA")
        items += derSequence(derOid(kEcPublicKey) + derSet(derOid(curveFor(entry.minSize))));
      else if (entry.algorithm == "RSA")
        items += derOid(kRsaEncryption);
      else if (entry.algorithm == "Ed25519")
        items += derOid(kEd25519);
    }
    auto sans = certificateProfile.find("required_sans");
    if (sans != certificateProfile.end() && sans->is_array() && !sans->empty())
      items += derOid(kExtensionRequest);
  }
  return items.empty() ? std::string() : derSequence(items);
}

}  // namespace certctl::protocols::est
