#include "core/store/sql_dialect.h"

#include <Poco/Data/LOB.h>

namespace certctl::store {

using domain::FieldType;

namespace {
constexpr const char* kNullTimeSentinel = "'0001-01-01T00:00:00Z'";
}

std::string SqlDialect::selectExpr(const std::string& column, FieldType type) const {
  if (dialect_ == Dialect::Sqlite) return column;
  switch (type) {
    case FieldType::Timestamp:
      return "to_char(" + column + " AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')";
    case FieldType::Json:
    case FieldType::StringList:
      return column + "::text";
    default:
      return column;
  }
}

std::string SqlDialect::param(int index, FieldType type) const {
  std::string p = "$" + std::to_string(index);
  if (dialect_ == Dialect::Sqlite) return p;
  switch (type) {
    case FieldType::Timestamp: return p + "::timestamptz";
    case FieldType::Json:
    case FieldType::StringList: return p + "::jsonb";
    case FieldType::Integer: return p + "::bigint";
    case FieldType::Number: return p + "::double precision";
    case FieldType::Boolean: return p + "::boolean";
    default: return p + "::text";
  }
}

std::string SqlDialect::sortExpr(const std::string& column, FieldType type, bool nullable) const {
  if (!nullable) return column;
  if (type == FieldType::Timestamp)
    return dialect_ == Dialect::Sqlite
               ? "COALESCE(" + column + ", " + kNullTimeSentinel + ")"
               : "COALESCE(" + column + ", " + kNullTimeSentinel + "::timestamptz)";
  if (type == FieldType::String) return "COALESCE(" + column + ", '')";
  return column;
}

std::string SqlDialect::sortValueExpr(const std::string& column, FieldType type,
                                      bool nullable) const {
  std::string expr = sortExpr(column, type, nullable);
  if (dialect_ == Dialect::Postgres && type == FieldType::Timestamp)
    return "to_char(" + expr + " AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')";
  if (dialect_ == Dialect::Postgres) return "(" + expr + ")::text";
  return "CAST(" + expr + " AS TEXT)";
}

std::string SqlDialect::toParam(const nlohmann::json& value, FieldType type) const {
  switch (type) {
    case FieldType::String:
    case FieldType::Timestamp:
      return value.get<std::string>();
    case FieldType::Integer:
      return std::to_string(value.get<long long>());
    case FieldType::Number:
      return value.dump();
    case FieldType::Boolean:
      if (dialect_ == Dialect::Sqlite) return value.get<bool>() ? "1" : "0";
      return value.get<bool>() ? "true" : "false";
    case FieldType::Json:
    case FieldType::StringList:
      return value.dump();
  }
  return value.dump();
}

nlohmann::json SqlDialect::toJson(const Poco::Dynamic::Var& value, FieldType type) {
  if (value.isEmpty()) return nullptr;
  switch (type) {
    case FieldType::Integer:
      return value.convert<Poco::Int64>();
    case FieldType::Number:
      return value.convert<double>();
    case FieldType::Boolean: {
      if (value.type() == typeid(bool)) return value.extract<bool>();
      if (value.isString()) {
        auto s = value.convert<std::string>();
        return s == "t" || s == "true" || s == "1";
      }
      return value.convert<Poco::Int64>() != 0;
    }
    case FieldType::Json:
    case FieldType::StringList: {
      auto text = value.convert<std::string>();
      auto parsed = nlohmann::json::parse(text, nullptr, false);
      return parsed.is_discarded() ? nlohmann::json(nullptr) : parsed;
    }
    default:
      return value.convert<std::string>();
  }
}

}  // namespace certctl::store
