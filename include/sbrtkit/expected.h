#pragma once
/// Explicit errors for bad input: `Expected<T>` holds either a value or an `Error` that names the file,
/// the DICOM tag or metric token, what was expected and what was found. Bad DICOM is routine, so input
/// problems travel as values (one broken ROI must not abort a batch); asserts are kept for bugs.
/// C++20 has no std::expected, so this is a small one with the same interface.

#include <cassert>
#include <string>
#include <utility>
#include <variant>

namespace sbrtkit {

enum class ErrorCode {
  io,             // file missing, unreadable, truncated
  not_dicom,      // not a DICOM file at all
  missing_tag,    // a required attribute is absent or empty
  bad_value,      // an attribute is present but its value is unusable
  unsupported,    // valid DICOM that sbrtkit does not handle (said explicitly)
  inconsistent,   // objects that do not belong together (frame of reference, UIDs)
  bad_argument,   // command-line or API argument
  bad_metric,     // a DVH metric string that does not parse
};

struct Error {
  ErrorCode code = ErrorCode::io;
  std::string file;      // path of the offending file, empty when not file-related
  std::string tag;       // "(3004,000C) GridFrameOffsetVector", a metric token, an option name
  std::string expected;  // what was expected
  std::string found;     // what was found
  std::string detail;    // free text when the fields above do not say it all

  /// One line a user can act on: "file: (tag): expected X, found Y (detail)".
  std::string message() const;

  static Error io(std::string file, std::string detail);
  static Error not_dicom(std::string file, std::string detail);
  static Error missing_tag(std::string file, std::string tag);
  static Error bad_value(std::string file, std::string tag, std::string expected, std::string found);
  static Error unsupported(std::string file, std::string tag, std::string detail);
  static Error inconsistent(std::string file, std::string tag, std::string detail);
  static Error bad_argument(std::string option, std::string expected, std::string found);
  static Error bad_metric(std::string metric, std::string token, std::string expected);

  /// Same error with context prepended to `detail` (e.g. "ROI 3 'PTV_L3'").
  Error with_context(const std::string& context) const;
};

template <class T>
class [[nodiscard]] Expected {
 public:
  Expected(T value) : storage_(std::move(value)) {}          // NOLINT: implicit by design
  Expected(Error error) : storage_(std::move(error)) {}      // NOLINT: implicit by design

  bool has_value() const { return storage_.index() == 0; }
  explicit operator bool() const { return has_value(); }

  T& value() & { assert(has_value()); return std::get<0>(storage_); }
  const T& value() const& { assert(has_value()); return std::get<0>(storage_); }
  T&& value() && { assert(has_value()); return std::get<0>(std::move(storage_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T&& operator*() && { return std::move(*this).value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

  const Error& error() const { assert(!has_value()); return std::get<1>(storage_); }

 private:
  std::variant<T, Error> storage_;
};

/// Success-or-error for operations that produce no value.
using Status = Expected<std::monostate>;
inline Status ok() { return std::monostate{}; }

}  // namespace sbrtkit
