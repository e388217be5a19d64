#pragma once
// dciodvfy (dicom3tools) on a file sbrtkit wrote: its "Error" lines. Tests skip the check when it is not
// installed (scripts/bootstrap.sh installs it).
#include <array>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

namespace sbrtkit::testing {

/// dciodvfy output lines starting with "Error".
inline std::vector<std::string> dciodvfy_errors(const std::filesystem::path& file) {
  std::vector<std::string> errors;
  const std::string cmd = "dciodvfy '" + file.string() + "' 2>&1";
  FILE* pipe = ::popen(cmd.c_str(), "r");
  if (!pipe) return {"cannot run dciodvfy"};
  std::array<char, 4096> line{};
  while (std::fgets(line.data(), int(line.size()), pipe))
    if (std::string(line.data()).rfind("Error", 0) == 0) errors.emplace_back(line.data());
  ::pclose(pipe);
  return errors;
}

inline bool have_dciodvfy() { return std::system("command -v dciodvfy > /dev/null 2>&1") == 0; }

inline std::string join(const std::vector<std::string>& lines) {
  std::string out;
  for (const auto& l : lines) out += l;
  return out;
}

}  // namespace sbrtkit::testing
