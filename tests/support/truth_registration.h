#pragma once
// A Spatial Registration object made from the sample patient's ground truth: the PET study's frame
// registered into the planning frame with the generator's own transform (planning_to_frame_matrix).
#include <filesystem>
#include <nlohmann/json.hpp>

namespace sbrtkit::testing {

/// `truth`: ground_truth.json; `time_point`: 0 baseline, 1 follow-up. Throws if the file cannot be written.
void write_truth_registration(const nlohmann::json& truth, int time_point, const std::filesystem::path& file);

}  // namespace sbrtkit::testing
