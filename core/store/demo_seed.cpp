#include "core/store/demo_seed.h"

#include <Poco/Data/Statement.h>

#include <stdexcept>

#include "core/store/demo_seed_internal.h"

namespace certctl::store {

namespace demo {

namespace {

// Parameters are bound as text; the placeholder converts them to the
// column type (PostgreSQL needs explicit casts, SQLite integer columns get
// a CAST so CHECK (x IN (0, 1)) sees a number, never the text '1').
std::string placeholder(Dialect dialect, Kind kind, int index) {
  std::string p = "$" + std::to_string(index);
  if (dialect == Dialect::Sqlite) {
    if (kind == Kind::Integer || kind == Kind::Boolean) return "CAST(" + p + " AS INTEGER)";
    return p;
  }
  switch (kind) {
    case Kind::Text:
      return p + "::text";
    case Kind::Integer:
      return p + "::bigint";
    case Kind::Boolean:
      return p + "::boolean";
    case Kind::Json:
      return p + "::jsonb";
    case Kind::Time:
      return p + "::timestamptz";
  }
  return p;
}

std::string joinKey(const std::vector<std::string>& parts) {
  std::string key;
  for (const auto& part : parts) {
    if (!key.empty()) key += '|';
    key += part;
  }
  return key;
}

}  // namespace

void RowWriter::insert(const std::string& table, const std::vector<Column>& columns,
                       const std::vector<std::string>& keyColumns) {
  std::string names, values;
  std::vector<std::string> params;
  std::vector<std::string> keyParts(keyColumns.size());
  for (const auto& c : columns) {
    if (!names.empty()) {
      names += ", ";
      values += ", ";
    }
    names += c.name;
    if (!c.value.text) {
      values += "NULL";
    } else {
      params.push_back(*c.value.text);
      values += placeholder(db_.dialect(), c.value.kind, static_cast<int>(params.size()));
    }
    for (std::size_t k = 0; k < keyColumns.size(); ++k)
      if (keyColumns[k] == c.name && c.value.text) keyParts[k] = *c.value.text;
  }
  // Without a conflict target, DO NOTHING also skips rows whose unique name
  // is already taken by a user's own record; their children then fail on
  // the foreign key and the whole seed rolls back with that error.
  Poco::Data::Statement stmt(session_);
  stmt << "INSERT INTO " + table + " (" + names + ") VALUES (" + values +
              ") ON CONFLICT DO NOTHING";
  for (auto& p : params) stmt.addBind(Poco::Data::Keywords::use(p));
  stmt.execute();

  auto [it, added] = tables_.try_emplace(table);
  if (added) {
    it->second.keyColumns = keyColumns;
    tableOrder_.push_back(table);
  }
  it->second.keys.push_back(joinKey(keyParts));
}

std::size_t RowWriter::countPresent() {
  constexpr std::size_t kChunk = 200;
  std::size_t total = 0;
  for (const auto& table : tableOrder_) {
    auto& entry = tables_.at(table);
    std::string keyExpr;
    for (const auto& column : entry.keyColumns)
      keyExpr += (keyExpr.empty() ? "" : " || '|' || ") + column;
    for (std::size_t start = 0; start < entry.keys.size(); start += kChunk) {
      std::size_t end = std::min(entry.keys.size(), start + kChunk);
      std::string in;
      for (std::size_t i = start; i < end; ++i) {
        if (!in.empty()) in += ", ";
        in += placeholder(db_.dialect(), Kind::Text, static_cast<int>(i - start + 1));
      }
      Poco::Int64 count = 0;
      Poco::Data::Statement stmt(session_);
      stmt << "SELECT COUNT(*) FROM " + table + " WHERE " + keyExpr + " IN (" + in + ")",
          Poco::Data::Keywords::into(count);
      for (std::size_t i = start; i < end; ++i)
        stmt.addBind(Poco::Data::Keywords::use(entry.keys[i]));
      stmt.execute();
      total += static_cast<std::size_t>(count);
    }
  }
  return total;
}

}  // namespace demo

std::size_t seedDemoData(Database& db) {
  auto lease = db.acquire();
  Poco::Data::Session& session = *lease;
  demo::Clock clock{domain::nowSeconds()};
  demo::RowWriter writer(db, session);
  session.begin();
  try {
    demo::seedInventory(writer, clock);
    demo::seedHistory(writer, clock);
    std::size_t present = writer.countPresent();
    session.commit();
    return present;
  } catch (const std::exception& e) {
    try {
      session.rollback();
    } catch (...) {
    }
    // Poco's own exceptions say little in what(); displayText() has the
    // driver's message (e.g. which constraint refused a row).
    if (const auto* poco = dynamic_cast<const Poco::Exception*>(&e))
      throw std::runtime_error("demo data: " + poco->displayText());
    throw std::runtime_error(std::string("demo data: ") + e.what());
  }
}

}  // namespace certctl::store
