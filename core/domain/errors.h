#pragma once

#include <stdexcept>
#include <string>

namespace certctl::domain {

// Errors that carry their HTTP meaning. Services throw them; the HTTP layer
// turns them into the JSON error envelope. Anything else becomes a 500.
enum class ErrorKind { BadRequest, NotFound, Conflict, Unauthorized, Forbidden, PayloadTooLarge,
                       Unavailable };

class ApiError : public std::runtime_error {
 public:
  ApiError(ErrorKind kind, std::string code, const std::string& message, std::string field = {})
      : std::runtime_error(message), kind_(kind), code_(std::move(code)), field_(std::move(field)) {}
  ErrorKind kind() const { return kind_; }
  const std::string& code() const { return code_; }
  const std::string& field() const { return field_; }

 private:
  ErrorKind kind_;
  std::string code_;
  std::string field_;
};

inline ApiError badRequest(const std::string& field, const std::string& message) {
  return ApiError(ErrorKind::BadRequest, "invalid_request", message, field);
}
inline ApiError notFound(const std::string& message) {
  return ApiError(ErrorKind::NotFound, "not_found", message);
}
inline ApiError conflict(const std::string& message) {
  return ApiError(ErrorKind::Conflict, "conflict", message);
}

}  // namespace certctl::domain
