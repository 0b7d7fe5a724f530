#pragma once

#include <stdexcept>
#include <string>

namespace certctl::sdk::deploy {

// How a deployment failed, in the terms a target plugin reports to the host
// (the ABI statuses, without depending on the plugin ABI here):
//  InvalidConfig  the target config is wrong (a path, a command, a field)
//  Rejected       the request is wrong (bad PEM, key does not match) or the
//                 server refused the new material in its config test
//  Retryable      reload, verification or I/O failed; everything was rolled back
//  Internal       a rollback failed: files may be left inconsistent
enum class FailureKind { InvalidConfig, Rejected, Retryable, Internal };

class DeployError : public std::runtime_error {
 public:
  DeployError(FailureKind kind, const std::string& message)
      : std::runtime_error(message), kind_(kind) {}

  FailureKind kind() const noexcept { return kind_; }

  static DeployError invalidConfig(const std::string& field, const std::string& why) {
    return {FailureKind::InvalidConfig, field + ": " + why};
  }
  static DeployError rejected(const std::string& m) { return {FailureKind::Rejected, m}; }

 private:
  FailureKind kind_;
};

}  // namespace certctl::sdk::deploy
