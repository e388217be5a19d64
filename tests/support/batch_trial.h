#pragma once
// The trial the batch tests share: scripts/make_trial.sh with kTrialPatients small sample patients
// (patient_002 truncated RTDOSE, patient_003 without RTSTRUCT, patient_004 RTDOSE referencing
// patient_001's plan, text files everywhere). Generated once per sbrtkit binary and machine into the
// temp folder: every ctest test is its own process, and a small patient takes seconds to write.
#include <filesystem>
#include <string>

#include "support/cached_output.h"

namespace sbrtkit::testing {

inline constexpr int kTrialPatients = 20;

/// The trial folder (empty path when generation failed), shared by every test process of a build.
inline const std::filesystem::path& trial_dir() {
  static const std::filesystem::path dir =
      cached_output("batch-trial-" + std::to_string(kTrialPatients),
                    "bash " + shell_quoted(std::string(SBRTKIT_SOURCE_DIR) + "/scripts/make_trial.sh") + " {OUT} " +
                        std::to_string(kTrialPatients) + " " + shell_quoted(SBRTKIT_BINARY));
  return dir;
}

}  // namespace sbrtkit::testing
