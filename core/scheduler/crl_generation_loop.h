#pragma once

#include <chrono>

#include "core/scheduler/periodic_loop.h"
#include "core/services/crl_service.h"

namespace certctl::scheduler {

// crlGenerationLoop (seed 001): re-signs every issuer's CRL each
// CERTCTL_CRL_GENERATION_INTERVAL, so relying parties always find a fresh one
// in crl_cache. Its first run is at start-up; an issuer whose stored CRL is
// younger than the interval (a restart) is left alone until it is due.
class CrlGenerationLoop {
 public:
  CrlGenerationLoop(services::CrlService& crls, std::chrono::milliseconds interval);

  void start() { loop_.start(); }
  void stop() { loop_.stop(); }
  PeriodicLoop& loop() { return loop_; }

 private:
  PeriodicLoop loop_;
};

}  // namespace certctl::scheduler
