#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>
#include "certctl/build_info.h"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "core/domain/resources.h"

namespace {

using certctl::domain::FieldSpec;
using certctl::domain::FieldType;
using certctl::domain::findResource;
using certctl::domain::inventoryResources;
using certctl::domain::ResourceSpec;
namespace fs = std::filesystem;

// ---------------------------------------------------------------------------
// A small reader for our own migration files: enough SQL to find the tables,
// their columns and the indexes, so the descriptors and the DDL cannot drift.

enum class Dialect { Sqlite, Postgres };

const char* dialectDir(Dialect d) { return d == Dialect::Sqlite ? "sqlite" : "postgres"; }

fs::path migrationsDir(Dialect d) {
  // Not __FILE__: ccache's CCACHE_BASEDIR (used by CI) makes it relative.
  fs::path root = certctl::build::kSourceDir;
  return root / "core" / "store" / "migrations" / dialectDir(d);
}

struct Column {
  std::string type;     // first type word, upper case, typmod removed: TEXT, TIMESTAMPTZ
  std::string rawType;  // as written, upper case: TIMESTAMPTZ(0)
  bool notNull = false;
  std::string definition;  // the whole column definition, as written
};

struct Index {
  std::string name;
  std::vector<std::string> elements;  // normalised: lower case, no blanks, outer parens off
  bool partial = false;
};

struct Schema {
  std::map<std::string, std::map<std::string, Column>> tables;
  std::map<std::string, std::vector<Index>> indexes;  // by table
  std::string text;                                   // all files, comments stripped
  std::string upper;                                  // same, upper case
};

std::string toUpper(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

std::string toLower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

std::string trim(const std::string& s) {
  auto b = s.find_first_not_of(" \t\r\n");
  if (b == std::string::npos) return "";
  auto e = s.find_last_not_of(" \t\r\n");
  return s.substr(b, e - b + 1);
}

std::string stripComments(const std::string& sql) {
  std::string out;
  bool inString = false;
  for (size_t i = 0; i < sql.size(); ++i) {
    char c = sql[i];
    if (inString) {
      out += c;
      if (c == '\'') inString = false;  // '' re-enters on the next quote
    } else if (c == '\'') {
      inString = true;
      out += c;
    } else if (c == '-' && i + 1 < sql.size() && sql[i + 1] == '-') {
      while (i < sql.size() && sql[i] != '\n') ++i;
      out += '\n';
    } else {
      out += c;
    }
  }
  return out;
}

// Index of the ')' matching the '(' at `open`, skipping string literals.
size_t matchParen(const std::string& s, size_t open) {
  int depth = 0;
  bool inString = false;
  for (size_t i = open; i < s.size(); ++i) {
    char c = s[i];
    if (inString) {
      if (c == '\'') inString = false;
    } else if (c == '\'') {
      inString = true;
    } else if (c == '(') {
      ++depth;
    } else if (c == ')' && --depth == 0) {
      return i;
    }
  }
  return std::string::npos;
}

std::vector<std::string> splitTopLevel(const std::string& s) {
  std::vector<std::string> parts;
  std::string cur;
  int depth = 0;
  bool inString = false;
  for (char c : s) {
    if (inString) {
      if (c == '\'') inString = false;
    } else if (c == '\'') {
      inString = true;
    } else if (c == '(') {
      ++depth;
    } else if (c == ')') {
      --depth;
    } else if (c == ',' && depth == 0) {
      parts.push_back(trim(cur));
      cur.clear();
      continue;
    }
    cur += c;
  }
  if (!trim(cur).empty()) parts.push_back(trim(cur));
  return parts;
}

size_t skipBlanks(const std::string& s, size_t i) {
  while (i < s.size() && std::isspace(static_cast<unsigned char>(s[i]))) ++i;
  return i;
}

std::string identifierAt(const std::string& s, size_t& i) {
  i = skipBlanks(s, i);
  size_t start = i;
  while (i < s.size() && (std::isalnum(static_cast<unsigned char>(s[i])) || s[i] == '_')) ++i;
  return s.substr(start, i - start);
}

bool hasNotNull(const std::string& upperDefinition) {
  if (upperDefinition.find("PRIMARY KEY") != std::string::npos) return true;
  for (size_t p = upperDefinition.find("NOT NULL"); p != std::string::npos;
       p = upperDefinition.find("NOT NULL", p + 1))
    if (p < 3 || upperDefinition.compare(p - 3, 3, "IS ") != 0) return true;
  return false;
}

void addColumn(std::map<std::string, Column>& table, const std::string& definition) {
  std::string upper = toUpper(definition);
  size_t i = 0;
  std::string first = toUpper(identifierAt(definition, i));
  static const std::set<std::string> kConstraintWords = {"PRIMARY", "FOREIGN", "UNIQUE", "CHECK",
                                                         "CONSTRAINT"};
  if (kConstraintWords.count(first)) return;
  i = 0;
  std::string name = identifierAt(definition, i);
  i = skipBlanks(definition, i);
  size_t typeEnd = i;
  while (typeEnd < definition.size() &&
         !std::isspace(static_cast<unsigned char>(definition[typeEnd])))
    ++typeEnd;
  Column column;
  column.rawType = toUpper(definition.substr(i, typeEnd - i));
  column.type = column.rawType.substr(0, column.rawType.find('('));
  column.notNull = hasNotNull(upper);
  column.definition = definition;
  table[name] = column;
}

std::string normaliseElement(const std::string& element) {
  std::string out;
  for (char c : element)
    if (!std::isspace(static_cast<unsigned char>(c))) out += c;
  out = toLower(out);
  if (out.size() > 1 && out.front() == '(' && matchParen(out, 0) == out.size() - 1)
    out = out.substr(1, out.size() - 2);
  return out;
}

void parseInto(Schema& schema, const std::string& sql) {
  std::string upper = toUpper(sql);
  // CREATE TABLE IF NOT EXISTS name ( ... )
  const std::string createTable = "CREATE TABLE IF NOT EXISTS ";
  for (size_t p = upper.find(createTable); p != std::string::npos;
       p = upper.find(createTable, p + 1)) {
    size_t i = p + createTable.size();
    std::string table = identifierAt(sql, i);
    size_t open = sql.find('(', i);
    size_t close = matchParen(sql, open);
    REQUIRE(close != std::string::npos);
    auto& columns = schema.tables[table];
    for (const auto& item : splitTopLevel(sql.substr(open + 1, close - open - 1)))
      addColumn(columns, item);
  }
  // ALTER TABLE name ADD COLUMN [IF NOT EXISTS] definition;  (later migrations)
  const std::string alterTable = "ALTER TABLE ";
  for (size_t p = upper.find(alterTable); p != std::string::npos;
       p = upper.find(alterTable, p + 1)) {
    size_t i = p + alterTable.size();
    std::string table = identifierAt(sql, i);
    size_t end = upper.find(';', i);
    std::string rest = sql.substr(i, end - i);
    std::string restUpper = toUpper(rest);
    // ADD CONSTRAINT name CHECK (column IN (...)): a widened enum (0004).
    size_t check = restUpper.find("ADD CONSTRAINT ");
    if (check != std::string::npos &&
        (check = restUpper.find("CHECK", check)) != std::string::npos) {
      size_t c = rest.find('(', check) + 1;
      std::string column = identifierAt(rest, c);
      auto& columns = schema.tables[table];
      if (columns.count(column)) columns[column].definition += " " + rest.substr(check);
      continue;
    }
    size_t add = restUpper.find("ADD COLUMN ");
    if (add == std::string::npos) continue;
    size_t def = add + std::string("ADD COLUMN ").size();
    if (restUpper.compare(skipBlanks(restUpper, def), 14, "IF NOT EXISTS ") == 0)
      def = skipBlanks(restUpper, def) + 14;
    addColumn(schema.tables[table], trim(rest.substr(def)));
  }
  // CREATE [UNIQUE] INDEX IF NOT EXISTS name ON table (elements) [WHERE ...]
  for (size_t p = upper.find("INDEX IF NOT EXISTS "); p != std::string::npos;
       p = upper.find("INDEX IF NOT EXISTS ", p + 1)) {
    size_t i = p + std::string("INDEX IF NOT EXISTS ").size();
    Index index;
    index.name = identifierAt(sql, i);
    size_t on = upper.find(" ON ", i);
    i = on + 4;
    std::string table = identifierAt(sql, i);
    size_t open = sql.find('(', i);
    size_t close = matchParen(sql, open);
    REQUIRE(close != std::string::npos);
    for (const auto& e : splitTopLevel(sql.substr(open + 1, close - open - 1)))
      index.elements.push_back(normaliseElement(e));
    index.partial = upper.compare(skipBlanks(upper, close + 1), 5, "WHERE") == 0;
    schema.indexes[table].push_back(index);
  }
}

const Schema& schemaOf(Dialect d) {
  static std::map<Dialect, Schema> cache;
  auto it = cache.find(d);
  if (it != cache.end()) return it->second;
  fs::path dir = migrationsDir(d);
  INFO("migrations directory: " << dir.string());
  REQUIRE(fs::is_directory(dir));
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(dir))
    if (entry.path().extension() == ".sql") files.push_back(entry.path());
  std::sort(files.begin(), files.end());
  REQUIRE_FALSE(files.empty());
  Schema schema;
  for (const auto& file : files) {
    std::ifstream in(file);
    std::stringstream buffer;
    buffer << in.rdbuf();
    std::string sql = stripComments(buffer.str());
    parseInto(schema, sql);
    schema.text += sql + "\n";
  }
  schema.upper = toUpper(schema.text);
  return cache.emplace(d, std::move(schema)).first->second;
}

// ---------------------------------------------------------------------------
// What the descriptors imply for the DDL.

// The type mapping the generic repository relies on (first word of the type).
std::string expectedType(FieldType type, Dialect d) {
  bool pg = d == Dialect::Postgres;
  switch (type) {
    case FieldType::String:
      return "TEXT";
    case FieldType::Integer:
      return pg ? "BIGINT" : "INTEGER";
    case FieldType::Number:
      return pg ? "DOUBLE" : "REAL";
    case FieldType::Boolean:
      return pg ? "BOOLEAN" : "INTEGER";
    case FieldType::Timestamp:
      return pg ? "TIMESTAMPTZ" : "TEXT";
    case FieldType::StringList:
    case FieldType::Json:
      return pg ? "JSONB" : "TEXT";
  }
  return "?";
}

struct ColumnInfo {
  FieldType type;
  bool nullable;
};

// A column a sort key or time filter may name: a field, or the implicit ones.
std::optional<ColumnInfo> columnInfo(const ResourceSpec& r, const std::string& column) {
  if (column == r.createdColumn || (column == "updated_at" && r.hasUpdatedAt))
    return ColumnInfo{FieldType::Timestamp, false};
  if (const FieldSpec* f = r.field(column)) return ColumnInfo{f->type, f->nullable};
  return std::nullopt;
}

// The NULL-free sort expression; must stay identical to
// certctl::store::SqlDialect::sortExpr and to the migrations' indexes.
std::string sortExpression(const std::string& column, ColumnInfo info, Dialect d) {
  if (!info.nullable) return column;
  if (info.type == FieldType::Timestamp)
    return d == Dialect::Postgres ? "coalesce(" + column + ",'0001-01-01t00:00:00z'::timestamptz)"
                                  : "coalesce(" + column + ",'0001-01-01t00:00:00z')";
  return "coalesce(" + column + ",'')";
}

bool hasIndexStartingWith(const Schema& schema, const std::string& table,
                          const std::vector<std::string>& elements) {
  auto it = schema.indexes.find(table);
  if (it == schema.indexes.end()) return false;
  for (const auto& index : it->second) {
    if (index.partial || index.elements.size() < elements.size()) continue;
    if (std::equal(elements.begin(), elements.end(), index.elements.begin())) return true;
  }
  return false;
}

bool isSnakeCase(const std::string& s) {
  return !s.empty() && std::islower(static_cast<unsigned char>(s[0])) &&
         std::all_of(s.begin(), s.end(), [](char c) {
           return std::islower(static_cast<unsigned char>(c)) ||
                  std::isdigit(static_cast<unsigned char>(c)) || c == '_';
         });
}

}  // namespace

