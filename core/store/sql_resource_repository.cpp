#include "core/store/sql_resource_repository.h"

#include <algorithm>
#include <stdexcept>

#include "core/domain/errors.h"
#include "core/store/sql_dialect.h"

namespace certctl::store {

using domain::FieldType;
using domain::ResourceSpec;
using nlohmann::json;

namespace {

struct Column {
  std::string name;
  FieldType type;
  bool nullable;
};

// id, the descriptor's fields, created_at and updated_at, in table order.
std::vector<Column> columnsOf(const ResourceSpec& spec) {
  std::vector<Column> columns;
  columns.push_back({"id", FieldType::String, false});
  for (const auto& f : spec.fields) columns.push_back({f.name, f.type, f.nullable});
  columns.push_back({spec.createdColumn, FieldType::Timestamp, false});
  if (spec.hasUpdatedAt) columns.push_back({"updated_at", FieldType::Timestamp, false});
  return columns;
}

const Column* findColumn(const std::vector<Column>& columns, const std::string& name) {
  for (const auto& c : columns)
    if (c.name == name) return &c;
  return nullptr;
}

// Parameters as text, through the driver directly (Database::Lease::run):
// Poco Data's typed statements cost several round trips per statement on
// PostgreSQL and a fresh prepare each time on SQLite.
class Query {
 public:
  explicit Query(Database& db) : lease_(db.acquire()) {}

  int bind(std::string value) {
    params_.emplace_back(std::move(value));
    return static_cast<int>(params_.size());
  }

  SqlRows select(const std::string& sql) { return run(sql); }

  std::size_t execute(const std::string& sql) { return run(sql).changed; }

 private:
  SqlRows run(const std::string& sql) {
    try {
      return lease_.run(sql, params_);
    } catch (const SqlError& e) {
      std::string text = e.what();
      std::string lower = text;
      std::transform(lower.begin(), lower.end(), lower.begin(), ::tolower);
      if (lower.find("unique") != std::string::npos ||
          lower.find("duplicate key") != std::string::npos)
        throw domain::conflict("a record with the same unique value already exists");
      if (lower.find("check constraint") != std::string::npos)
        throw domain::badRequest("body", "a value is outside what the database accepts");
      if (lower.find("foreign key") != std::string::npos)
        throw domain::conflict(
            "the record is referenced by other records, or references a missing one");
      lease_.discard();  // the connection may be broken; don't hand it out again
      throw std::runtime_error("database error: " + text);
    }
  }

