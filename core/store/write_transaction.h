#pragma once

#include <functional>

#include "core/store/database.h"
#include "core/store/group_commit.h"

namespace certctl::store {

// Runs `work` in one transaction: the group committer's when given (on
// SQLite the only writer), else one of its own (BEGIN IMMEDIATE on SQLite).
// Rolls back and rethrows when `work` throws. `work` may run twice under
// the committer, so it must reset whatever it reports back.
void writeTransaction(Database& db, GroupCommit* writer,
                      const std::function<void(Database::Lease&)>& work);

}  // namespace certctl::store
