#include "core/store/sql_revocation_store.h"

#include <Poco/Data/LOB.h>
#include <Poco/Data/PostgreSQL/SessionImpl.h>
#include <Poco/Data/RecordSet.h>
#include <Poco/Data/SQLite/Utility.h>
#include <Poco/Data/Statement.h>
#include <libpq-fe.h>
#include <sqlite3.h>

#include <cstdint>
#include <deque>
#include <memory>
#include <stdexcept>
#include <string_view>

#include "core/services/resource_service.h"
#include "core/store/advisory_lock.h"
#include "core/store/short_lived_sql.h"

using namespace Poco::Data::Keywords;
using nlohmann::json;

namespace certctl::store {

namespace {

// Parameters live here until the statement has run: Poco binds references.
class Params {
 public:
  int add(std::string value) {
    values_.push_back(std::move(value));
    return static_cast<int>(values_.size());
  }
  std::string ref(std::string value) { return "$" + std::to_string(add(std::move(value))); }
  void bindTo(Poco::Data::Statement& stmt) {
    for (auto& v : values_) stmt.addBind(use(v));
  }

 private:
  std::deque<std::string> values_;  // stable addresses as it grows
};

std::string text(const Poco::Data::RecordSet& rs, std::size_t column, std::size_t row) {
  const auto& v = rs.value(column, row);
  return v.isEmpty() ? std::string() : v.convert<std::string>();
}

long long integer(const Poco::Data::RecordSet& rs, std::size_t column, std::size_t row,
                  long long fallback = 0) {
  const auto& v = rs.value(column, row);
  return v.isEmpty() ? fallback : v.convert<Poco::Int64>();
}

bool boolean(const Poco::Data::RecordSet& rs, std::size_t column, std::size_t row) {
  const auto& v = rs.value(column, row);
  if (v.isEmpty()) return false;
  if (v.type() == typeid(bool)) return v.extract<bool>();
  if (v.isString()) {
    auto s = v.convert<std::string>();
    return s == "t" || s == "true" || s == "1";
  }
  return v.convert<Poco::Int64>() != 0;
}

Poco::Data::RecordSet select(Poco::Data::Session& session, const std::string& sql, Params& params) {
  Poco::Data::Statement stmt(session);
  stmt << sql;
  params.bindTo(stmt);
  stmt.execute();
  return Poco::Data::RecordSet(stmt);
}

std::size_t execute(Poco::Data::Session& session, const std::string& sql, Params& params) {
  Poco::Data::Statement stmt(session);
  stmt << sql;
  params.bindTo(stmt);
  return stmt.execute();
}

}  // namespace

std::string SqlRevocationStore::ts(const std::string& column) const {
  if (!postgres()) return column;
  return "to_char(" + column + " AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')";
}

std::string SqlRevocationStore::tsParam(int n) const {
  return "$" + std::to_string(n) + (postgres() ? "::timestamptz" : "");
}

std::optional<services::CertificateForRevocation> SqlRevocationStore::certificate(
    const std::string& id) {
  auto lease = db_.acquire();
  Params p;
  auto rs = select(*lease,
                   "SELECT id, status, issuer_id, " + ts("revoked_at") +
                       ", revocation_reason FROM managed_certificates WHERE id = " + p.ref(id),
                   p);
  if (rs.rowCount() == 0) return std::nullopt;
  return services::CertificateForRevocation{text(rs, 0, 0), text(rs, 1, 0), text(rs, 2, 0),
                                            text(rs, 3, 0), text(rs, 4, 0)};
}

std::vector<services::IssuedSerial> SqlRevocationStore::revocableSerials(
    const std::string& certificateId, const std::string& now) {
  auto lease = db_.acquire();
  Params p;
  // SQLite numbers $N parameters by first appearance: add them in text order.
  const int nowParam = p.add(now);
  const std::string cert = p.ref(certificateId);
  // Newest first: row 0 is the current version, kept even when expired.
  auto rs = select(*lease,
                   "SELECT COALESCE(v.issuer_id, mc.issuer_id), v.serial_number, " +
                       ts("v.not_after") + ", CASE WHEN v.not_after > " + tsParam(nowParam) +
                       " THEN 1 ELSE 0 END FROM certificate_versions v JOIN managed_certificates "
                       "mc ON mc.id = v.certificate_id WHERE v.certificate_id = " +
                       cert + " ORDER BY v.created_at DESC, v.not_after DESC, v.id DESC",
                   p);
  std::vector<services::IssuedSerial> out;
  for (std::size_t row = 0; row < rs.rowCount(); ++row) {
    if (row > 0 && integer(rs, 3, row) == 0) continue;
    services::IssuedSerial serial{text(rs, 0, row), text(rs, 1, row), text(rs, 2, row)};
    bool duplicate = false;
    for (const auto& s : out)
      duplicate =
          duplicate || (s.issuerId == serial.issuerId && s.serialNumber == serial.serialNumber);
    if (!duplicate) out.push_back(std::move(serial));
  }
  return out;
}

bool SqlRevocationStore::recordRevocation(const services::CertificateForRevocation& certificate,
                                          const std::vector<services::IssuedSerial>& serials,
                                          const std::string& reason, const std::string& revokedBy,
                                          const std::string& revokedAt) {
  auto lease = db_.acquire();
  Poco::Data::Session& session = *lease;
  if (postgres()) {
    session.begin();
  } else {
    // IMMEDIATE: take the write lock first, so two revocations never both
    // read "not revoked" and then fail to upgrade.
    db_.executeScript(session, "BEGIN IMMEDIATE");
  }
  auto rollback = [&] {
    try {
      if (postgres())
        session.rollback();
      else
        db_.executeScript(session, "ROLLBACK");
    } catch (...) {
    }
  };
  try {
    Params mark;
    const std::string statusExpr =
        "CASE WHEN status = 'Archived' THEN 'Archived' ELSE 'Revoked' END";
    const int at = mark.add(revokedAt);
    const int why = mark.add(reason);
    const int id = mark.add(certificate.id);
    std::size_t updated = execute(
        session,
        "UPDATE managed_certificates SET status = " + statusExpr + ", revoked_at = " + tsParam(at) +
            ", revocation_reason = $" + std::to_string(why) + ", updated_at = " + tsParam(at) +
            " WHERE id = $" + std::to_string(id) + " AND revoked_at IS NULL",
        mark);
    if (updated == 0) {
      rollback();
      return false;
    }
    for (const auto& serial : serials) {
      // One parameter per statement: the operands of '+' are unsequenced,
      // and SQLite numbers $N by first appearance.
      Params row;
      std::string values;
      for (const std::string& v : {services::generateId("rev-", ""), certificate.id,
                                   serial.issuerId, serial.serialNumber, reason, revokedBy})
        values += row.ref(v) + ", ";
      const int t = row.add(revokedAt);
      values += tsParam(t) + ", " + tsParam(t);
      std::string sql =
          "INSERT INTO certificate_revocations (id, certificate_id, issuer_id, serial_number, "
          "reason, revoked_by, revoked_at, created_at) VALUES (" +
          values + ") ON CONFLICT (issuer_id, serial_number) DO NOTHING";
      execute(session, sql, row);
    }
    if (postgres())
      session.commit();
    else
      db_.executeScript(session, "COMMIT");
    return true;
  } catch (...) {
    rollback();
    throw;
  }
}

std::vector<services::RevocationRecord> SqlRevocationStore::revocations(
    const std::string& certificateId) {
  auto lease = db_.acquire();
  Params p;
  auto rs = select(*lease,
                   "SELECT id, certificate_id, issuer_id, serial_number, reason, revoked_by, " +
                       ts("revoked_at") +
                       ", issuer_notified FROM certificate_revocations WHERE certificate_id = " +
                       p.ref(certificateId) + " ORDER BY created_at, id",
                   p);
  std::vector<services::RevocationRecord> out;
  for (std::size_t row = 0; row < rs.rowCount(); ++row) {
    out.push_back({text(rs, 0, row), text(rs, 1, row), text(rs, 2, row), text(rs, 3, row),
                   text(rs, 4, row), text(rs, 5, row), text(rs, 6, row), boolean(rs, 7, row)});
  }
  return out;
}

void SqlRevocationStore::markIssuerNotified(const std::string& revocationId) {
  auto lease = db_.acquire();
  Params p;
  execute(*lease,
          std::string("UPDATE certificate_revocations SET issuer_notified = ") +
              (postgres() ? "TRUE" : "1") + " WHERE id = " + p.ref(revocationId),
          p);
}

std::vector<std::string> SqlRevocationStore::matchCertificates(
    const services::BulkRevokeCriteria& criteria) {
  Params p;
  std::string sql = "SELECT id FROM managed_certificates WHERE status <> 'Archived'";
  auto equal = [&](const char* column, const std::string& value) {
    if (!value.empty()) sql += std::string(" AND ") + column + " = " + p.ref(value);
  };
  auto in = [&](const char* column, const std::vector<std::string>& values) {
    if (values.empty()) {
      sql += " AND 1 = 0";
      return;
    }
    sql += std::string(" AND ") + column + " IN (";
    for (std::size_t i = 0; i < values.size(); ++i) sql += (i ? ", " : "") + p.ref(values[i]);
    sql += ")";
  };
  equal("certificate_profile_id", criteria.profileId);
  equal("owner_id", criteria.ownerId);
  equal("team_id", criteria.teamId);
  equal("issuer_id", criteria.issuerId);
  equal("agent_id", criteria.agentId);
  if (criteria.agentIds) in("agent_id", *criteria.agentIds);
  if (!criteria.certificateIds.empty()) in("id", criteria.certificateIds);
  sql += " ORDER BY id";
  auto lease = db_.acquire();
  auto rs = select(*lease, sql, p);
  std::vector<std::string> out;
  out.reserve(rs.rowCount());
  for (std::size_t row = 0; row < rs.rowCount(); ++row) out.push_back(text(rs, 0, row));
  return out;
}

std::vector<services::RevokedSerial> SqlRevocationStore::crlEntries(const std::string& issuerId) {
  std::vector<services::RevokedSerial> out;
  crlEntryList(issuerId).forEach(
      [&](std::string_view serial, std::string_view revokedAt, std::string_view reason) {
        out.push_back({std::string(serial), std::string(revokedAt), std::string(reason)});
      });
  return out;
}

services::CrlEntryList SqlRevocationStore::crlEntryList(const std::string& issuerId) {
  // A CRL can have a million entries: the short-lived certificates are
  // excluded through one small subquery instead of a join per row, and the
  // rows are read with the drivers' own APIs (Poco's per-value extraction
  // costs more than the query itself at this size) straight into the packed
  // list (no string per value).
  const std::string sql =
      "SELECT serial_number, " + ts("revoked_at") + ", reason FROM certificate_revocations WHERE " +
      // SQLite would walk the (issuer_id, revoked_at) index and fetch every
      // row out of order (a page read each); the table in order is ~5x faster.
      std::string(postgres() ? "issuer_id" : "+issuer_id") +
      " = $1 AND certificate_id NOT IN "
      "(SELECT mc.id FROM managed_certificates mc JOIN certificate_profiles p ON p.id = "
      "mc.certificate_profile_id WHERE " +
      shortLivedCondition("p") + ")";
  services::CrlEntryList out;
  auto lease = db_.acquire();
  if (!postgres()) {
    sqlite3* handle = Poco::Data::SQLite::Utility::dbHandle(*lease);
    sqlite3_stmt* stmt = nullptr;
    if (sqlite3_prepare_v2(handle, sql.c_str(), -1, &stmt, nullptr) != SQLITE_OK)
      throw std::runtime_error(std::string("SQLite: ") + sqlite3_errmsg(handle));
    std::unique_ptr<sqlite3_stmt, int (*)(sqlite3_stmt*)> guard(stmt, sqlite3_finalize);
    sqlite3_bind_text(stmt, 1, issuerId.c_str(), -1, SQLITE_TRANSIENT);
    auto column = [stmt](int i) {
      const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(stmt, i));
      return text ? std::string_view(text, static_cast<std::size_t>(sqlite3_column_bytes(stmt, i)))
                  : std::string_view();
    };
    int rc;
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) out.add(column(0), column(1), column(2));
    if (rc != SQLITE_DONE)
      throw std::runtime_error(std::string("SQLite: ") + sqlite3_errmsg(handle));
    return out;
  }
  auto& impl = static_cast<Poco::Data::PostgreSQL::SessionImpl&>(*lease->impl());
  const char* values[] = {issuerId.c_str()};
  std::unique_ptr<PGresult, void (*)(PGresult*)> result(
      PQexecParams(impl.handle(), sql.c_str(), 1, nullptr, values, nullptr, nullptr, 0), PQclear);
  if (PQresultStatus(result.get()) != PGRES_TUPLES_OK)
    throw std::runtime_error(std::string("PostgreSQL: ") + PQresultErrorMessage(result.get()));
  const int rows = PQntuples(result.get());
  auto column = [&](int row, int i) {
    return std::string_view(PQgetvalue(result.get(), row, i),
                            static_cast<std::size_t>(PQgetlength(result.get(), row, i)));
  };
  for (int row = 0; row < rows; ++row) out.add(column(row, 0), column(row, 1), column(row, 2));
  return out;
}

