#pragma once
// Shared conventions of the sbrtkit subcommands: exit codes, error printing, output destination.

#include <optional>
#include <string>
#include <vector>

#include "sbrtkit/expected.h"

namespace sbrtkit::cli {

/// Exit codes: 0 success; 1 the check itself failed (e.g. a major protocol deviation); 2 bad input.
inline constexpr int kExitOk = 0;
inline constexpr int kExitFailedCheck = 1;
inline constexpr int kExitBadInput = 2;

/// Prints "sbrtkit <command>: error: <message>" on stderr and returns kExitBadInput.
int report_error(const std::string& command, const Error& error);

/// Writes text to `output` atomically, or to stdout when no file is given.
int emit(const std::string& command, const std::optional<std::string>& output, const std::string& text);

/// "D95%[Gy], V20Gy[cc]" -> {"D95%[Gy]", "V20Gy[cc]"}.
std::vector<std::string> split_list(const std::string& comma_separated);

}  // namespace sbrtkit::cli
