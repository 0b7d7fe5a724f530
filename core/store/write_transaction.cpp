#include "core/store/write_transaction.h"

namespace certctl::store {

void writeTransaction(Database& db, GroupCommit* writer,
                      const std::function<void(Database::Lease&)>& work) {
  if (writer) {
    writer->run(work);
    return;
  }
  auto lease = db.acquire();
  lease.run(lease.dialect() == Dialect::Sqlite ? "BEGIN IMMEDIATE" : "BEGIN");
  try {
    work(lease);
    lease.run("COMMIT");
  } catch (...) {
    try {
      lease.run("ROLLBACK");
    } catch (...) {
      lease.discard();
    }
    throw;
  }
}

}  // namespace certctl::store
