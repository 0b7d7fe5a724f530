#pragma once

#include <nlohmann/json.hpp>

#include <Poco/Dynamic/Var.h>

#include <string>

#include "core/domain/resource_spec.h"
#include "core/store/database.h"

namespace certctl::store {

// The few places where SQLite and PostgreSQL SQL differ for our columns:
// how a typed column is read as API text, how a text parameter is cast to
// the column type, and the NULL-free sort expression that the migrations
// index (see the comment at the top of each 0001 migration).
class SqlDialect {
 public:
  explicit SqlDialect(Dialect dialect) : dialect_(dialect) {}

  std::string selectExpr(const std::string& column, domain::FieldType type) const;
  std::string param(int index, domain::FieldType type) const;
  std::string sortExpr(const std::string& column, domain::FieldType type, bool nullable) const;
  // The sort expression rendered as text, for keyset cursors.
  std::string sortValueExpr(const std::string& column, domain::FieldType type,
                            bool nullable) const;
  std::string toParam(const nlohmann::json& value, domain::FieldType type) const;
  static nlohmann::json toJson(const Poco::Dynamic::Var& value, domain::FieldType type);

 private:
  Dialect dialect_;
};

}  // namespace certctl::store
