#include "core/services/resource_service.h"

#include <openssl/rand.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdio>

#include "core/domain/errors.h"
#include "core/domain/resources.h"
#include "core/domain/timestamps.h"

namespace certctl::services {

using domain::FieldSpec;
using domain::FieldType;
using domain::ResourceSpec;
using nlohmann::json;

namespace {

constexpr size_t kDefaultMaxLength = 4096;
constexpr size_t kMaxListItems = 500;

bool iequals(const std::string& a, const std::string& b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

std::string typeName(FieldType type) {
  switch (type) {
    case FieldType::String:
      return "a string";
    case FieldType::Integer:
      return "an integer";
    case FieldType::Number:
      return "a number";
    case FieldType::Boolean:
      return "a boolean";
    case FieldType::Timestamp:
      return "an RFC 3339 timestamp";
    case FieldType::StringList:
      return "an array of strings";
    case FieldType::Json:
      return "a JSON object or array";
  }
  return "a value";
}

// Checks one value against its field and returns it in canonical form.
json coerce(const FieldSpec& field, const json& value) {
  if (value.is_null()) {
    if (field.required || !field.nullable)
      throw domain::badRequest(field.name, field.name + " must not be null");
    return nullptr;
  }
  size_t maxLength = field.maxLength ? field.maxLength : kDefaultMaxLength;
  auto wrongType = [&] {
    return domain::badRequest(field.name, field.name + " must be " + typeName(field.type));
  };
  switch (field.type) {
    case FieldType::String: {
      if (!value.is_string()) throw wrongType();
      std::string s = value.get<std::string>();
      if (s.size() > maxLength)
        throw domain::badRequest(field.name, field.name + " is longer than " +
                                                 std::to_string(maxLength) + " characters");
      if (!field.enumValues.empty()) {
        std::string canonical = canonicalEnumValue(field, s);
        if (canonical.empty()) {
          std::string allowed;
          for (const auto& v : field.enumValues) allowed += (allowed.empty() ? "" : ", ") + v;
          throw domain::badRequest(field.name, field.name + " must be one of: " + allowed);
        }
        return canonical;
      }
      if (field.required && s.empty())
        throw domain::badRequest(field.name, field.name + " must not be empty");
      if (!field.references.empty() && !s.empty() && !isValidId(s))
        throw domain::badRequest(field.name, field.name + " is not a valid id");
      return s;
    }
    case FieldType::Integer:
      if (!value.is_number_integer()) throw wrongType();
      return value;
    case FieldType::Number:
      if (!value.is_number()) throw wrongType();
      return value;
    case FieldType::Boolean:
      if (!value.is_boolean()) throw wrongType();
      return value;
    case FieldType::Timestamp: {
      if (!value.is_string()) throw wrongType();
      auto t = domain::parseRfc3339(value.get<std::string>());
      if (!t) throw wrongType();
      return domain::formatRfc3339(*t);
    }
    case FieldType::StringList: {
      if (!value.is_array()) throw wrongType();
      if (value.size() > kMaxListItems)
        throw domain::badRequest(field.name, field.name + " has more than 500 items");
      for (const auto& item : value) {
        if (!item.is_string()) throw wrongType();
        if (item.get<std::string>().size() > maxLength)
          throw domain::badRequest(field.name, field.name + " has an item that is too long");
      }
      return value;
    }
    case FieldType::Json:
      if (!value.is_object() && !value.is_array()) throw wrongType();
      if (value.dump().size() > 65536)
        throw domain::badRequest(field.name, field.name + " is larger than 64 KiB");
      return value;
  }
  return value;
}

std::string slug(const std::string& text) {
  std::string out;
  for (char c : text) {
    unsigned char u = static_cast<unsigned char>(c);
    if (std::isalnum(u)) {
      out += static_cast<char>(std::tolower(u));
    } else if (!out.empty() && out.back() != '-') {
      out += '-';
    }
    if (out.size() >= 32) break;
  }
  while (!out.empty() && out.back() == '-') out.pop_back();
  return out;
}

}  // namespace

std::string canonicalEnumValue(const FieldSpec& field, const std::string& value) {
  for (const auto& allowed : field.enumValues)
    if (iequals(allowed, value)) return allowed;
  return {};
}

bool isValidId(const std::string& id) {
  if (id.empty() || id.size() > 128) return false;
  if (!std::isalnum(static_cast<unsigned char>(id[0]))) return false;
  return std::all_of(id.begin(), id.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.';
  });
}

std::string generateTimeOrderedId(const std::string& prefix) {
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                std::chrono::system_clock::now().time_since_epoch())
                .count();
  char stamp[17];
  std::snprintf(stamp, sizeof stamp, "%012llx", static_cast<unsigned long long>(ms));
  return prefix + stamp + generateId("", "").substr(0, 16);
}

std::string generateId(const std::string& prefix, const std::string& readablePart) {
  // Ids with a readable part only need to be unique among same-named
  // records; bare ids (audit events, jobs) need the full 80 bits.
  unsigned char random[10];
  size_t randomBytes = readablePart.empty() ? sizeof random : 4;
  if (RAND_bytes(random, sizeof random) != 1) throw std::runtime_error("RAND_bytes failed");
  static const char* hex = "0123456789abcdef";
  std::string suffix;
  for (size_t i = 0; i < randomBytes; ++i) {
    unsigned char b = random[i];
    suffix += hex[b >> 4];
    suffix += hex[b & 15];
  }
  std::string readable = slug(readablePart);
  return prefix + (readable.empty() ? "" : readable + "-") + suffix;
}