TEST_CASE("inventory resources have unique names, tables and id prefixes", "[domain][resources]") {
  const auto& resources = inventoryResources();
  REQUIRE(resources.size() == 10);
  std::set<std::string> names, tables, prefixes;
  for (const auto& r : resources) {
    INFO(r.name);
    CHECK(names.insert(r.name).second);
    CHECK(tables.insert(r.table).second);
    CHECK(prefixes.insert(r.idPrefix).second);
    CHECK_FALSE(r.singular.empty());
    REQUIRE_FALSE(r.idPrefix.empty());
    CHECK(r.idPrefix.back() == '-');
  }
  // An id tells its resource: no prefix may start another one ("a-" vs "ag-" is fine).
  for (const auto& a : prefixes)
    for (const auto& b : prefixes)
      if (a != b) CHECK_FALSE(b.rfind(a, 0) == 0);

  const std::map<std::string, std::pair<std::string, std::string>> expected = {
      {"certificates", {"managed_certificates", "mc-"}},
      {"issuers", {"issuers", "iss-"}},
      {"targets", {"deployment_targets", "t-"}},
      {"renewal-policies", {"renewal_policies", "rp-"}},
      {"profiles", {"certificate_profiles", "prof-"}},
      {"policies", {"policy_rules", "pr-"}},
      {"teams", {"teams", "team-"}},
      {"owners", {"owners", "o-"}},
      {"agent-groups", {"agent_groups", "ag-"}},
      {"agents", {"agents", "a-"}},
  };
  for (const auto& [name, tableAndPrefix] : expected) {
    INFO(name);
    const ResourceSpec* r = findResource(name);
    REQUIRE(r != nullptr);
    CHECK(r->table == tableAndPrefix.first);
    CHECK(r->idPrefix == tableAndPrefix.second);
  }
}

