#pragma once
/// DICOM objects for the planning system after `lesions` and `response`: the lesions as an RTSTRUCT on
/// the planning CT (`lesions_rtstruct.dcm`, `followup_lesions_rtstruct.dcm`) and the follow-up-to-plan
/// transform as a Spatial Registration (`registration.dcm`). Each carries the planning CT's patient,
/// study and frame of reference, so it is imported over that CT.
///
///   auto notes = export_lesions_rtstruct(out / "lesions_rtstruct.dcm", request.plan_dir, *report);

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "sbrtkit/dicom/rt_writer.h"
#include "sbrtkit/expected.h"
#include "sbrtkit/pipelines/lesions_report.h"
#include "sbrtkit/pipelines/response_report.h"

namespace sbrtkit {

/// The planning CT of the plan folder's plan (the bundle select_plan picks for plan_uid): headers only.
struct PlanningImages {
  PatientStudy study;       // the CT's patient, study and frame of reference
  ReferencedSeries series;  // its slices in slice order
  ImageGeometry grid;
};
/// nullopt when the plan has no image series. Errors: the folder's, the plan choice's, unreadable CT.
Expected<std::optional<PlanningImages>> read_planning_images(const std::filesystem::path& plan_dir,
                                                             const std::optional<std::string>& plan_uid);

/// What an export wants the user to know (nothing written, an ROI without contours), one line each.
using ExportNotes = std::vector<std::string>;

/// One ROI per lesion, "L<id> <name> in <PTV>" or "L<id> <name> <d> mm from <PTV>" (the nearest), coloured lesion_colour(id)
/// as in lesions_mip.png; a PET lesion's solid has its MTV, an ROI lesion's the ROI's volume. Not written (a note says so) when the plan has no planning CT.
Expected<ExportNotes> export_lesions_rtstruct(const std::filesystem::path& file, const std::filesystem::path& plan_dir,
                                              const LesionsReport& report);

/// One ROI per follow-up lesion, "<name> <status>" (the status of its response row), coloured by status as
/// in response_mip.png, mapped into the planning frame with the follow-up's mapping; each solid has the
/// volume response.json reports for the lesion.
Expected<ExportNotes> export_followup_lesions_rtstruct(const std::filesystem::path& file,
                                                       const std::filesystem::path& plan_dir, const ResponseReport& report);

/// The Spatial Registration of the follow-up PET frame into the planning frame (the map `response`
/// measured with), and of the baseline PET frame when it is another frame. Not written (a note says so)
/// when the follow-up is already in the planning frame or the plan has no planning CT.
Expected<ExportNotes> export_response_registration(const std::filesystem::path& file,
                                                   const std::filesystem::path& plan_dir, const ResponseReport& report);

}  // namespace sbrtkit
