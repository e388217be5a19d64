// The lesions label map: label = lesion id on the PET grid, the voxels a lesion holds at least half of.
#include "sbrtkit/pipelines/lesions_report.h"
#include "sbrtkit/io/nrrd_writer.h"

namespace sbrtkit {

Status write_label_map_nrrd(const std::filesystem::path& file, const LesionsReport& rep) {
  const ImageGeometry& g = rep.pet_grid;
  std::vector<std::uint16_t> labels(static_cast<std::size_t>(g.voxel_count()), 0);
  for (const auto& l : rep.lesions)
    for (std::size_t q = 0; q < l.voxels.index.size(); ++q)
      if (l.voxels.weight[q] >= 0.5f && labels[l.voxels.index[q]] == 0)
        labels[l.voxels.index[q]] = static_cast<std::uint16_t>(l.id);
  // The grid is the PET's, so is its frame of reference (positions in lesions.csv are planning-frame).
  return write_nrrd_labels(file, g, labels,
                           {.comments = {"sbrtkit lesions label map: label = lesion id (see lesions.csv)"},
                            .key_values = {{"frame_of_reference_uid", rep.pet_frame_of_reference_uid}}});
}

}  // namespace sbrtkit
