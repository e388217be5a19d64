#pragma once
/// Numbers in core's messages, one format for all of them: printf's %g (6 significant digits, no
/// trailing zeros; "1e+06" beyond), or fewer digits where a message shows a measured value.

#include <cstdio>
#include <string>

namespace sbrtkit::detail {

inline std::string number_text(double value, int significant_digits = 6) {
  char buffer[40];
  std::snprintf(buffer, sizeof buffer, "%.*g", significant_digits, value);
  return buffer;
}

}  // namespace sbrtkit::detail
