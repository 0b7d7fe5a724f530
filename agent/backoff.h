#pragma once

#include <algorithm>
#include <chrono>

namespace certctl::agent {

// Exponential backoff for talking to the server (seed 003: start at 1 s,
// cap at 5 min): every failure doubles the wait, a success resets it.
class Backoff {
 public:
  explicit Backoff(std::chrono::milliseconds initial = std::chrono::seconds(1),
                   std::chrono::milliseconds cap = std::chrono::minutes(5))
      : initial_(initial), cap_(cap), next_(initial) {}

  // The wait after one more failure.
  std::chrono::milliseconds failure() {
    auto wait = next_;
    next_ = std::min(cap_, next_ * 2);
    ++failures_;
    return wait;
  }
  void success() {
    next_ = initial_;
    failures_ = 0;
  }
  int failures() const { return failures_; }

 private:
  std::chrono::milliseconds initial_;
  std::chrono::milliseconds cap_;
  std::chrono::milliseconds next_;
  int failures_ = 0;
};

}  // namespace certctl::agent
