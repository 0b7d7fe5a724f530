#include "core/services/short_lived_expiry.h"

#include <spdlog/spdlog.h>

#include "core/domain/timestamps.h"
#include "core/services/audit_events.h"

namespace certctl::services {

ShortLivedExpiry::ShortLivedExpiry(JobStore& jobs, AuditLog& audit) : jobs_(jobs), audit_(audit) {}

int ShortLivedExpiry::run() {
  auto now = domain::nowRfc3339();
  auto expired = jobs_.expireShortLived(now);
  for (const auto& id : expired) {
    spdlog::info("short_lived_expiry: certificate {} expired", id);
    recordSystemEvent(audit_, "certificate.expired", "certificates", id,
                      {{"short_lived", true}, {"checked_at", now}});
  }
  return static_cast<int>(expired.size());
}

}  // namespace certctl::services
