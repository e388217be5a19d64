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
#include <fstream>
#include <string>

#include "sbrtkit/pipelines/batch.h"

namespace sbrtkit::testing {

inline constexpr int kTrialPatients = 20;

inline std::string shell_quoted(const std::string& s) {
  std::string q = "'";
  for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}

/// The trial folder (empty path when generation failed): one per build (keyed by the binary's path),
/// regenerated when the binary is newer than the trial (the phantom may have changed). A file lock
/// serialises test processes started in parallel (ctest -j).
inline const std::filesystem::path& trial_dir() {
  namespace fs = std::filesystem;
  static const fs::path dir = []() -> fs::path {
    const fs::path cache = fs::temp_directory_path() / ("sbrtkit-batch-trial-" + std::to_string(kTrialPatients) + "-" +
                                                        std::to_string(fnv1a64(SBRTKIT_BINARY) & 0xffffffffu));
    const fs::path stamp_file = cache / "README.txt";
    const std::string stamp = std::to_string(fs::last_write_time(SBRTKIT_BINARY).time_since_epoch().count());
    auto current = [&] {
      std::ifstream in(cache.string() + ".stamp");
      std::string seen;
      return fs::exists(stamp_file) && std::getline(in, seen) && seen == stamp;
    };
    const int lock = ::open((cache.string() + ".lock").c_str(), O_CREAT | O_RDWR, 0644);
    if (lock >= 0) ::flock(lock, LOCK_EX);
    if (!current()) {
      const fs::path building = cache.string() + ".building";
      std::error_code ec;
      fs::remove_all(building, ec);
      const std::string command = "bash " + shell_quoted(std::string(SBRTKIT_SOURCE_DIR) + "/scripts/make_trial.sh") +
                                  " " + shell_quoted(building.string()) + " " + std::to_string(kTrialPatients) + " " +
                                  shell_quoted(SBRTKIT_BINARY) + " > /dev/null";
      if (std::system(command.c_str()) == 0) {
        fs::remove_all(cache, ec);
        fs::rename(building, cache, ec);
        std::ofstream(cache.string() + ".stamp") << stamp << "\n";
      }
    }
    const bool ok = current();
    if (lock >= 0) ::close(lock);
    return ok ? cache : fs::path();
  }();
  return dir;
}

}  // namespace sbrtkit::testing
