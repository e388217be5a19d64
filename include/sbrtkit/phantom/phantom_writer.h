#pragma once
/// Writes the synthetic mCRPC patient (phantom.h) as DICOM plus its ground truth:
///   DIR/planning/ct/CT_*.dcm, DIR/planning/rtstruct.dcm, rtplan.dcm, rtdose.dcm  (one frame of reference)
///   DIR/baseline/ct/, DIR/baseline/pet/      (PET/CT before SBRT, its own study and frame of reference)
///   DIR/followup/ct/, DIR/followup/pet/      (PET/CT months later, shifted and rotated)
///   DIR/ground_truth.json                    (volumes, prescriptions, lesions, transforms, expectations)
/// The same seed and size give the same bytes: UIDs are derived from them, nothing depends on the clock.
///   auto s = write_phantom({.out_dir = "sample-data/generated/patient", .seed = 1});
///   if (!s) return s.error();

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "sbrtkit/expected.h"
#include "sbrtkit/phantom/phantom.h"

namespace sbrtkit {

struct PhantomOptions {
  std::filesystem::path out_dir;
  std::uint64_t seed = 1;
  phantom::PhantomSize size = phantom::PhantomSize::clinical;
};

struct PhantomSummary {
  std::filesystem::path out_dir;
  std::filesystem::path ground_truth;
  std::vector<std::filesystem::path> files;  // relative to out_dir, in writing order
  std::uintmax_t bytes = 0;
  double model_seconds = 0;  // anatomy, dose and PET rendering
  double write_seconds = 0;  // DICOM and JSON output
  std::vector<phantom::StructureTruth> structures;
  std::vector<phantom::ConstraintTruth> constraints;
};

/// Errors: out_dir not creatable or not writable; out_dir non-empty without a ground_truth.json from
/// an earlier run (a phantom folder is replaced, anything else is left alone); writer failures.
Expected<PhantomSummary> write_phantom(const PhantomOptions& options);

}  // namespace sbrtkit
