#include "core/protocols/scep_routes.h"

#include <openssl/x509.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>

#include <memory>
#include <optional>

#include "core/domain/errors.h"
#include "core/domain/timestamps.h"
#include "core/http/admin_gate.h"
#include "core/protocols/renewal_match.h"
#include "core/protocols/scep_message.h"
#include "core/protocols/shared_secret.h"
#include "sdk/pki/base64.h"
#include "sdk/pki/certificate.h"
#include "sdk/pki/csr.h"
#include "sdk/pki/csr_challenge_password.h"
#include "sdk/pki/openssl_error.h"
#include "sdk/pki/pkcs7.h"
#include "sdk/pki/state_dir.h"
#include "sdk/pki/trust_store.h"

namespace certctl::protocols {

namespace {

namespace pki = sdk::pki;

// RFC 8894 section 3.5.2. SCEPStandard implies AES, SHA-256 and
// POSTPKIOperation; they are listed too for clients that predate it.
// Renewal: a request signed with a certificate of this CA renews it.
constexpr const char* kCapabilities = "POSTPKIOperation\nSHA-256\nAES\nSCEPStandard\nRenewal\n";

std::string readFile(const std::string& path, const char* what) {
  std::optional<std::string> data;
  try {
    data = pki::readFileIfExists(path);
  } catch (const std::exception&) {
  }
  if (!data) throw std::runtime_error(std::string(what) + ": cannot read " + path);
  return *data;
}

struct RaIdentity {
  pki::Certificate certificate;
  pki::PrivateKey key;
};

RaIdentity loadRa(const ScepSettings& settings) {
  if (settings.raCertPath.empty() || settings.raKeyPath.empty())
    throw std::runtime_error(
        "CERTCTL_SCEP_RA_CERT_PATH and CERTCTL_SCEP_RA_KEY_PATH are required with SCEP enabled");
  struct stat st {};
  if (::stat(settings.raKeyPath.c_str(), &st) != 0)
    throw std::runtime_error("CERTCTL_SCEP_RA_KEY_PATH: cannot read " + settings.raKeyPath);
  if ((st.st_mode & 077) != 0)
    throw std::runtime_error("CERTCTL_SCEP_RA_KEY_PATH: " + settings.raKeyPath +
                             " is readable by group or others; make it 0600");
  RaIdentity ra{
      pki::Certificate::fromPem(readFile(settings.raCertPath, "CERTCTL_SCEP_RA_CERT_PATH")),
      pki::PrivateKey::fromPem(readFile(settings.raKeyPath, "CERTCTL_SCEP_RA_KEY_PATH"))};
  if (X509_check_private_key(ra.certificate.get(), ra.key.get()) != 1)
    throw std::runtime_error("CERTCTL_SCEP_RA_KEY_PATH does not match CERTCTL_SCEP_RA_CERT_PATH");
  return ra;
}

http::Response binary(std::string contentType, std::string body) {
  http::Response response;
  response.status = 200;
  response.contentType = std::move(contentType);
  response.body = std::move(body);
  return response;
}

http::Response badRequest(const std::string& message) {
  http::Response response;
  response.status = 400;
  response.contentType = "text/plain";
  response.body = message + "\n";
  return response;
}

class ScepResponder {
 public:
  ScepResponder(services::IssuerRegistry& issuers, services::IssuanceService& issuance,
                services::RevocationStore& revocations, const ScepSettings& settings)
      : issuers_(issuers),
        issuance_(issuance),
        revocations_(revocations),
        issuerId_(settings.issuerId),
        profileId_(settings.profileId),
        challenge_(settings.challengePassword),
        ra_(loadRa(settings)) {
    if (challenge_.empty())
      throw std::runtime_error(
          "CERTCTL_SCEP_CHALLENGE_PASSWORD must be set with SCEP enabled: without it anyone "
          "could enroll");
  }

  // {"subject", "not_after"} of the RA certificate, for the admin listing.
  nlohmann::json raCertificateJson() const {
    return {{"subject", ra_.certificate.subjectString()},
            {"not_after", domain::formatRfc3339(std::chrono::floor<std::chrono::seconds>(
                              ra_.certificate.notAfter()))}};
  }

  http::Response handle(http::Request& req) {
    const std::string* operation = req.queryValue("operation");
    if (!operation) return badRequest("SCEP: the operation query parameter is required");
    if (*operation == "GetCACaps") return binary("text/plain", kCapabilities);
    if (*operation == "GetCACert") return caCertificates();
    if (*operation == "PKIOperation") {
      std::string message;
      if (req.method == "POST") {
        message = req.body;
      } else {
        const std::string* encoded = req.queryValue("message");
        if (!encoded) return badRequest("SCEP: PKIOperation by GET needs the message parameter");
        try {
          message = pki::base64Decode(*encoded, "message");
        } catch (const std::exception&) {
          return badRequest("SCEP: the message parameter is not base64");
        }
      }
      return pkiOperation(req, message);
    }
    return badRequest("SCEP: unknown operation (GetCACaps, GetCACert or PKIOperation)");
  }

