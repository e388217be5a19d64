#pragma once
// The trial the batch tests share: scripts/make_trial.sh with kTrialPatients small sample patients
// (patient_002 truncated RTDOSE, patient_003 without RTSTRUCT, patient_004 RTDOSE referencing
// patient_001's plan, text files everywhere). Generated once per sbrtkit binary and machine into the
// temp folder: every ctest test is its own process, and a small patient takes seconds to write.
#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <string>

#include "sbrtkit/pipelines/batch.h"

namespace sbrtkit::testing {

inline constexpr int kTrialPatients = 20;

inline std::string shell_quoted(const std::string& s) {
  std::string q = "'";
  for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}

/// The trial folder (empty path when generation failed). Keyed by the binary's modification time; a
/// file lock serialises test processes started in parallel (ctest -j).
inline const std::filesystem::path& trial_dir() {
  namespace fs = std::filesystem;
  static const fs::path dir = []() -> fs::path {
    const auto stamp = fs::last_write_time(SBRTKIT_BINARY).time_since_epoch().count();
    const fs::path cache =
        fs::temp_directory_path() / ("sbrtkit-batch-trial-" + std::to_string(kTrialPatients) + "-" +
                                     std::to_string(fnv1a64(std::to_string(stamp) + SBRTKIT_BINARY) & 0xffffffffu));
    const int lock = ::open((cache.string() + ".lock").c_str(), O_CREAT | O_RDWR, 0644);
    if (lock >= 0) ::flock(lock, LOCK_EX);
    if (!fs::exists(cache / "README.txt")) {
      const fs::path building = cache.string() + ".building";
      std::error_code ec;
      fs::remove_all(building, ec);
      const std::string command = "bash " + shell_quoted(std::string(SBRTKIT_SOURCE_DIR) + "/scripts/make_trial.sh") +
                                  " " + shell_quoted(building.string()) + " " + std::to_string(kTrialPatients) + " " +
                                  shell_quoted(SBRTKIT_BINARY) + " > /dev/null";
      if (std::system(command.c_str()) == 0) {
        fs::remove_all(cache, ec);
        fs::rename(building, cache, ec);
      }
    }
    if (lock >= 0) ::close(lock);
    return fs::exists(cache / "README.txt") ? cache : fs::path();
  }();
  return dir;
}

}  // namespace sbrtkit::testing
