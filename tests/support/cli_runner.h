#pragma once
// Runs the sbrtkit binary as a user would, capturing exit code, stdout and stderr.

#include <filesystem>
#include <string>
#include <vector>

namespace sbrtkit::testing {

struct CommandResult {
  int exit_code = -1;
  std::string out, err;
};

CommandResult run_sbrtkit(const std::vector<std::string>& arguments);

/// A fresh folder under the system temp directory, removed with its content on destruction.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }
  std::filesystem::path operator/(const std::string& name) const { return path_ / name; }

 private:
  std::filesystem::path path_;
};

std::string read_text(const std::filesystem::path& file);

}  // namespace sbrtkit::testing