TEST_CASE("findResource looks resources up by URL segment only", "[domain][resources]") {
  for (const auto& r : inventoryResources()) CHECK(findResource(r.name) == &r);
  CHECK(findResource("") == nullptr);
  CHECK(findResource("managed_certificates") == nullptr);  // a table, not a segment
  CHECK(findResource("certificate") == nullptr);
  CHECK(findResource("Certificates") == nullptr);
}

TEST_CASE("fields are well-formed", "[domain][resources]") {
  for (const auto& r : inventoryResources()) {
    std::set<std::string> names, bodyNames, queryParams;
    for (const auto& f : r.fields) {
      INFO(r.name << "." << f.name);
      CHECK(isSnakeCase(f.name));
      CHECK(names.insert(f.name).second);
      CHECK(f.name != "id");
      CHECK(f.name != "created_at");
      CHECK(f.name != "updated_at");
      // Clients cannot send what they may not write.
      if (f.required) CHECK(f.writable);
      // A NOT NULL column the client may omit needs a default.
      if (!f.nullable && !f.required) CHECK_FALSE(f.defaultJson.empty());
      if (!f.enumValues.empty()) CHECK(f.type == FieldType::String);
      if (!f.references.empty()) {
        CHECK(f.type == FieldType::String);
        CHECK(findResource(f.references) != nullptr);
      }
      if (!f.defaultJson.empty()) {
        auto value = nlohmann::json::parse(f.defaultJson, nullptr, false);
        REQUIRE_FALSE(value.is_discarded());
        switch (f.type) {
          case FieldType::String:
          case FieldType::Timestamp:
            CHECK(value.is_string());
            break;
          case FieldType::Integer:
            CHECK(value.is_number_integer());
            break;
          case FieldType::Number:
            CHECK(value.is_number());
            break;
          case FieldType::Boolean:
            CHECK(value.is_boolean());
            break;
          case FieldType::StringList:
            REQUIRE(value.is_array());
            for (const auto& v : value) CHECK(v.is_string());
            break;
          case FieldType::Json:
            CHECK((value.is_object() || value.is_array()));
            break;
        }
        if (!f.enumValues.empty() && value.is_string())
          CHECK(std::count(f.enumValues.begin(), f.enumValues.end(), value.get<std::string>()));
      }
      CHECK(bodyNames.insert(f.name).second);
      if (!f.inputAlias.empty()) CHECK(bodyNames.insert(f.inputAlias).second);
      if (f.filterable)
        CHECK(queryParams.insert(f.filterParam.empty() ? f.name : f.filterParam).second);
    }
    // An alias must not shadow another field's name either.
    for (const auto& f : r.fields)
      if (!f.inputAlias.empty()) CHECK(names.count(f.inputAlias) == 0);
    if (!r.archiveStatus.empty()) {
      const FieldSpec* status = r.field("status");
      REQUIRE(status != nullptr);
      CHECK(std::count(status->enumValues.begin(), status->enumValues.end(), r.archiveStatus));
    }
  }
}

