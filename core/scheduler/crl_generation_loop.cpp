#include "core/scheduler/crl_generation_loop.h"

#include <spdlog/spdlog.h>

namespace certctl::scheduler {

CrlGenerationLoop::CrlGenerationLoop(services::CrlService& crls, std::chrono::milliseconds interval)
    : loop_({"crl_generation", interval, std::chrono::milliseconds(0)}, [&crls, interval] {
        // A little under the interval: a run that starts a few seconds early
        // must not skip a CRL that is due.
        const auto minAge = std::chrono::duration_cast<std::chrono::seconds>(interval * 9 / 10);
        auto summary = crls.regenerateAll(minAge);
        if (summary.generated > 0)
          spdlog::info("crl_generation: {} CRLs signed, {} still fresh", summary.generated,
                       summary.skipped);
      }) {}

}  // namespace certctl::scheduler