 private:
  http::Response caCertificates() {
    std::vector<pki::Certificate> certificates{ra_.certificate};
    for (auto& c :
         pki::Certificate::chainFromPem(issuers_.caChainPem(issuerId_), pki::KeyDecoding::Deferred))
      certificates.push_back(std::move(c));
    return binary("application/x-x509-ca-ra-cert", pki::pkcs7CertsOnlyDer(certificates));
  }

  http::Response pkiOperation(http::Request& req, const std::string& message) {
    ScepRequest request;
    try {
      request = parseScepRequest(message, ra_.certificate, ra_.key);
    } catch (const ScepFormatError& e) {
      return badRequest(std::string("SCEP: ") + e.what());
    }
    auto fail = [&](ScepFailInfo info, const std::string& reason) {
      spdlog::warn("SCEP transaction {} from {} refused: {}", request.transactionId, req.clientIp,
                   reason);
      return binary("application/x-pki-message",
                    scepFailureReply(request, info, ra_.certificate, ra_.key));
    };
    if (request.type == ScepMessageType::CertPoll)
      return fail(ScepFailInfo::BadCertId, "no pending request (issuance is synchronous)");

    std::optional<pki::Csr> csr;
    try {
      csr.emplace(pki::Csr::fromDer(request.content));
    } catch (const std::exception& e) {
      return fail(ScepFailInfo::BadRequest, std::string("not a PKCS#10 request: ") + e.what());
    }
    // RFC 8894 2.3: a first enrollment is a PKCSReq signed with a transient
    // self-issued certificate of the CSR's own key, authenticated by the
    // challenge password. Anything else (a RenewalReq, or certmonger's
    // rekeying PKCSReq signed with its current certificate) renews the
    // signer's certificate and must be authenticated by it: a certificate
    // of this CA.
    const bool renewal = request.type == ScepMessageType::RenewalReq ||
                         !isSelfIssued(*request.signer) || !request.signer->hasPublicKeyOf(*csr);
    if (renewal) {
      if (std::string why = renewalSignerRefusal(*request.signer); !why.empty())
        return fail(ScepFailInfo::BadMessageCheck, "renewal signer refused: " + why);
      if (std::string mismatch = renewalMismatch(*request.signer, *csr); !mismatch.empty())
        return fail(ScepFailInfo::BadRequest, "renewal refused: " + mismatch);
    } else {
      std::optional<std::string> password;
      try {
        password = pki::csrChallengePassword(*csr);
      } catch (const pki::PkiError& e) {
        return fail(ScepFailInfo::BadRequest, std::string("challengePassword: ") + e.what());
      }
      if (!password || !challenge_.matches(*password))
        return fail(ScepFailInfo::BadRequest, "wrong or missing challenge password");
    }
    req.actor = "scep";
    try {
      auto enrolled = renewal ? issuance_.reenrollCsr(request.signer->serialHex(), issuerId_, *csr,
                                                      "scep", profileId_)
                              : issuance_.enrollCsr(issuerId_, *csr, "scep", profileId_);
      if (renewal)
        spdlog::info("SCEP transaction {}: renewed serial {} as {}", request.transactionId,
                     request.signer->serialHex(), enrolled.certificate.serialHex());
      return binary("application/x-pki-message",
                    scepSuccessReply(request, enrolled.certificate, ra_.certificate, ra_.key));
    } catch (const domain::ApiError& e) {  // incl. a plugin's refusal (PluginCallError)
      return fail(ScepFailInfo::BadRequest, e.what());
    }
  }

  // Issuer name = subject name: the client's transient certificate. (Not
  // X509_check_issued, which also wants keyCertSign when the certificate
  // has a keyUsage, and transient certificates often list only
  // digitalSignature.)
  static bool isSelfIssued(const pki::Certificate& certificate) {
    return X509_NAME_cmp(X509_get_subject_name(certificate.get()),
                         X509_get_issuer_name(certificate.get())) == 0;
  }

  // "" when `signer` is a certificate of this endpoint's issuer, valid now
  // and not revoked; else why not.
  std::string renewalSignerRefusal(const pki::Certificate& signer) {
    std::string why;
    try {
      why = pki::TrustStore::fromPem(issuers_.caChainPem(issuerId_), "the issuer's CA chain")
                .verify(signer);
    } catch (const std::exception& e) {
      return e.what();
    }
    if (!why.empty()) return why + " (not a certificate of this CA)";
    if (revocations_.serialStatus(issuerId_, signer.serialHex()).state ==
        services::SerialStatus::State::Revoked)
      return "the certificate has been revoked";
    return {};
  }

