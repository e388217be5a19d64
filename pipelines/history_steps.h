#pragma once
// The steps of run_history (pipelines/history.cpp): placing frames, reading course doses, accumulating.
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "sbrtkit/dicom/image_series.h"
#include "sbrtkit/dicom/patient_courses.h"
#include "sbrtkit/expected.h"
#include "sbrtkit/io/alpha_beta_loader.h"
#include "sbrtkit/pipelines/history.h"

namespace sbrtkit::history_detail {

struct Placement {
  RigidMap to_reference;
  HistoryRegistration registration;
};

/// How a frame (`from_for`, with its CT when it has one) is mapped into the reference frame: the same
/// frame of reference, else a Spatial Registration object linking the two, else ITK rigid registration
/// of its CT onto the reference CT. `what` names it in messages ("course 1 (plan 1.2.3)", "PET study
/// 1.2.4 of 2024-05-01"). Errors: no way to place it (no CT and no registration object), ITK failures.
/// A CT-to-CT correlation below poor_correlation adds a warning naming `what`.
Expected<Placement> place_frame(const std::string& what, const std::string& from_for, const std::string& reference_for,
                                const std::vector<std::filesystem::path>& registration_files,
                                const ImageSeries* reference_ct, const ImageSeries* moving_ct,
                                const RigidRegistrationOptions& options, double poor_correlation,
                                std::vector<std::string>& warnings);

/// Registration options for this reference CT: metric samples bounded to about 40 000 at the finest
/// level, as `response` does (pipelines/response_report.cpp).
RigidRegistrationOptions bounded_options(const ImageGeometry& reference_ct, RigidRegistrationOptions base);

/// The course's whole dose in Gy: its PLAN dose, or the sum of its BEAM doses (same grid required).
/// RELATIVE units are scaled by the plan prescription (error without one).
Expected<DoseVolume> read_course_dose(const CourseFiles& course, std::optional<double> prescription_gy,
                                      std::vector<std::string>& notes);

/// Union grid, resampling, a/b and recovery maps, accumulation, per-structure statistics and the
/// outside-grid warnings. Fills report.accumulated, courses[].on_grid and report.structures.
Status accumulate_courses(HistoryReport& report, const std::vector<DoseVolume>& course_doses,
                          const AlphaBetaRules& rules, double single_plane_thickness_mm);

/// Cumulative limits of the protocol on the accumulated doses (EQD2 at each limit's a/b on demand).
Status judge_limits(HistoryReport& report, const Protocol& protocol, double single_plane_thickness_mm);

}  // namespace sbrtkit::history_detail
