#pragma once
// Voxels of each response row, shared by the label map, SEG, MIP and VTP writers.
#include <cstdint>
#include <string>
#include <vector>

#include "sbrtkit/pipelines/response_report.h"

namespace sbrtkit {

struct ResponseVoxels {
  int row = 0;  // index into assessment.lesions
  ResponseStatus status = ResponseStatus::stable;
  std::string name;
  const ImageGeometry* grid = nullptr;  // the lesion's own PET grid
  RigidMap to_planning;                 // that grid's frame -> planning frame
  std::vector<std::int64_t> index;      // on its own grid (weight >= 0.5)
  std::vector<std::int64_t> followup_index;  // on the follow-up grid (vanished lesions mapped), ascending
};

std::vector<ResponseVoxels> response_voxels(const ResponseReport& report);

}  // namespace sbrtkit
