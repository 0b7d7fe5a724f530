#pragma once

#include <cstddef>

#include "core/store/database.h"

namespace certctl::store {

// Seeds a realistic demo inventory (teams, owners, issuers, profiles,
// policies, ~30 certificates in every state, agents, targets, jobs, audit
// history over 90 days). Idempotent: fixed ids, inserts that skip existing
// rows. Returns the number of demo records present afterwards.
std::size_t seedDemoData(Database& db);

}  // namespace certctl::store
