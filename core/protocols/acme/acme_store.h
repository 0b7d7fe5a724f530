#pragma once

#include <optional>
#include <string>
#include <vector>

namespace certctl::protocols::acme {

// What the ACME server keeps (core/store/sql_acme_store implements it).
// Times are Unix seconds; JSON members are stored as their text.

struct AcmeAccount {
  std::string id;
  std::string profileId;
  std::string jwk;               // canonical JWK JSON (RFC 7638 members)
  std::string thumbprint;        // unique per profile
  std::string status = "valid";  // valid | deactivated | revoked
  std::string contact = "[]";    // JSON array of mailto: URLs
  bool termsAgreed = false;
  long long createdAt = 0;
};

struct AcmeChallenge {
  std::string id;
  std::string authorizationId;
  std::string type;  // http-01 | dns-01 | tls-alpn-01
  std::string token;
  std::string status = "pending";  // pending | processing | valid | invalid
  std::string error;               // problem JSON when invalid
  long long validatedAt = 0;
};

struct AcmeAuthorization {
  std::string id;
  std::string orderId;
  std::string accountId;
  std::string identifierType;   // dns | ip
  std::string identifierValue;  // without "*." for a wildcard
  bool wildcard = false;
  std::string status = "pending";  // pending | valid | invalid | deactivated | expired | revoked
  long long expiresAt = 0;
  std::vector<AcmeChallenge> challenges;
};

struct AcmeOrder {
  std::string id;
  std::string accountId;
  std::string profileId;
  std::string status = "pending";  // pending | ready | processing | valid | invalid
  std::string identifiers = "[]";  // JSON array of {type, value}
  long long expiresAt = 0;
  std::string error;          // problem JSON when invalid
  std::string replaces;       // RFC 9773 certificate identifier, "" = none
  std::string certificateId;  // managed certificate once valid
  std::string certificateSerial;
  std::string certificatePem;  // leaf then chain
  long long createdAt = 0;
};

class AcmeStore {
 public:
  virtual ~AcmeStore() = default;

  // Nonces: shared by every replica through the database.
  virtual void addNonce(const std::string& nonce, long long expiresAt) = 0;
  // Deletes the nonce; true when it existed and had not expired at `now`.
  virtual bool consumeNonce(const std::string& nonce, long long now) = 0;
  virtual void purgeNonces(long long now) = 0;

  // Accounts. createAccount returns false when the key is already
  // registered with the profile (a concurrent newAccount).
  virtual bool createAccount(const AcmeAccount& account) = 0;
  virtual std::optional<AcmeAccount> account(const std::string& id) = 0;
  virtual std::optional<AcmeAccount> accountByThumbprint(const std::string& profileId,
                                                         const std::string& thumbprint) = 0;
  virtual void updateAccount(const std::string& id, const std::string& contact,
                             const std::string& status) = 0;
  // false when another account of the profile has the key.
  virtual bool changeAccountKey(const std::string& id, const std::string& jwk,
                                const std::string& thumbprint) = 0;

  // Orders with their authorizations and challenges, in one transaction.
  virtual void createOrder(const AcmeOrder& order,
                           const std::vector<AcmeAuthorization>& authorizations) = 0;
  virtual std::optional<AcmeOrder> order(const std::string& id) = 0;
  virtual std::optional<AcmeOrder> orderByCertificate(const std::string& certificateId) = 0;
  virtual std::optional<AcmeOrder> orderBySerial(const std::string& profileId,
                                                 const std::string& serialHex) = 0;
  // Orders of the account created at or after `since`: how many, and the
  // oldest one's creation time (0 when none).
  virtual std::pair<long long, long long> ordersSince(const std::string& accountId,
                                                      long long since) = 0;
  // One page of the ids of the account's orders that are not invalid (nor
  // pending or ready past `now`, their expiry), newest first, at most
  // `limit`: from the start, or after the order `after` (the last id of the
  // previous page). nullopt when `after` is not an order of this account.
  virtual std::optional<std::vector<std::string>> liveOrderIds(const std::string& accountId,
                                                               long long now, int limit,
                                                               const std::string& after) = 0;
  // A live (not invalid) order that already replaces `certId`, if any.
  virtual std::optional<std::string> orderReplacing(const std::string& profileId,
                                                    const std::string& certId) = 0;
  // Compare-and-set of the status; true when it changed.
  virtual bool setOrderStatus(const std::string& id, const std::string& from,
                              const std::string& to) = 0;
  virtual void completeOrder(const std::string& id, const std::string& certificateId,
                             const std::string& serialHex, const std::string& pem) = 0;

  virtual std::vector<AcmeAuthorization> authorizationsOfOrder(const std::string& orderId) = 0;
  virtual std::optional<AcmeAuthorization> authorization(const std::string& id) = 0;
  virtual void deactivateAuthorization(const std::string& id) = 0;
  virtual std::optional<AcmeChallenge> challenge(const std::string& id) = 0;
  // pending -> processing; true when this call did it.
  virtual bool startChallenge(const std::string& id) = 0;
  // One transaction: the challenge and its authorization become valid or
  // invalid; the order becomes ready once every authorization is valid, or
  // invalid when one is invalid.
  virtual void finishChallenge(const std::string& id, bool valid, const std::string& error,
                               long long now) = 0;
};

}  // namespace certctl::protocols::acme
