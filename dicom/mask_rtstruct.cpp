// Lesion occupancy -> RTSTRUCT on the planning CT's slices.
#include "sbrtkit/dicom/mask_rtstruct.h"

#include <fmt/format.h>

#include "sbrtkit/occupancy_contours.h"

namespace sbrtkit {

Expected<std::vector<std::string>> write_mask_rtstruct(const std::filesystem::path& file, const MaskRtStructInput& in) {
  if (in.images.sop_instance_uids.empty() ||
      static_cast<std::int64_t>(in.images.sop_instance_uids.size()) != in.image_grid.size()[2])
    return Error::bad_argument("RTSTRUCT referenced images",
                               fmt::format("{} slice UIDs (the image grid's slices)", in.image_grid.size()[2]),
                               std::to_string(in.images.sop_instance_uids.size()));
  StructureSet set;
  set.frame_of_reference_uid = in.study.frame_of_reference_uid;
  set.referenced_series_uid = in.images.series_instance_uid;
  set.label = in.label;
  std::vector<std::string> empty;
  for (std::size_t n = 0; n < in.rois.size(); ++n) {
    const MaskRoi& roi = in.rois[n];
    if (roi.name.size() > 64)
      return Error::bad_argument("RTSTRUCT ROIName (3006,0026)", "at most 64 characters", roi.name);
    Structure s;
    s.roi_number = int(n) + 1;
    s.name = roi.name;
    s.interpreted_type = roi.interpreted_type;
    s.color = std::array<int, 3>{roi.colour.r, roi.colour.g, roi.colour.b};
    s.contours = occupancy_contours(roi.grid, roi.voxels, roi.to_planning, in.image_grid, std::nullopt, roi.volume_mm3).contours;
    if (s.contours.empty()) empty.push_back(roi.name);
    set.structures.push_back(std::move(s));
  }
  RtStructWriteOptions options;
  options.series = in.series;
  options.roi_generation_algorithm = "AUTOMATIC";  // traced from a segmentation, not drawn
  auto written = write_rtstruct(file, in.study, set, in.images, options);
  if (!written) return written.error();
  return empty;
}

}  // namespace sbrtkit
