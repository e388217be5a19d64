#pragma once
/// RTDOSE reading: a grid-based dose becomes a `DoseVolume` placed in patient space. The grid axes
/// come straight from the file (no orientation is assumed): axes[0] = row direction cosine, axes[1] =
/// column direction cosine, axes[2] = direction of increasing frame index, which is minus the
/// row x column normal when GridFrameOffsetVector decreases.

#include <filesystem>
#include <string>

#include "sbrtkit/expected.h"
#include "sbrtkit/volume.h"

namespace sbrtkit {

struct RtDose {
  std::string file;
  std::string sop_instance_uid;
  std::string frame_of_reference_uid;
  std::string referenced_plan_uid;  // ReferencedRTPlanSequence (300C,0002), "" when absent
  std::string dose_type;            // DoseType (3004,0004): PHYSICAL, EFFECTIVE, ERROR
  std::string summation_type;       // DoseSummationType (3004,000A): PLAN, BEAM, FRACTION, ...
  enum class Units { gy, relative } units = Units::gy;  // DoseUnits (3004,0002)
  /// stored value x DoseGridScaling (3004,000E); Gy when units == gy, unitless when relative.
  DoseVolume dose;
};

/// Reads an RT Dose Storage object with grid-based dose.
/// GridFrameOffsetVector (3004,000C) is accepted in both forms of PS3.3 C.8.8.3.2: relative (first
/// element 0, offsets along the row x column normal) and absolute (first element equals the z of
/// ImagePositionPatient, axial orientation); increasing or decreasing. Offsets must be uniform
/// (else ErrorCode::unsupported). BitsAllocated 16 or 32, signed or unsigned. DoseUnits must be GY or
/// RELATIVE. A single-frame grid takes its slice spacing from SliceThickness (0018,0050) when
/// positive, else 1 mm.
Expected<RtDose> read_rtdose(const std::filesystem::path& file);

}  // namespace sbrtkit
