#include "sbrtkit/expected.h"

namespace sbrtkit {

std::string Error::message() const {
  std::string out;
  if (!file.empty()) out += file + ": ";
  if (!tag.empty()) out += tag + ": ";
  if (!expected.empty()) {
    out += "expected " + expected;
    out += found.empty() ? std::string(", found nothing") : ", found " + found;
  }
  if (!detail.empty()) {
    if (!expected.empty()) out += " (";
    out += detail;
    if (!expected.empty()) out += ")";
  }
  return out;
}

Error Error::io(std::string file, std::string detail) {
  return Error{ErrorCode::io, std::move(file), "", "", "", std::move(detail)};
}
Error Error::not_dicom(std::string file, std::string detail) {
  return Error{ErrorCode::not_dicom, std::move(file), "", "", "", std::move(detail)};
}
Error Error::missing_tag(std::string file, std::string tag) {
  return Error{ErrorCode::missing_tag, std::move(file), std::move(tag), "", "",
               "required attribute is missing or empty"};
}
Error Error::bad_value(std::string file, std::string tag, std::string expected, std::string found) {
  return Error{ErrorCode::bad_value, std::move(file), std::move(tag), std::move(expected),
               std::move(found), ""};
}
Error Error::unsupported(std::string file, std::string tag, std::string detail) {
  return Error{ErrorCode::unsupported, std::move(file), std::move(tag), "", "", std::move(detail)};
}
Error Error::inconsistent(std::string file, std::string tag, std::string detail) {
  return Error{ErrorCode::inconsistent, std::move(file), std::move(tag), "", "", std::move(detail)};
}
Error Error::bad_argument(std::string option, std::string expected, std::string found) {
  return Error{ErrorCode::bad_argument, "", std::move(option), std::move(expected), std::move(found), ""};
}
Error Error::bad_metric(std::string metric, std::string token, std::string expected) {
  return Error{ErrorCode::bad_metric, "", "metric '" + metric + "'", std::move(expected),
               "'" + token + "'", ""};
}

Error Error::with_context(const std::string& context) const {
  Error copy = *this;
  copy.detail = detail.empty() ? context : context + ": " + detail;
  return copy;
}

}  // namespace sbrtkit