TEST_CASE("sort keys and time filters name real columns", "[domain][resources]") {
  for (const auto& r : inventoryResources()) {
    std::set<std::string> apiNames;
    for (const auto& s : r.sortKeys) {
      INFO(r.name << " sort " << s.apiName << " -> " << s.column);
      CHECK(apiNames.insert(s.apiName).second);
      auto info = columnInfo(r, s.column);
      REQUIRE(info.has_value());
      // A nullable sort column needs a NULL-free expression for keyset paging,
      // and the query builder only has one for text and timestamps.
      if (info->nullable)
        CHECK((info->type == FieldType::String || info->type == FieldType::Timestamp));
    }
    INFO(r.name << " default sort " << r.defaultSortColumn);
    CHECK(columnInfo(r, r.defaultSortColumn).has_value());
    std::set<std::string> params;
    for (const auto& t : r.timeFilters) {
      INFO(r.name << " time filter " << t.param << " -> " << t.column);
      CHECK(params.insert(t.param).second);
      auto info = columnInfo(r, t.column);
      REQUIRE(info.has_value());
      CHECK(info->type == FieldType::Timestamp);
      // "_before" means column < value, "_after" column > value.
      CHECK(t.before == (t.param.find("_before") != std::string::npos));
    }
  }
}

TEST_CASE("certificates expose the feature inventory's query surface", "[domain][resources]") {
  const ResourceSpec* certs = findResource("certificates");
  REQUIRE(certs != nullptr);
  const std::map<std::string, std::string> seedSorts = {
      {"notAfter", "expires_at"},  {"expiresAt", "expires_at"},   {"createdAt", "created_at"},
      {"updatedAt", "updated_at"}, {"commonName", "common_name"}, {"name", "name"},
      {"status", "status"},        {"environment", "environment"}};
  for (const auto& [apiName, column] : seedSorts) {
    INFO(apiName);
    auto it = std::find_if(certs->sortKeys.begin(), certs->sortKeys.end(),
                           [&](const auto& s) { return s.apiName == apiName; });
    REQUIRE(it != certs->sortKeys.end());
    CHECK(it->column == column);
  }
  const std::map<std::string, std::pair<std::string, bool>> seedTimeFilters = {
      {"expires_before", {"expires_at", true}}, {"expires_after", {"expires_at", false}},
      {"created_before", {"created_at", true}}, {"created_after", {"created_at", false}},
      {"updated_before", {"updated_at", true}}, {"updated_after", {"updated_at", false}}};
  for (const auto& [param, columnAndBefore] : seedTimeFilters) {
    INFO(param);
    auto it = std::find_if(certs->timeFilters.begin(), certs->timeFilters.end(),
                           [&](const auto& t) { return t.param == param; });
    REQUIRE(it != certs->timeFilters.end());
    CHECK(it->column == columnAndBefore.first);
    CHECK(it->before == columnAndBefore.second);
  }
  // ?status=&agent_id=&profile_id=&issuer_id=&owner_id=&team_id=
  for (const char* column : {"status", "agent_id", "certificate_profile_id", "issuer_id",
                             "owner_id", "team_id", "environment"}) {
    INFO(column);
    const FieldSpec* f = certs->field(column);
    REQUIRE(f != nullptr);
    CHECK(f->filterable);
  }
  const FieldSpec* profile = certs->field("certificate_profile_id");
  CHECK(profile->filterParam == "profile_id");
  CHECK(profile->inputAlias == "profile_id");
  CHECK(profile->references == "profiles");
  CHECK(certs->field("status")->defaultJson == "\"Pending\"");
  CHECK(certs->archiveStatus == "Archived");

  std::map<std::string, std::set<std::string>> required;
  for (const auto& r : inventoryResources())
    for (const auto& f : r.fields)
      if (f.required) required[r.name].insert(f.name);
  CHECK(required["certificates"] == std::set<std::string>{"name", "common_name", "issuer_id"});
  CHECK(required["issuers"] == std::set<std::string>{"name", "type"});
  CHECK(required["targets"] == std::set<std::string>{"name", "type"});
  CHECK(required["owners"] == std::set<std::string>{"name", "email"});
  for (const char* name : {"renewal-policies", "profiles", "teams", "agent-groups", "agents"})
    CHECK(required[name] == std::set<std::string>{"name"});
  CHECK(required["policies"] == std::set<std::string>{"name", "type"});

  const FieldSpec* policyType = findResource("policies")->field("type");
  for (const char* type : {"AllowedIssuers", "AllowedDomains", "RequiredMetadata",
                           "AllowedEnvironments", "RenewalLeadTime", "Lua"})
    CHECK(std::count(policyType->enumValues.begin(), policyType->enumValues.end(), type));
}