services::SerialStatus SqlRevocationStore::serialStatus(const std::string& issuerId,
                                                        const std::string& serial) {
  auto lease = db_.acquire();
  Params p;
  const std::string issuer = p.ref(issuerId);
  const std::string number = p.ref(serial);
  // A version of this issuer with this serial, or (for versions recorded
  // without an issuer) a revocation of it.
  auto rs = select(
      *lease,
      "SELECT CASE WHEN " + shortLivedCondition("p") + " THEN 1 ELSE 0 END, " + ts("r.revoked_at") +
          ", r.reason FROM certificate_versions v "
          "JOIN managed_certificates mc ON mc.id = v.certificate_id "
          "LEFT JOIN certificate_profiles p ON p.id = mc.certificate_profile_id "
          "LEFT JOIN certificate_revocations r ON r.issuer_id = " +
          issuer + " AND r.serial_number = v.serial_number WHERE v.issuer_id = " + issuer +
          " AND v.serial_number = " + number + " UNION ALL SELECT CASE WHEN " +
          shortLivedCondition("p") + " THEN 1 ELSE 0 END, " + ts("r.revoked_at") +
          ", r.reason FROM certificate_revocations r "
          "JOIN managed_certificates mc ON mc.id = r.certificate_id "
          "LEFT JOIN certificate_profiles p ON p.id = mc.certificate_profile_id "
          "WHERE r.issuer_id = " +
          issuer + " AND r.serial_number = " + number,
      p);
  services::SerialStatus status;
  for (std::size_t row = 0; row < rs.rowCount(); ++row) {
    if (integer(rs, 0, row) == 1) return {services::SerialStatus::State::ShortLived, {}, {}};
    std::string revokedAt = text(rs, 1, row);
    if (!revokedAt.empty())
      return {services::SerialStatus::State::Revoked, revokedAt, text(rs, 2, row)};
    status.state = services::SerialStatus::State::Good;
  }
  return status;
}

