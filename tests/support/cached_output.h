#pragma once
// Generated test inputs shared by every test process of one build. ctest runs each test as its own
// process; a sample patient takes seconds to write, so it is generated once into the temp folder, keyed
// by the sbrtkit binary's path, and regenerated when the binary is newer (the generator may have
// changed). A file lock serialises test processes started in parallel (ctest -j); the output is built
// under a temporary name and renamed into place, so a reader never sees half of it.
// Tests must treat the folder as read-only: copy what they modify.
#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "sbrtkit/pipelines/batch.h"
#include "core/fnv1a64.h"

namespace sbrtkit::testing {

inline std::string shell_quoted(const std::string& s) {
  std::string q = "'";
  for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}

/// Runs `command` (a shell command line; "{OUT}" stands for the folder to create) once per build and
/// returns the folder, or an empty path when the command failed.
inline std::filesystem::path cached_output(const std::string& key, const std::string& command) {
  namespace fs = std::filesystem;
  const fs::path cache =
      fs::temp_directory_path() / ("sbrtkit-" + key + "-" + std::to_string(detail::fnv1a64(SBRTKIT_BINARY) & 0xffffffffu));
  const std::string stamp = std::to_string(fs::last_write_time(SBRTKIT_BINARY).time_since_epoch().count());
  auto current = [&] {
    std::ifstream in(cache.string() + ".stamp");
    std::string seen;
    return fs::is_directory(cache) && std::getline(in, seen) && seen == stamp;
  };
  const int lock = ::open((cache.string() + ".lock").c_str(), O_CREAT | O_RDWR, 0644);
  if (lock >= 0) ::flock(lock, LOCK_EX);
  if (!current()) {
    const fs::path building = cache.string() + ".building";
    std::error_code ec;
    fs::remove_all(building, ec);
    std::string line = command;
    for (auto at = line.find("{OUT}"); at != std::string::npos; at = line.find("{OUT}"))
      line.replace(at, 5, shell_quoted(building.string()));
    if (std::system((line + " > /dev/null").c_str()) == 0) {
      fs::remove_all(cache, ec);
      fs::rename(building, cache, ec);
      std::ofstream(cache.string() + ".stamp") << stamp << "\n";
    }
  }
  const bool ok = current();
  if (lock >= 0) ::close(lock);
  return ok ? cache : fs::path();
}

/// The small sample patient of seed 1 (`sbrtkit phantom --size small --seed 1`), shared read-only.
inline const std::filesystem::path& shared_small_patient() {
  static const std::filesystem::path dir = cached_output(
      "phantom-small-seed1", shell_quoted(SBRTKIT_BINARY) + " phantom --out {OUT} --size small --seed 1");
  return dir;
}

}  // namespace sbrtkit::testing
