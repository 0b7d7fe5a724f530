#pragma once

#include "core/protocols/acme/acme_store.h"
#include "core/store/database.h"

namespace certctl::store {

// The ACME server's accounts, orders, authorizations, challenges and nonces
// (migration 0006), through Lease::run on both dialects.
class SqlAcmeStore : public protocols::acme::AcmeStore {
 public:
  explicit SqlAcmeStore(Database& db) : db_(db) {}

  void addNonce(const std::string& nonce, long long expiresAt) override;
  bool consumeNonce(const std::string& nonce, long long now) override;
  void purgeNonces(long long now) override;

  bool createAccount(const protocols::acme::AcmeAccount& account) override;
  std::optional<protocols::acme::AcmeAccount> account(const std::string& id) override;
  std::optional<protocols::acme::AcmeAccount> accountByThumbprint(
      const std::string& profileId, const std::string& thumbprint) override;
  void updateAccount(const std::string& id, const std::string& contact,
                     const std::string& status) override;
  bool changeAccountKey(const std::string& id, const std::string& jwk,
                        const std::string& thumbprint) override;

  void createOrder(const protocols::acme::AcmeOrder& order,
                   const std::vector<protocols::acme::AcmeAuthorization>& authorizations) override;
  std::optional<protocols::acme::AcmeOrder> order(const std::string& id) override;
  std::optional<protocols::acme::AcmeOrder> orderByCertificate(
      const std::string& certificateId) override;
  std::optional<protocols::acme::AcmeOrder> orderBySerial(const std::string& profileId,
                                                          const std::string& serialHex) override;
  std::pair<long long, long long> ordersSince(const std::string& accountId,
                                              long long since) override;
  std::optional<std::vector<std::string>> liveOrderIds(const std::string& accountId, long long now,
                                                       int limit,
                                                       const std::string& after) override;
  std::optional<std::string> orderReplacing(const std::string& profileId,
                                            const std::string& certId) override;
  bool setOrderStatus(const std::string& id, const std::string& from,
                      const std::string& to) override;
  void completeOrder(const std::string& id, const std::string& certificateId,
                     const std::string& serialHex, const std::string& pem) override;

  std::vector<protocols::acme::AcmeAuthorization> authorizationsOfOrder(
      const std::string& orderId) override;
  std::optional<protocols::acme::AcmeAuthorization> authorization(const std::string& id) override;
  void deactivateAuthorization(const std::string& id) override;
  std::optional<protocols::acme::AcmeChallenge> challenge(const std::string& id) override;
  bool startChallenge(const std::string& id) override;
  void finishChallenge(const std::string& id, bool valid, const std::string& error,
                       long long now) override;

 private:
  std::optional<protocols::acme::AcmeOrder> oneOrder(const std::string& where,
                                                     const SqlParams& params);
  std::vector<protocols::acme::AcmeChallenge> challengesOf(Database::Lease& lease,
                                                           const std::string& authorizationId);
  Database& db_;
};

}  // namespace certctl::store