  Database::Lease lease_;
  SqlParams params_;
};

// A column's text (as both drivers give it) as the API's JSON value.
json textToJson(const std::string& text, FieldType type) {
  switch (type) {
    case FieldType::Integer:
      try {
        return static_cast<long long>(std::stoll(text));
      } catch (const std::exception&) {
        return nullptr;
      }
    case FieldType::Number:
      try {
        return std::stod(text);
      } catch (const std::exception&) {
        return nullptr;
      }
    case FieldType::Boolean:
      return text == "t" || text == "true" || text == "1";
    case FieldType::Json:
    case FieldType::StringList: {
      auto parsed = json::parse(text, nullptr, false);
      return parsed.is_discarded() ? json(nullptr) : parsed;
    }
    default:
      return text;
  }
}

json rowToJson(const std::vector<std::optional<std::string>>& row,
               const std::vector<const Column*>& selected) {
  json obj = json::object();
  for (std::size_t i = 0; i < selected.size(); ++i) {
    const Column* c = selected[i];
    if (!row[i]) {
      obj[c->name] = nullptr;
    } else {
      obj[c->name] = textToJson(*row[i], c->type);
    }
  }
  return obj;
}

}  // namespace

services::ListResult SqlResourceRepository::list(const ResourceSpec& spec,
                                                 const domain::ListQuery& q) {
  SqlDialect dialect(db_.dialect());
  auto columns = columnsOf(spec);
  Query query(db_);

  std::vector<const Column*> selected;
  if (q.fields.empty()) {
    for (const auto& c : columns) selected.push_back(&c);
  } else {
    selected.push_back(findColumn(columns, "id"));
    for (const auto& name : q.fields)
      if (name != "id")
        if (const Column* c = findColumn(columns, name)) selected.push_back(c);
  }
  const Column* sortColumn = findColumn(columns, q.sortColumn);
  if (!sortColumn) throw domain::badRequest("sort", "unknown sort column");

  std::string where;
  auto addCondition = [&](const std::string& cond) {
    where += where.empty() ? " WHERE " : " AND ";
    where += cond;
  };
  for (const auto& eq : q.equals) {
    const Column* c = findColumn(columns, eq.column);
    if (!c) continue;
    std::string value = eq.value;
    if (c->type == FieldType::Boolean) value = dialect.toParam(json(eq.value == "true"), c->type);
    int n = query.bind(std::move(value));
    addCondition(eq.column + " = " + dialect.param(n, c->type));
  }
  for (const auto& p : q.presence) {
    if (!findColumn(columns, p.column)) throw std::logic_error("unknown column " + p.column);
    addCondition(p.column + (p.present ? " IS NOT NULL" : " IS NULL"));
  }
  for (const auto& r : q.ranges) {
    int n = query.bind(r.value);
    addCondition(r.column + (r.before ? " < " : " > ") + dialect.param(n, FieldType::Timestamp));
  }

  services::ListResult result;
  std::string sortExpr = dialect.sortExpr(sortColumn->name, sortColumn->type, sortColumn->nullable);
  const char* dir = q.descending ? " DESC" : " ASC";

  if (!q.keyset) {
    std::string countSql = "SELECT COUNT(*) FROM " + spec.table + where;
    auto countSet = query.select(countSql);
    result.total = countSet.rows.empty() || !countSet.rows[0][0]
                       ? 0
                       : static_cast<long long>(std::stoll(*countSet.rows[0][0]));
  } else if (q.after) {
    int a = query.bind(q.after->sortValue);
    int b = query.bind(q.after->id);
    std::string cmp = q.descending ? " < " : " > ";
    std::string value = dialect.param(a, sortColumn->type);
    std::string lastId = dialect.param(b, FieldType::String);
    if (db_.dialect() == Dialect::Postgres) {
      addCondition("(" + sortExpr + ", id)" + cmp + "(" + value + ", " + lastId + ")");
    } else {
      // SQLite only seeks an index with a plain range on its first column;
      // the row-value form would scan from the top of the index.
      std::string cmpOrEqual = q.descending ? " <= " : " >= ";
      addCondition(sortExpr + cmpOrEqual + value + " AND (" + sortExpr + cmp + value + " OR id" +
                   cmp + lastId + ")");
    }
  }

  std::string sql = "SELECT ";
  for (std::size_t i = 0; i < selected.size(); ++i) {
    if (i) sql += ", ";
    sql += dialect.selectExpr(selected[i]->name, selected[i]->type);
  }
  sql += ", " + dialect.sortValueExpr(sortColumn->name, sortColumn->type, sortColumn->nullable);
  sql += " FROM " + spec.table + where + " ORDER BY " + sortExpr + dir + ", id" + dir;
  int limit = q.keyset ? q.perPage + 1 : q.perPage;
  sql += " LIMIT " + std::to_string(limit);
  if (!q.keyset && q.page > 1) sql += " OFFSET " + std::to_string((q.page - 1) * q.perPage);

  auto rs = query.select(sql);
  std::size_t rows = rs.rows.size();
  std::size_t keep = std::min<std::size_t>(rows, static_cast<std::size_t>(q.perPage));
  result.items.reserve(keep);
  for (std::size_t row = 0; row < keep; ++row)
    result.items.push_back(rowToJson(rs.rows[row], selected));
  if (q.keyset && rows > keep && keep > 0) {
    std::size_t last = keep - 1;
    result.next = domain::ListQuery::Cursor{rs.rows[last][selected.size()].value_or(""),
                                            result.items[last]["id"].get<std::string>()};
  }
  return result;
}

std::optional<json> SqlResourceRepository::get(const ResourceSpec& spec, const std::string& id) {
  auto rows = select(spec, "id = " + SqlDialect(db_.dialect()).param(1, FieldType::String), {id});
  if (rows.empty()) return std::nullopt;
  return std::move(rows.front());
}

std::vector<json> SqlResourceRepository::select(const ResourceSpec& spec, const std::string& where,
                                                const std::vector<std::string>& params) {
  SqlDialect dialect(db_.dialect());
  auto columns = columnsOf(spec);
  std::vector<const Column*> selected;
  std::string sql = "SELECT ";
  for (std::size_t i = 0; i < columns.size(); ++i) {
    if (i) sql += ", ";
    sql += dialect.selectExpr(columns[i].name, columns[i].type);
    selected.push_back(&columns[i]);
  }
  Query query(db_);
  for (const auto& p : params) query.bind(p);
  auto rs = query.select(sql + " FROM " + spec.table + " WHERE " + where);
  std::vector<json> out;
  out.reserve(rs.rows.size());
  for (const auto& row : rs.rows) out.push_back(rowToJson(row, selected));
  return out;
}

bool SqlResourceRepository::exists(const ResourceSpec& spec, const std::string& id) {
  SqlDialect dialect(db_.dialect());
  Query query(db_);
  int n = query.bind(id);
  auto rs = query.select("SELECT 1 FROM " + spec.table +
                         " WHERE id = " + dialect.param(n, FieldType::String));
  return !rs.rows.empty();
}

void SqlResourceRepository::insert(const ResourceSpec& spec, const json& row) {
  SqlDialect dialect(db_.dialect());
  Query query(db_);
  std::string names, values;
  for (const auto& c : columnsOf(spec)) {
    auto it = row.find(c.name);
    if (it == row.end()) continue;
    if (!names.empty()) {
      names += ", ";
      values += ", ";
    }
    names += c.name;
    if (it->is_null()) {
      values += "NULL";
    } else {
      values += dialect.param(query.bind(dialect.toParam(*it, c.type)), c.type);
    }
  }
  query.execute("INSERT INTO " + spec.table + " (" + names + ") VALUES (" + values + ")");
}

bool SqlResourceRepository::update(const ResourceSpec& spec, const std::string& id,
                                   const json& changes) {
  if (!exists(spec, id)) return false;
  SqlDialect dialect(db_.dialect());
  Query query(db_);
  std::string sets;
  for (const auto& c : columnsOf(spec)) {
    if (c.name == "id" || c.name == spec.createdColumn) continue;
    auto it = changes.find(c.name);
    if (it == changes.end()) continue;
    if (!sets.empty()) sets += ", ";
    sets += c.name + " = ";
    sets += it->is_null() ? std::string("NULL")
                          : dialect.param(query.bind(dialect.toParam(*it, c.type)), c.type);
  }
  if (sets.empty()) return true;
  int n = query.bind(id);
  query.execute("UPDATE " + spec.table + " SET " + sets +
                " WHERE id = " + dialect.param(n, FieldType::String));
  return true;
}

bool SqlResourceRepository::remove(const ResourceSpec& spec, const std::string& id) {
  if (!exists(spec, id)) return false;
  SqlDialect dialect(db_.dialect());
  Query query(db_);
  int n = query.bind(id);
  query.execute("DELETE FROM " + spec.table + " WHERE id = " + dialect.param(n, FieldType::String));
  return true;
}

}  // namespace certctl::store