std::vector<std::string> SqlRevocationStore::enabledIssuerIds() {
  auto lease = db_.acquire();
  std::vector<std::string> ids;
  *lease << std::string("SELECT id FROM issuers WHERE enabled = ") + (postgres() ? "TRUE" : "1") +
                " ORDER BY id",
      into(ids), now;
  return ids;
}

std::optional<long long> SqlRevocationStore::crlNumber(const std::string& issuerId) {
  auto lease = db_.acquire();
  Params p;
  auto rs =
      select(*lease, "SELECT crl_number FROM crl_cache WHERE issuer_id = " + p.ref(issuerId), p);
  if (rs.rowCount() == 0) return std::nullopt;
  return integer(rs, 0, 0);
}

std::optional<services::CrlCacheRow> SqlRevocationStore::crl(const std::string& issuerId) {
  auto lease = db_.acquire();
  std::string issuer = issuerId;
  std::vector<Poco::Data::BLOB> der;
  std::vector<Poco::Int64> number, duration, count;
  std::vector<std::string> thisUpdate, nextUpdate, generatedAt;
  *lease << "SELECT crl_der, crl_number, " + ts("this_update") + ", " + ts("next_update") + ", " +
                ts("generated_at") +
                ", generation_duration_ms, revoked_count FROM crl_cache WHERE issuer_id = $1",
      use(issuer), into(der), into(number), into(thisUpdate), into(nextUpdate), into(generatedAt),
      into(duration), into(count), now;
  if (der.empty()) return std::nullopt;
  services::CrlCacheRow row;
  row.issuerId = issuerId;
  row.der.assign(reinterpret_cast<const char*>(der[0].rawContent()), der[0].size());
  row.crlNumber = number[0];
  row.thisUpdate = thisUpdate[0];
  row.nextUpdate = nextUpdate[0];
  row.generatedAt = generatedAt[0];
  row.generationDurationMs = duration[0];
  row.revokedCount = count[0];
  row.sizeBytes = static_cast<long long>(row.der.size());
  return row;
}