json ResourceService::validated(const ResourceSpec& spec, const json& body, const json* current) {
  if (!body.is_object()) throw domain::badRequest("body", "request body must be a JSON object");
  json values = json::object();
  for (const auto& [rawKey, value] : body.items()) {
    std::string key = rawKey;
    const FieldSpec* field = spec.field(key);
    if (!field) {
      for (const auto& f : spec.fields)
        if (!f.inputAlias.empty() && f.inputAlias == key) field = &f;
      if (field) key = field->name;
    }
    if (key == "id" || key == "created_at" || key == "updated_at") {
      if (current) continue;      // echoing a GET body back in a PUT is fine
      if (key == "id") continue;  // handled by create()
      throw domain::badRequest(key, key + " is set by the server");
    }
    if (!field) throw domain::badRequest(key, "unknown field: " + key);
    json coerced;
    try {
      coerced = coerce(*field, value);
    } catch (const domain::ApiError& e) {
      if (rawKey == key) throw;
      // Name the key the client actually sent (an alias such as profile_id).
      throw domain::badRequest(rawKey, e.what());
    }
    if (!field->writable) {
      // Tolerate an unchanged read-only value (GET, edit, PUT round trip).
      if (current && current->contains(field->name) && (*current)[field->name] == coerced) continue;
      throw domain::badRequest(field->name, field->name + " is read-only");
    }
    values[field->name] = coerced;
  }
  return values;
}

void ResourceService::runValidators(const ResourceSpec& spec, const json& values,
                                    const json* current) {
  auto it = validators_.find(spec.name);
  if (it == validators_.end()) return;
  for (const auto& validator : it->second) validator(values, current);
}

void ResourceService::checkReferences(const ResourceSpec& spec, const json& values) {
  for (const auto& field : spec.fields) {
    if (field.references.empty()) continue;
    auto it = values.find(field.name);
    if (it == values.end() || it->is_null()) continue;
    const std::string& id = it->get_ref<const std::string&>();
    if (id.empty()) continue;
    const ResourceSpec* target = domain::findResource(field.references);
    if (!target) continue;
    if (!repository_.exists(*target, id))
      throw domain::badRequest(
          field.name, field.name + " refers to an unknown " + target->singular + ": " + id);
  }
}

json ResourceService::create(const ResourceSpec& spec, const json& body) {
  json values = validated(spec, body, nullptr);
  for (const auto& field : spec.fields) {
    if (values.contains(field.name)) continue;
    if (!field.defaultJson.empty()) {
      values[field.name] = json::parse(field.defaultJson);
    } else if (field.required) {
      throw domain::badRequest(field.name, field.name + " is required");
    }
  }
  runValidators(spec, values, nullptr);
  checkReferences(spec, values);

  std::string id;
  if (body.is_object() && body.contains("id")) {
    if (!body["id"].is_string() || !isValidId(body["id"].get<std::string>()))
      throw domain::badRequest("id",
                               "id must be 1-128 characters of letters, digits, '-', '_', '.'");
    id = body["id"].get<std::string>();
    if (repository_.exists(spec, id))
      throw domain::conflict(spec.singular + " " + id + " already exists");
  } else {
    std::string readable = values.value("name", std::string());
    if (readable.empty()) readable = values.value("common_name", std::string());
    id = generateId(spec.idPrefix, readable);
  }
  std::string now = domain::nowRfc3339();
  values["id"] = id;
  values[spec.createdColumn] = now;
  if (spec.hasUpdatedAt) values["updated_at"] = now;
  repository_.insert(spec, values);
  auto created = get(spec, id);
  notify(spec, Change::Created, id, created);
  return created;
}

json ResourceService::get(const ResourceSpec& spec, const std::string& id) {
  if (!isValidId(id)) throw domain::notFound(spec.singular + " not found: " + id);
  auto row = repository_.get(spec, id);
  if (!row) throw domain::notFound(spec.singular + " not found: " + id);
  return *row;
}

json ResourceService::update(const ResourceSpec& spec, const std::string& id, const json& body) {
  json current = get(spec, id);
  json values = validated(spec, body, &current);
  for (const auto& field : spec.fields)
    if (field.required && values.contains(field.name) && values[field.name].is_null())
      throw domain::badRequest(field.name, field.name + " is required");
  runValidators(spec, values, &current);
  checkReferences(spec, values);
  if (values.empty()) return current;
  if (spec.hasUpdatedAt) values["updated_at"] = domain::nowRfc3339();
  if (!repository_.update(spec, id, values))
    throw domain::notFound(spec.singular + " not found: " + id);
  auto updated = get(spec, id);
  notify(spec, Change::Updated, id, updated);
  return updated;
}

void ResourceService::remove(const ResourceSpec& spec, const std::string& id) {
  if (!isValidId(id)) throw domain::notFound(spec.singular + " not found: " + id);
  if (!spec.archiveStatus.empty()) {
    json changes = {{"status", spec.archiveStatus}};
    if (spec.hasUpdatedAt) changes["updated_at"] = domain::nowRfc3339();
    if (!repository_.update(spec, id, changes))
      throw domain::notFound(spec.singular + " not found: " + id);
    notify(spec, Change::Updated, id, get(spec, id));
    return;
  }
  auto listening = listeners_.find(spec.name) != listeners_.end();
  json before = listening ? repository_.get(spec, id).value_or(json()) : json();
  if (!repository_.remove(spec, id)) throw domain::notFound(spec.singular + " not found: " + id);
  notify(spec, Change::Removed, id, before);
}

void ResourceService::notify(const ResourceSpec& spec, Change change, const std::string& id,
                             const json& record) {
  auto it = listeners_.find(spec.name);
  if (it == listeners_.end()) return;
  for (const auto& listener : it->second) listener(change, id, record);
}

ListResult ResourceService::list(const ResourceSpec& spec, const domain::ListQuery& query) {
  return repository_.list(spec, query);
}

}  // namespace certctl::services
