#include "core/api/list_params.h"

#include <Poco/Base64Decoder.h>
#include <Poco/Base64Encoder.h>

#include <charconv>
#include <set>
#include <sstream>

#include "core/domain/errors.h"
#include "core/domain/timestamps.h"
#include "core/services/resource_service.h"

namespace certctl::api {

using domain::FieldType;
using domain::ListQuery;
using domain::ResourceSpec;

namespace {

constexpr int kMaxPageSize = 500;
constexpr int kDefaultPageSize = 50;

int parseInt(const std::string& param, const std::string& text, int min, int max) {
  int value = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || ptr != text.data() + text.size() || value < min || value > max)
    throw domain::badRequest(param, param + " must be an integer between " + std::to_string(min) +
                                        " and " + std::to_string(max));
  return value;
}

std::string base64UrlEncode(const std::string& data) {
  std::ostringstream out;
  Poco::Base64Encoder encoder(out, Poco::BASE64_URL_ENCODING | Poco::BASE64_NO_PADDING);
  encoder.rdbuf()->setLineLength(0);
  encoder << data;
  encoder.close();
  return out.str();
}

std::optional<std::string> base64UrlDecode(const std::string& text) {
  try {
    std::istringstream in(text);
    Poco::Base64Decoder decoder(in, Poco::BASE64_URL_ENCODING | Poco::BASE64_NO_PADDING);
    std::string out((std::istreambuf_iterator<char>(decoder)), std::istreambuf_iterator<char>());
    return out;
  } catch (...) {
    return std::nullopt;
  }
}

std::string sortToken(const ListQuery& q) { return (q.descending ? "-" : "") + q.sortColumn; }

}  // namespace

ListQuery parseListQuery(const ResourceSpec& spec, const http::Request& request) {
  ListQuery q;
  q.sortColumn = spec.defaultSortColumn;
  q.descending = spec.defaultSortDescending;
  std::set<std::string> seen;

  for (const auto& [name, value] : request.query) {
    if (!seen.insert(name).second)
      throw domain::badRequest(name, "query parameter " + name + " is given more than once");
    if (name == "sort") {
      std::string key = value;
      bool desc = !key.empty() && key[0] == '-';
      if (desc || (!key.empty() && key[0] == '+')) key.erase(0, 1);
      const domain::SortKey* found = nullptr;
      for (const auto& sk : spec.sortKeys)
        if (sk.apiName == key) found = &sk;
      if (!found) {
        std::string allowed;
        for (const auto& sk : spec.sortKeys) allowed += (allowed.empty() ? "" : ", ") + sk.apiName;
        throw domain::badRequest("sort", "cannot sort by '" + key + "'; allowed: " + allowed);
      }
      q.sortColumn = found->column;
      q.descending = desc;
    } else if (name == "page") {
      q.page = parseInt(name, value, 1, 1000000);
    } else if (name == "per_page" || name == "page_size") {
      q.perPage = parseInt(name, value, 1, kMaxPageSize);
      if (name == "page_size") q.keyset = true;
    } else if (name == "cursor") {
      q.keyset = true;
    } else if (name == "fields") {
      std::stringstream ss(value);
      std::string field;
      while (std::getline(ss, field, ',')) {
        if (field.empty()) continue;
        bool known = field == "id" || field == spec.createdColumn ||
                     (field == "updated_at" && spec.hasUpdatedAt) || spec.field(field);
        if (!known) throw domain::badRequest("fields", "unknown field in fields: " + field);
        q.fields.push_back(field);
      }
    } else {
      bool handled = false;
      for (const auto& tf : spec.timeFilters) {
        if (tf.param != name) continue;
        auto t = domain::parseRfc3339(value);
        if (!t) throw domain::badRequest(name, name + " must be an RFC 3339 timestamp");
        q.ranges.push_back({tf.column, tf.before, domain::formatRfc3339(*t)});
        handled = true;
      }
      for (const auto& f : spec.fields) {
        if (handled || !f.filterable) continue;
        if ((f.filterParam.empty() ? f.name : f.filterParam) != name) continue;
        std::string v = value;
        if (!f.enumValues.empty()) {
          v = services::canonicalEnumValue(f, value);
          if (v.empty()) throw domain::badRequest(name, "unknown " + name + " value: " + value);
        } else if (f.type == FieldType::Boolean) {
          if (value != "true" && value != "false")
            throw domain::badRequest(name, name + " must be true or false");
        } else if (f.type == FieldType::Integer) {
          parseInt(name, value, INT32_MIN, INT32_MAX);
        } else if (!f.references.empty() && !services::isValidId(value)) {
          throw domain::badRequest(name, name + " is not a valid id");
        }
        q.equals.push_back({f.name, v});
        handled = true;
      }
      if (!handled) throw domain::badRequest(name, "unknown query parameter: " + name);
    }
  }

  if (q.keyset && seen.count("page"))
    throw domain::badRequest("page", "page cannot be combined with cursor/page_size");
  if (auto* cursor = request.queryValue("cursor"); cursor && !cursor->empty()) {
    auto decoded = base64UrlDecode(*cursor);
    auto doc = decoded ? nlohmann::json::parse(*decoded, nullptr, false) : nlohmann::json();
    if (!doc.is_object() || !doc["s"].is_string() || !doc["v"].is_string() ||
        !doc["id"].is_string())
      throw domain::badRequest("cursor", "invalid cursor");
    if (doc["s"].get<std::string>() != sortToken(q))
      throw domain::badRequest("cursor", "cursor was issued for a different sort order");
    q.after = ListQuery::Cursor{doc["v"].get<std::string>(), doc["id"].get<std::string>()};
  }
  if (!q.keyset && (seen.count("per_page") == 0)) q.perPage = kDefaultPageSize;
  return q;
}

std::string encodeCursor(const ListQuery& query, const ListQuery::Cursor& cursor) {
  nlohmann::json doc = {{"s", sortToken(query)}, {"v", cursor.sortValue}, {"id", cursor.id}};
  return base64UrlEncode(doc.dump());
}

nlohmann::json listEnvelope(const ListQuery& query, services::ListResult result) {
  nlohmann::json envelope;
  envelope["data"] = std::move(result.items);
  if (result.total) envelope["total"] = *result.total;
  envelope["page"] = query.keyset ? 1 : query.page;
  envelope["per_page"] = query.perPage;
  envelope["next_cursor"] =
      result.next ? nlohmann::json(encodeCursor(query, *result.next)) : nlohmann::json(nullptr);
  return envelope;
}

}  // namespace certctl::api
