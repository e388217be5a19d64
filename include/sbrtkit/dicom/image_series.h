#pragma once
/// Image series reading (CT, MR, PET: one single-frame file per slice). Slices are sorted by their
/// position along the row x column normal, so the returned geometry always has axes[2] = normal;
/// any patient orientation works (HFS, FFS, HFP, FFP, decubitus, oblique).

#include <filesystem>
#include <string>
#include <vector>

#include "sbrtkit/expected.h"
#include "sbrtkit/geometry.h"
#include "sbrtkit/volume.h"

namespace sbrtkit {

struct ImageSeries {
  std::string series_instance_uid;
  std::string frame_of_reference_uid;
  std::string modality;          // CT, MR, PT, ...
  std::string patient_position;  // PatientPosition (0018,5100), "" when absent
  ImageGeometry geometry;
  /// stored x RescaleSlope + RescaleIntercept, with each slice's own slope and intercept (HU for CT,
  /// the PET Units (0054,1001) for PET). Empty when pixels were not loaded.
  Volume<float> values;
  std::vector<std::string> sop_instance_uids;  // in slice order (k = 0, 1, ...)
};

/// Reads the files of one series. Errors: files of different series, frames of reference,
/// orientations, sizes or pixel spacings; two slices at the same position; non-uniform slice spacing
/// (ErrorCode::unsupported); slices not stacked along the normal. With load_pixels = false only the
/// headers are read and `values` stays empty.
Expected<ImageSeries> read_image_series(const std::vector<std::filesystem::path>& files,
                                        bool load_pixels = true);

}  // namespace sbrtkit