TEST_CASE("migrations declare every descriptor column in both dialects", "[domain][resources]") {
  for (Dialect d : {Dialect::Sqlite, Dialect::Postgres}) {
    const Schema& schema = schemaOf(d);
    for (const auto& r : inventoryResources()) {
      INFO(dialectDir(d) << ": " << r.table);
      auto table = schema.tables.find(r.table);
      REQUIRE(table != schema.tables.end());
      const auto& columns = table->second;

      auto id = columns.find("id");
      REQUIRE(id != columns.end());
      CHECK(id->second.type == "TEXT");
      CHECK(toUpper(id->second.definition).find("PRIMARY KEY") != std::string::npos);
      std::vector<std::string> implicit = {r.createdColumn};
      if (r.hasUpdatedAt) implicit.push_back("updated_at");
      for (const auto& name : implicit) {
        INFO(name);
        auto c = columns.find(name);
        REQUIRE(c != columns.end());
        CHECK(c->second.type == expectedType(FieldType::Timestamp, d));
        CHECK(c->second.notNull);
      }

      for (const auto& f : r.fields) {
        INFO(r.table << "." << f.name);
        auto c = columns.find(f.name);
        REQUIRE(c != columns.end());
        CHECK(c->second.type == expectedType(f.type, d));
        // Whole seconds in PostgreSQL, so cursors made from the API text match.
        if (f.type == FieldType::Timestamp && d == Dialect::Postgres)
          CHECK(c->second.rawType == "TIMESTAMPTZ(0)");
        CHECK(c->second.notNull == !f.nullable);
        for (const auto& value : f.enumValues)
          CHECK(c->second.definition.find("'" + value + "'") != std::string::npos);
        if (!f.references.empty()) {
          const ResourceSpec* target = findResource(f.references);
          REQUIRE(target != nullptr);
          CHECK(toUpper(c->second.definition).find("REFERENCES " + toUpper(target->table) + " ") !=
                std::string::npos);
        }
      }
    }
  }
}

