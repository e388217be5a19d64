#pragma once
/// RTSTRUCT reading: StructureSetROISequence (3006,0020), ROIContourSequence (3006,0039) and
/// RTROIObservationsSequence (3006,0080) become a `StructureSet` in patient coordinates (LPS, mm).
/// Contour points are kept exactly as stored; an ROI without ContourSequence is an empty structure.
/// The set's frame of reference comes from ReferencedFrameOfReferenceSequence (3006,0010), else from
/// the top-level FrameOfReferenceUID, else from the ROIs' ReferencedFrameOfReferenceUID.

#include <filesystem>

#include "sbrtkit/expected.h"
#include "sbrtkit/structure.h"

namespace sbrtkit {

/// Reads an RT Structure Set Storage object (with or without file meta header, any uncompressed
/// little-endian transfer syntax).
///   auto ss = read_rtstruct("RS.dcm");
///   if (!ss) return ss.error();
/// Errors (each names the file and the tag): not DICOM / truncated, wrong Modality or SOPClassUID,
/// missing required attributes, NumberOfContourPoints (3006,0046) disagreeing with ContourData
/// (3006,0050), a closed contour with fewer than 3 points, non-finite coordinates.
Expected<StructureSet> read_rtstruct(const std::filesystem::path& file);

}  // namespace sbrtkit
