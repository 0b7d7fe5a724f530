#pragma once

// Shared pieces of the demo seed (demo_seed*.cpp): a row writer that speaks
// both dialects, the clock every relative date is computed from, and the
// certificate table that the history part derives jobs and audit events from.

#include <Poco/Data/Session.h>

#include <chrono>
#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/domain/timestamps.h"
#include "core/store/database.h"

namespace certctl::store::demo {

using domain::TimePoint;

// Every demo date is "now ± something", so a fresh demo always shows
// certificates about to expire, whenever it is started.
struct Clock {
  TimePoint now;
  TimePoint daysAgo(double days) const { return plusHours(-days * 24); }
  TimePoint inDays(double days) const { return plusHours(days * 24); }
  TimePoint plusHours(double hours) const {
    return now + std::chrono::seconds(static_cast<long long>(hours * 3600));
  }
};

enum class Kind { Text, Integer, Boolean, Json, Time };

// One column value; an empty optional is SQL NULL.
struct Value {
  Kind kind;
  std::optional<std::string> text;
};

inline Value text(std::string s) { return {Kind::Text, std::move(s)}; }
// NULL for "" (the data tables use "" for "not set").
inline Value textOrNull(const std::string& s) {
  return s.empty() ? Value{Kind::Text, std::nullopt} : Value{Kind::Text, s};
}
inline Value integer(long long n) { return {Kind::Integer, std::to_string(n)}; }
inline Value boolean(bool b) { return {Kind::Boolean, b ? "1" : "0"}; }
inline Value jsonValue(std::string s) { return {Kind::Json, std::move(s)}; }
inline Value jsonOrNull(const std::string& s) {
  return s.empty() ? Value{Kind::Json, std::nullopt} : Value{Kind::Json, s};
}
inline Value timestamp(TimePoint t) { return {Kind::Time, domain::formatRfc3339(t)}; }
inline Value timestampOrNull(std::optional<TimePoint> t) {
  return t ? timestamp(*t) : Value{Kind::Time, std::nullopt};
}

struct Column {
  std::string name;
  Value value;
};

// Inserts rows with INSERT … ON CONFLICT DO NOTHING (a second seed is a
// no-op) and remembers their keys, so the rows present can be counted.
class RowWriter {
 public:
  RowWriter(Database& db, Poco::Data::Session& session) : db_(db), session_(session) {}

  // keyColumns: the primary key ("id" unless the table has a composite key).
  void insert(const std::string& table, const std::vector<Column>& columns,
              const std::vector<std::string>& keyColumns = {"id"});
  // How many of the rows passed to insert() exist now (inserted now or before).
  std::size_t countPresent();

 private:
  struct TableKeys {
    std::vector<std::string> keyColumns;
    std::vector<std::string> keys;
  };
  Database& db_;
  Poco::Data::Session& session_;
  std::vector<std::string> tableOrder_;
  std::map<std::string, TableKeys> tables_;
};

// The inventory rows the history is derived from.
struct DemoCertificate {
  const char* id;
  const char* name;
  const char* commonName;
  const char* sans;  // JSON array
  const char* environment;
  const char* ownerId;
  const char* teamId;
  const char* issuerId;
  const char* renewalPolicyId;
  const char* profileId;
  const char* agentId;  // "" for none
  const char* status;
  std::optional<double> expiresInDays;  // nullopt: never issued
  int lifetimeDays;                     // of each issued version
  int earlierVersions;                  // renewals before the current version
  const char* source;
  const char* tags;  // JSON object
};

struct DemoMapping {
  const char* certificateId;
  const char* targetId;
};

struct DemoTarget {
  const char* id;
  const char* name;
  const char* type;
  const char* agentId;
  const char* config;  // JSON object
};

struct DemoRevocation {
  const char* certificateId;
  const char* reason;
  double daysAgo;
  const char* revokedBy;
};

// One issued certificate version, computed from a DemoCertificate.
struct DemoVersion {
  std::string id;
  std::string certificateId;
  std::string issuerId;
  std::string serial;
  std::string fingerprint;
  TimePoint notBefore;
  TimePoint notAfter;
  bool first;  // the certificate's first issuance (not a renewal)
};

const std::vector<DemoCertificate>& demoCertificates();
const std::vector<DemoMapping>& demoMappings();
const std::vector<DemoTarget>& demoTargets();
const std::vector<DemoRevocation>& demoRevocations();
const DemoCertificate& demoCertificate(const std::string& id);
// Every version of every issued certificate, oldest first per certificate.
std::vector<DemoVersion> demoVersions(const Clock& clock);
std::optional<TimePoint> expiresAt(const DemoCertificate& c, const Clock& clock);
// Just before the first version, or a few days ago for never-issued ones.
TimePoint createdAt(const DemoCertificate& c, const Clock& clock);

// The certificate's latest version, or nullptr when it was never issued.
const DemoVersion* currentVersion(const std::vector<DemoVersion>& versions,
                                  const std::string& certificateId);

// Teams, owners, agents and groups, issuers, profiles, renewal policies,
// policy rules; then seedCertificates().
void seedInventory(RowWriter& w, const Clock& clock);
// Targets, certificates, versions, target mappings, revocations.
void seedCertificates(RowWriter& w, const Clock& clock);
// Jobs, policy violations and the audit trail; then seedMonitoring().
void seedHistory(RowWriter& w, const Clock& clock);
// Notifications, network scan targets, discovery, endpoint health checks.
void seedMonitoring(RowWriter& w, const Clock& clock, const std::vector<DemoVersion>& versions);

}  // namespace certctl::store::demo
