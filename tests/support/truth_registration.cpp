#include "truth_registration.h"

#include <stdexcept>

#include "sbrtkit/dicom/rt_writer.h"

namespace sbrtkit::testing {

void write_truth_registration(const nlohmann::json& truth, int time_point, const std::filesystem::path& file) {
  const auto& tp = truth["pet"][time_point];
  const auto& m = tp["planning_to_frame"]["planning_to_frame_matrix"];
  RigidMap planning_to_frame;
  for (int r = 0; r < 3; ++r)
    for (int c = 0; c < 3; ++c) planning_to_frame.rotation[3 * r + c] = m[r][c].get<double>();
  planning_to_frame.translation_mm = {m[0][3].get<double>(), m[1][3].get<double>(), m[2][3].get<double>()};
  PatientStudy study;
  study.frame_of_reference_uid = truth["planning"]["frame_of_reference_uid"].get<std::string>();
  SpatialRegistrationWriteOptions o;
  o.frames = {{tp["frame_of_reference_uid"].get<std::string>(), {planning_to_frame.inverse()}}};
  if (auto uid = write_spatial_registration(file, study, o); !uid) throw std::runtime_error(uid.error().message());
}

}  // namespace sbrtkit::testing
