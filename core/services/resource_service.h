#pragma once

#include <nlohmann/json.hpp>

#include <functional>
#include <map>
#include <string>

#include "core/services/resource_repository.h"

namespace certctl::services {

// Create/read/update/delete for descriptor-defined resources. All input is
// validated here, before anything is written: a request that fails
// validation leaves the database untouched.
class ResourceService {
 public:
  explicit ResourceService(ResourceRepository& repository) : repository_(repository) {}

  nlohmann::json create(const domain::ResourceSpec& spec, const nlohmann::json& body);
  nlohmann::json get(const domain::ResourceSpec& spec, const std::string& id);
  nlohmann::json update(const domain::ResourceSpec& spec, const std::string& id,
                        const nlohmann::json& body);
  // Archives (when the resource has an archive status) or deletes.
  void remove(const domain::ResourceSpec& spec, const std::string& id);
  ListResult list(const domain::ResourceSpec& spec, const domain::ListQuery& query);

  ResourceRepository& repository() { return repository_; }

  // Extra checks a resource needs beyond field types (e.g. a CIDR's syntax).
  // Called with the validated fields of a create or update, before any write;
  // `current` is the stored record on update and null on create.
  using Validator =
      std::function<void(const nlohmann::json& values, const nlohmann::json* current)>;
  void addValidator(const std::string& resourceName, Validator validator) {
    validators_[resourceName].push_back(std::move(validator));
  }

  // Told after a record was created, updated or removed (e.g. to start an
  // issuance, or to drop a cached plugin instance). `record` is the stored
  // record after the change (before it, for Removed).
  enum class Change { Created, Updated, Removed };
  using ChangeListener =
      std::function<void(Change change, const std::string& id, const nlohmann::json& record)>;
  void addChangeListener(const std::string& resourceName, ChangeListener listener) {
    listeners_[resourceName].push_back(std::move(listener));
  }

 private:
  nlohmann::json validated(const domain::ResourceSpec& spec, const nlohmann::json& body,
                           const nlohmann::json* current);
  void checkReferences(const domain::ResourceSpec& spec, const nlohmann::json& values);

  void runValidators(const domain::ResourceSpec& spec, const nlohmann::json& values,
                     const nlohmann::json* current);
  void notify(const domain::ResourceSpec& spec, Change change, const std::string& id,
              const nlohmann::json& record);

  ResourceRepository& repository_;
  std::map<std::string, std::vector<Validator>> validators_;
  std::map<std::string, std::vector<ChangeListener>> listeners_;
};

// Shared by the service and the query parser: canonical spelling of an enum value
// (case-insensitive match), or empty when it is not one of the allowed values.
std::string canonicalEnumValue(const domain::FieldSpec& field, const std::string& value);
bool isValidId(const std::string& id);
std::string generateId(const std::string& prefix, const std::string& readablePart);
// prefix + creation time (ms, 12 hex digits) + 64 random bits: ids that sort
// by creation, so the rows of append-mostly tables (versions, audit events)
// go to the end of their primary-key index instead of a random page of it.
std::string generateTimeOrderedId(const std::string& prefix);

}  // namespace certctl::services