  services::IssuerRegistry& issuers_;
  services::IssuanceService& issuance_;
  services::RevocationStore& revocations_;
  std::string issuerId_;
  std::string profileId_;
  SharedSecret challenge_;
  RaIdentity ra_;
};

}  // namespace

ScepEndpoint registerScepRoutes(http::Router& router, services::IssuerRegistry& issuers,
                                services::IssuanceService& issuance,
                                services::RevocationStore& revocations,
                                const ScepSettings& settings) {
  auto responder = std::make_shared<ScepResponder>(issuers, issuance, revocations, settings);
  for (const char* method : {"GET", "POST"})
    router.add(
        method, settings.path, [responder](http::Request& req) { return responder->handle(req); },
        false);
  ScepEndpoint endpoint{settings, nullptr, responder->raCertificateJson()};
  endpoint.settings.challengePassword.clear();
  if (settings.mtlsPath.empty()) return endpoint;

  try {
    endpoint.trustAnchor =
        std::make_shared<ClientTrustAnchor>(settings.mtlsClientCaTrustBundlePath);
  } catch (const std::exception& e) {
    throw std::runtime_error("SCEP " + settings.mtlsPath + ": the client CA trust bundle " +
                             settings.mtlsClientCaTrustBundlePath + " is unusable: " + e.what());
  }
  auto gated = [responder, anchor = endpoint.trustAnchor, path = settings.mtlsPath,
                issuerId = settings.issuerId, &revocations](http::Request& req) {
    if (std::string why = anchor->verify(req.peerCertificateDer, issuerId, &revocations);
        !why.empty()) {
      spdlog::warn("SCEP {} from {} refused: {}", path, req.clientIp, why);
      http::Response refused = badRequest("SCEP: client certificate refused: " + why);
      refused.status = 403;
      return refused;
    }
    return responder->handle(req);
  };
  for (const char* method : {"GET", "POST"}) router.add(method, settings.mtlsPath, gated, false);
  return endpoint;
}

nlohmann::json ScepEndpoint::toJson() const {
  const std::string profilePrefix = "/scep/";
  nlohmann::json item = {
      {"path_id", settings.path.rfind(profilePrefix, 0) == 0
                      ? nlohmann::json(settings.path.substr(profilePrefix.size()))
                      : nlohmann::json()},
      {"endpoint", settings.path},
      {"issuer_id", settings.issuerId},
      {"profile_id",
       settings.profileId.empty() ? nlohmann::json() : nlohmann::json(settings.profileId)},
      {"challenge_password_set", true},  // a SCEP endpoint does not start without one
      {"ra_certificate", raCertificate},
      {"mtls_enabled", trustAnchor != nullptr},
      {"intune_enabled", false}};
  if (trustAnchor) {
    item["mtls_endpoint"] = settings.mtlsPath;
    item["trust_bundle_path"] = trustAnchor->path();
    item["trust_anchors"] = trustAnchor->anchorsJson();
  }
  return item;
}

void registerScepAdminRoutes(http::Router& router, const std::vector<ScepEndpoint>& endpoints) {
  router.add("GET", "/api/v1/admin/scep/profiles", [&endpoints](http::Request& req) {
    http::requireAdmin(req, "the SCEP admin API");
    nlohmann::json data = nlohmann::json::array();
    for (const auto& endpoint : endpoints) data.push_back(endpoint.toJson());
    return http::Response::json(200, {{"data", data}, {"total", data.size()}});
  });
}

std::string reloadScepTrust(ClientTrustAnchor& anchor, const std::string& path,
                            services::AuditLog& audit) {
  const std::string error = anchor.reload();
  services::AuditEvent event;
  event.actor = "sighup";
  event.actorType = "system";
  event.action = error.empty() ? "scep_trust_anchor_reloaded" : "scep_trust_anchor_reload_failed";
  event.resourceType = "scep_route";
  event.resourceId = path;
  event.timestamp = domain::nowRfc3339();
  event.details = {{"bundle_path", anchor.path()}};
  if (error.empty()) {
    spdlog::info("SCEP {}: trust bundle {} reloaded", path, anchor.path());
    event.details["anchors"] = anchor.anchorsJson();
  } else {
    spdlog::error("SCEP {}: trust bundle {} not reloaded, the old one stays: {}", path,
                  anchor.path(), error);
    event.details["error"] = error;
  }
  try {
    audit.record(std::move(event), true);
  } catch (const std::exception& e) {
    spdlog::error("SCEP {}: audit write failed: {}", path, e.what());
  }
  return error;
}

}  // namespace certctl::protocols
