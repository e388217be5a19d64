#pragma once
/// Outputs appear whole or not at all: content goes to a temporary file in the target's folder,
/// which is then renamed over the target.

#include <filesystem>
#include <string_view>

#include "sbrtkit/expected.h"

namespace sbrtkit {

Status write_file_atomically(const std::filesystem::path& target, std::string_view content);

}  // namespace sbrtkit