std::vector<services::CrlCacheRow> SqlRevocationStore::crlCache() {
  auto lease = db_.acquire();
  Params p;
  auto rs = select(*lease,
                   "SELECT issuer_id, crl_number, " + ts("this_update") + ", " + ts("next_update") +
                       ", " + ts("generated_at") +
                       ", generation_duration_ms, revoked_count, length(crl_der) FROM crl_cache "
                       "ORDER BY issuer_id",
                   p);
  std::vector<services::CrlCacheRow> out;
  for (std::size_t row = 0; row < rs.rowCount(); ++row) {
    services::CrlCacheRow r;
    r.issuerId = text(rs, 0, row);
    r.crlNumber = integer(rs, 1, row);
    r.thisUpdate = text(rs, 2, row);
    r.nextUpdate = text(rs, 3, row);
    r.generatedAt = text(rs, 4, row);
    r.generationDurationMs = integer(rs, 5, row);
    r.revokedCount = integer(rs, 6, row);
    r.sizeBytes = integer(rs, 7, row);
    out.push_back(std::move(r));
  }
  return out;
}

void SqlRevocationStore::storeCrl(const services::CrlCacheRow& row) {
  auto lease = db_.acquire();
  std::string issuer = row.issuerId, thisUpdate = row.thisUpdate, nextUpdate = row.nextUpdate,
              generatedAt = row.generatedAt;
  Poco::Data::BLOB der(reinterpret_cast<const unsigned char*>(row.der.data()), row.der.size());
  Poco::Int64 number = row.crlNumber, duration = row.generationDurationMs, count = row.revokedCount;
  const std::string t = postgres() ? "::timestamptz" : "";
  const std::string excluded = postgres() ? "EXCLUDED" : "excluded";
  *lease << "INSERT INTO crl_cache (issuer_id, crl_der, crl_number, this_update, next_update, "
            "generated_at, generation_duration_ms, revoked_count, created_at, updated_at) "
            "VALUES ($1, $2, $3, $4" +
                t + ", $5" + t + ", $6" + t + ", $7, $8, $6" + t + ", $6" + t +
                ") ON CONFLICT (issuer_id) DO UPDATE SET crl_der = " + excluded +
                ".crl_der, crl_number = " + excluded + ".crl_number, this_update = " + excluded +
                ".this_update, next_update = " + excluded +
                ".next_update, generated_at = " + excluded +
                ".generated_at, generation_duration_ms = " + excluded +
                ".generation_duration_ms, revoked_count = " + excluded +
                ".revoked_count, updated_at = " + excluded +
                ".updated_at WHERE crl_cache.crl_number < " + excluded + ".crl_number",
      use(issuer), use(der), use(number), use(thisUpdate), use(nextUpdate), use(generatedAt),
      use(duration), use(count), now;
}

void SqlRevocationStore::withCrlLock(const std::string& issuerId, const std::function<void()>& fn) {
  if (!postgres()) {
    // One process owns a SQLite file; the CRL service coalesces in-process.
    fn();
    return;
  }
  // A session-level advisory lock on a connection of its own, held while
  // `fn` reads the last number, signs and stores the next CRL.
  auto lease = db_.acquire();
  const std::string key = std::to_string(advisoryKey("certctl-crl:" + issuerId));
  db_.executeScript(*lease, "SELECT pg_advisory_lock(" + key + ")");
  try {
    fn();
  } catch (...) {
    try {
      db_.executeScript(*lease, "SELECT pg_advisory_unlock(" + key + ")");
    } catch (...) {
      lease.discard();  // closing the connection releases the lock
    }
    throw;
  }
  db_.executeScript(*lease, "SELECT pg_advisory_unlock(" + key + ")");
}

}  // namespace certctl::store