TEST_CASE("migrations index every list filter, sort key and time filter", "[domain][resources]") {
  for (Dialect d : {Dialect::Sqlite, Dialect::Postgres}) {
    const Schema& schema = schemaOf(d);
    for (const auto& r : inventoryResources()) {
      for (const auto& f : r.fields) {
        if (!f.filterable) continue;
        INFO(dialectDir(d) << ": filter " << r.table << "." << f.name);
        CHECK(hasIndexStartingWith(schema, r.table, {f.name}));
      }
      std::vector<std::string> sortColumns = {r.defaultSortColumn};
      for (const auto& s : r.sortKeys) sortColumns.push_back(s.column);
      for (const auto& column : sortColumns) {
        auto info = columnInfo(r, column);
        REQUIRE(info.has_value());
        std::string expr = sortExpression(column, *info, d);
        INFO(dialectDir(d) << ": keyset index (" << expr << ", id) on " << r.table);
        CHECK(hasIndexStartingWith(schema, r.table, {expr, "id"}));
      }
      for (const auto& t : r.timeFilters) {
        INFO(dialectDir(d) << ": range filter " << r.table << "." << t.column);
        CHECK(hasIndexStartingWith(schema, r.table, {t.column}));
      }
    }
  }
}

TEST_CASE("migrations are re-runnable and keep the audit trail append-only",
          "[domain][resources]") {
  for (Dialect d : {Dialect::Sqlite, Dialect::Postgres}) {
    INFO(dialectDir(d));
    const Schema& schema = schemaOf(d);
    auto count = [&](const std::string& needle) {
      size_t n = 0;
      for (size_t p = schema.upper.find(needle); p != std::string::npos;
           p = schema.upper.find(needle, p + 1))
        ++n;
      return n;
    };
    CHECK(count("CREATE TABLE ") == count("CREATE TABLE IF NOT EXISTS "));
    CHECK(count("CREATE INDEX ") == count("CREATE INDEX IF NOT EXISTS "));
    CHECK(count("CREATE UNIQUE INDEX ") == count("CREATE UNIQUE INDEX IF NOT EXISTS "));
    // The migrator owns its bookkeeping table.
    CHECK(schema.tables.count("schema_migrations") == 0);

    for (const char* table : {"managed_certificates",
                              "certificate_versions",
                              "agents",
                              "deployment_targets",
                              "certificate_target_mappings",
                              "renewal_policies",
                              "jobs",
                              "audit_events",
                              "notification_events",
                              "issuers",
                              "policy_rules",
                              "policy_violations",
                              "certificate_profiles",
                              "teams",
                              "owners",
                              "agent_groups",
                              "agent_group_members",
                              "certificate_revocations",
                              "crl_cache",
                              "discovered_certificates",
                              "discovery_scans",
                              "network_scan_targets",
                              "endpoint_health_checks"}) {
      INFO(table);
      CHECK(schema.tables.count(table) == 1);
    }
    const auto& audit = schema.tables.at("audit_events");
    for (const char* column :
         {"id", "timestamp", "actor", "actor_type", "action", "resource_type", "resource_id",
          "method", "path", "status_code", "latency_ms", "body_hash", "request_id", "details"})
      CHECK(audit.count(column) == 1);

    if (d == Dialect::Sqlite) {
      CHECK(count("CREATE TRIGGER ") == count("CREATE TRIGGER IF NOT EXISTS "));
      CHECK(count("BEFORE UPDATE ON AUDIT_EVENTS") == 1);
      CHECK(count("BEFORE DELETE ON AUDIT_EVENTS") == 1);
    } else {
      CHECK(count("CREATE OR REPLACE FUNCTION AUDIT_EVENTS_REJECT_CHANGE()") == 1);
      CHECK(count("BEFORE UPDATE OR DELETE OR TRUNCATE ON AUDIT_EVENTS") == 1);
    }
  }
}
