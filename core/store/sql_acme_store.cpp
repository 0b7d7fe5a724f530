#include "core/store/sql_acme_store.h"

#include <string_view>

#include "core/store/write_transaction.h"

namespace certctl::store {

namespace {

using protocols::acme::AcmeAccount;
using protocols::acme::AcmeAuthorization;
using protocols::acme::AcmeChallenge;
using protocols::acme::AcmeOrder;
using Row = std::vector<std::optional<std::string>>;

std::string str(const Row& row, std::size_t i) { return row.at(i).value_or(std::string()); }
long long num(const Row& row, std::size_t i) {
  const auto& v = row.at(i);
  return v && !v->empty() ? std::stoll(*v) : 0;
}
bool flag(const Row& row, std::size_t i) {
  auto v = str(row, i);
  return v == "1" || v == "t" || v == "true";
}
std::optional<std::string> nullable(const std::string& value) {
  return value.empty() ? std::nullopt : std::optional<std::string>(value);
}

bool isUniqueViolation(const SqlError& e) {
  std::string_view m = e.what();
  return m.find("UNIQUE") != std::string_view::npos ||
         m.find("duplicate key") != std::string_view::npos;
}

constexpr const char* kAccountColumns =
    "id, profile_id, jwk, thumbprint, status, contact, terms_agreed, created_at";

AcmeAccount accountFrom(const Row& r) {
  AcmeAccount a;
  a.id = str(r, 0);
  a.profileId = str(r, 1);
  a.jwk = str(r, 2);
  a.thumbprint = str(r, 3);
  a.status = str(r, 4);
  a.contact = str(r, 5);
  a.termsAgreed = flag(r, 6);
  a.createdAt = num(r, 7);
  return a;
}

constexpr const char* kOrderColumns =
    "id, account_id, profile_id, status, identifiers, expires_at, error, replaces, "
    "certificate_id, certificate_serial, certificate_pem, created_at";

AcmeOrder orderFrom(const Row& r) {
  AcmeOrder o;
  o.id = str(r, 0);
  o.accountId = str(r, 1);
  o.profileId = str(r, 2);
  o.status = str(r, 3);
  o.identifiers = str(r, 4);
  o.expiresAt = num(r, 5);
  o.error = str(r, 6);
  o.replaces = str(r, 7);
  o.certificateId = str(r, 8);
  o.certificateSerial = str(r, 9);
  o.certificatePem = str(r, 10);
  o.createdAt = num(r, 11);
  return o;
}

constexpr const char* kAuthorizationColumns =
    "id, order_id, account_id, identifier_type, identifier_value, wildcard, status, expires_at";

AcmeAuthorization authorizationFrom(const Row& r) {
  AcmeAuthorization a;
  a.id = str(r, 0);
  a.orderId = str(r, 1);
  a.accountId = str(r, 2);
  a.identifierType = str(r, 3);
  a.identifierValue = str(r, 4);
  a.wildcard = flag(r, 5);
  a.status = str(r, 6);
  a.expiresAt = num(r, 7);
  return a;
}

constexpr const char* kChallengeColumns =
    "id, authorization_id, type, token, status, error, validated_at";

AcmeChallenge challengeFrom(const Row& r) {
  AcmeChallenge c;
  c.id = str(r, 0);
  c.authorizationId = str(r, 1);
  c.type = str(r, 2);
  c.token = str(r, 3);
  c.status = str(r, 4);
  c.error = str(r, 5);
  c.validatedAt = num(r, 6);
  return c;
}

}  // namespace

void SqlAcmeStore::addNonce(const std::string& nonce, long long expiresAt) {
  db_.acquire().run("INSERT INTO acme_nonces (nonce, expires_at) VALUES ($1, $2)",
                    {nonce, std::to_string(expiresAt)});
}

bool SqlAcmeStore::consumeNonce(const std::string& nonce, long long now) {
  // One statement: of two replicas racing on the same nonce one deletes it.
  return db_.acquire()
             .run("DELETE FROM acme_nonces WHERE nonce = $1 AND expires_at > $2",
                  {nonce, std::to_string(now)})
             .changed == 1;
}

void SqlAcmeStore::purgeNonces(long long now) {
  db_.acquire().run("DELETE FROM acme_nonces WHERE expires_at <= $1", {std::to_string(now)});
}

bool SqlAcmeStore::createAccount(const AcmeAccount& a) {
  try {
    db_.acquire().run(
        "INSERT INTO acme_accounts (id, profile_id, jwk, thumbprint, status, contact, "
        "terms_agreed, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8)",
        {a.id, a.profileId, a.jwk, a.thumbprint, a.status, a.contact, a.termsAgreed ? "1" : "0",
         std::to_string(a.createdAt)});
    return true;
  } catch (const SqlError& e) {
    if (isUniqueViolation(e)) return false;
    throw;
  }
}

std::optional<AcmeAccount> SqlAcmeStore::account(const std::string& id) {
  auto rows =
      db_.acquire()
          .run(std::string("SELECT ") + kAccountColumns + " FROM acme_accounts WHERE id = $1", {id})
          .rows;
  if (rows.empty()) return std::nullopt;
  return accountFrom(rows[0]);
}

std::optional<AcmeAccount> SqlAcmeStore::accountByThumbprint(const std::string& profileId,
                                                             const std::string& thumbprint) {
  auto rows = db_.acquire()
                  .run(std::string("SELECT ") + kAccountColumns +
                           " FROM acme_accounts WHERE profile_id = $1 AND thumbprint = $2",
                       {profileId, thumbprint})
                  .rows;
  if (rows.empty()) return std::nullopt;
  return accountFrom(rows[0]);
}

void SqlAcmeStore::updateAccount(const std::string& id, const std::string& contact,
                                 const std::string& status) {
  db_.acquire().run(
      "UPDATE acme_accounts SET contact = $2, status = $3, updated_at = $4 WHERE id = $1",
      {id, contact, status,
       std::to_string(std::chrono::duration_cast<std::chrono::seconds>(
                          std::chrono::system_clock::now().time_since_epoch())
                          .count())});
}

bool SqlAcmeStore::changeAccountKey(const std::string& id, const std::string& jwk,
                                    const std::string& thumbprint) {
  try {
    return db_.acquire()
               .run("UPDATE acme_accounts SET jwk = $2, thumbprint = $3 WHERE id = $1",
                    {id, jwk, thumbprint})
               .changed == 1;
  } catch (const SqlError& e) {
    if (isUniqueViolation(e)) return false;
    throw;
  }
}

void SqlAcmeStore::createOrder(const AcmeOrder& o,
                               const std::vector<AcmeAuthorization>& authorizations) {
  writeTransaction(db_, nullptr, [&](Database::Lease& lease) {
    lease.run(
        "INSERT INTO acme_orders (id, account_id, profile_id, status, identifiers, expires_at, "
        "replaces, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8)",
        {o.id, o.accountId, o.profileId, o.status, o.identifiers, std::to_string(o.expiresAt),
         nullable(o.replaces), std::to_string(o.createdAt)});
    for (const auto& a : authorizations) {
      lease.run(
          "INSERT INTO acme_authorizations (id, order_id, account_id, identifier_type, "
          "identifier_value, wildcard, status, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7, "
          "$8)",
          {a.id, o.id, a.accountId, a.identifierType, a.identifierValue, a.wildcard ? "1" : "0",
           a.status, std::to_string(a.expiresAt)});
      for (const auto& c : a.challenges)
        lease.run(
            "INSERT INTO acme_challenges (id, authorization_id, type, token, status) VALUES ($1, "
            "$2, $3, $4, $5)",
            {c.id, a.id, c.type, c.token, c.status});
    }
  });
}

std::optional<AcmeOrder> SqlAcmeStore::oneOrder(const std::string& where, const SqlParams& params) {
  auto rows =
      db_.acquire()
          .run(std::string("SELECT ") + kOrderColumns + " FROM acme_orders WHERE " + where, params)
          .rows;
  if (rows.empty()) return std::nullopt;
  return orderFrom(rows[0]);
}

std::optional<AcmeOrder> SqlAcmeStore::order(const std::string& id) {
  return oneOrder("id = $1", {id});
}

std::optional<AcmeOrder> SqlAcmeStore::orderByCertificate(const std::string& certificateId) {
  return oneOrder("certificate_id = $1", {certificateId});
}

std::optional<AcmeOrder> SqlAcmeStore::orderBySerial(const std::string& profileId,
                                                     const std::string& serialHex) {
  return oneOrder("profile_id = $1 AND certificate_serial = $2", {profileId, serialHex});
}

std::pair<long long, long long> SqlAcmeStore::ordersSince(const std::string& accountId,
                                                          long long since) {
  auto rows = db_.acquire()
                  .run(
                      "SELECT COUNT(*), MIN(created_at) FROM acme_orders WHERE account_id = $1 "
                      "AND created_at >= $2",
                      {accountId, std::to_string(since)})
                  .rows;
  if (rows.empty()) return {0, 0};
  return {num(rows[0], 0), num(rows[0], 1)};
}

std::optional<std::vector<std::string>> SqlAcmeStore::liveOrderIds(const std::string& accountId,
                                                                   long long now, int limit,
                                                                   const std::string& after) {
  auto lease = db_.acquire();
  std::string query =
      "SELECT id FROM acme_orders WHERE account_id = $1 AND status <> 'invalid' "
      "AND NOT (status IN ('pending', 'ready') AND expires_at <= $2)";
  std::vector<std::optional<std::string>> params = {accountId, std::to_string(now),
                                                    std::to_string(limit)};
  if (!after.empty()) {
    // Keyset paging on the sort key: no offset to skip, and orders placed
    // while a client pages do not shift the pages it has yet to read.
    auto cursor = lease.run("SELECT created_at FROM acme_orders WHERE id = $1 AND account_id = $2",
                            {after, accountId});
    if (cursor.rows.empty()) return std::nullopt;
    query += " AND (created_at < $4 OR (created_at = $4 AND id < $5))";
    params.push_back(cursor.rows[0][0]);
    params.push_back(after);
  }
  auto rows = lease.run(query + " ORDER BY created_at DESC, id DESC LIMIT $3", params).rows;
  std::vector<std::string> ids;
  for (const auto& row : rows) ids.push_back(row[0].value_or(""));
  return ids;
}

std::optional<std::string> SqlAcmeStore::orderReplacing(const std::string& profileId,
                                                        const std::string& certId) {
  auto rows = db_.acquire()
                  .run(
                      "SELECT id FROM acme_orders WHERE profile_id = $1 AND replaces = $2 AND "
                      "status <> 'invalid'",
                      {profileId, certId})
                  .rows;
  if (rows.empty()) return std::nullopt;
  return str(rows[0], 0);
}

bool SqlAcmeStore::setOrderStatus(const std::string& id, const std::string& from,
                                  const std::string& to) {
  return db_.acquire()
             .run("UPDATE acme_orders SET status = $3 WHERE id = $1 AND status = $2",
                  {id, from, to})
             .changed == 1;
}

void SqlAcmeStore::completeOrder(const std::string& id, const std::string& certificateId,
                                 const std::string& serialHex, const std::string& pem) {
  db_.acquire().run(
      "UPDATE acme_orders SET status = 'valid', certificate_id = $2, certificate_serial = $3, "
      "certificate_pem = $4 WHERE id = $1",
      {id, certificateId, serialHex, pem});
}

std::vector<AcmeChallenge> SqlAcmeStore::challengesOf(Database::Lease& lease,
                                                      const std::string& authorizationId) {
  std::vector<AcmeChallenge> out;
  for (const auto& row : lease
                             .run(std::string("SELECT ") + kChallengeColumns +
                                      " FROM acme_challenges WHERE authorization_id = $1 "
                                      "ORDER BY type",
                                  {authorizationId})
                             .rows)
    out.push_back(challengeFrom(row));
  return out;
}

std::vector<AcmeAuthorization> SqlAcmeStore::authorizationsOfOrder(const std::string& orderId) {
  auto lease = db_.acquire();
  std::vector<AcmeAuthorization> out;
  for (const auto& row : lease
                             .run(std::string("SELECT ") + kAuthorizationColumns +
                                      " FROM acme_authorizations WHERE order_id = $1 ORDER BY id",
                                  {orderId})
                             .rows)
    out.push_back(authorizationFrom(row));
  for (auto& a : out) a.challenges = challengesOf(lease, a.id);
  return out;
}

std::optional<AcmeAuthorization> SqlAcmeStore::authorization(const std::string& id) {
  auto lease = db_.acquire();
  auto rows = lease
                  .run(std::string("SELECT ") + kAuthorizationColumns +
                           " FROM acme_authorizations WHERE id = $1",
                       {id})
                  .rows;
  if (rows.empty()) return std::nullopt;
  auto a = authorizationFrom(rows[0]);
  a.challenges = challengesOf(lease, a.id);
  return a;
}

void SqlAcmeStore::deactivateAuthorization(const std::string& id) {
  db_.acquire().run(
      "UPDATE acme_authorizations SET status = 'deactivated' WHERE id = $1 AND status IN "
      "('pending', 'valid')",
      {id});
}

std::optional<AcmeChallenge> SqlAcmeStore::challenge(const std::string& id) {
  auto rows =
      db_.acquire()
          .run(std::string("SELECT ") + kChallengeColumns + " FROM acme_challenges WHERE id = $1",
               {id})
          .rows;
  if (rows.empty()) return std::nullopt;
  return challengeFrom(rows[0]);
}

bool SqlAcmeStore::startChallenge(const std::string& id) {
  return db_.acquire()
             .run(
                 "UPDATE acme_challenges SET status = 'processing' WHERE id = $1 AND status = "
                 "'pending'",
                 {id})
             .changed == 1;
}

void SqlAcmeStore::finishChallenge(const std::string& id, bool valid, const std::string& error,
                                   long long now) {
  writeTransaction(db_, nullptr, [&](Database::Lease& lease) {
    auto rows = lease.run("SELECT authorization_id FROM acme_challenges WHERE id = $1", {id}).rows;
    if (rows.empty()) return;
    std::string authzId = str(rows[0], 0);
    const char* status = valid ? "valid" : "invalid";
    lease.run(
        "UPDATE acme_challenges SET status = $2, error = $3, validated_at = $4 WHERE id = $1",
        {id, status, nullable(error), valid ? std::optional(std::to_string(now)) : std::nullopt});
    lease.run("UPDATE acme_authorizations SET status = $2 WHERE id = $1 AND status = 'pending'",
              {authzId, status});
    auto order =
        lease.run("SELECT order_id FROM acme_authorizations WHERE id = $1", {authzId}).rows;
    if (order.empty()) return;
    std::string orderId = str(order[0], 0);
    if (!valid) {
      lease.run(
          "UPDATE acme_orders SET status = 'invalid', error = $2 WHERE id = $1 AND status = "
          "'pending'",
          {orderId, nullable(error)});
      return;
    }
    lease.run(
        "UPDATE acme_orders SET status = 'ready' WHERE id = $1 AND status = 'pending' AND NOT "
        "EXISTS (SELECT 1 FROM acme_authorizations WHERE order_id = $1 AND status <> 'valid')",
        {orderId});
  });
}

}  // namespace certctl::store
