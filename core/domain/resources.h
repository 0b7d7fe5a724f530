#pragma once

#include <string_view>
#include <vector>

#include "core/domain/resource_spec.h"

namespace certctl::domain {

// The inventory resources served by the generic repository, validator and
// handler: certificates, issuers, targets, renewal-policies, profiles,
// policies, teams, owners, agent-groups and agents. Their columns live in
// core/store/migrations/*/0001_initial_schema.sql; the unit test
// tests/unit/domain/resources_test.cpp keeps the two in step.
const std::vector<ResourceSpec>& inventoryResources();

// The resource whose URL segment (ResourceSpec::name) is `name`, or nullptr.
const ResourceSpec* findResource(std::string_view name);

}  // namespace certctl::domain
