// The DICOM objects `lesions` and `response` hand to the planning system: lesions on the planning CT
// and the follow-up-to-plan registration.
#include "sbrtkit/pipelines/lesion_exports.h"

#include <fmt/format.h>

#include "sbrtkit/dicom/dicom_index.h"
#include "sbrtkit/dicom/image_series.h"
#include "sbrtkit/dicom/mask_rtstruct.h"
#include "sbrtkit/dicom/patient_study.h"
#include "sbrtkit/dicom/seg_writer.h"
#include "sbrtkit/palette.h"
#include "sbrtkit/response.h"

namespace sbrtkit {
namespace {

std::string fit_lo(std::string s) { return s.size() > 64 ? s.substr(0, 64) : s; }  // LO: 64 characters

std::optional<std::string> uid_or_none(const std::string& uid) {
  return uid.empty() ? std::nullopt : std::optional<std::string>(uid);
}

/// The status of follow-up lesion `n`: the response row that links it.
std::string followup_status(const ResponseReport& rep, std::size_t n) {
  for (const auto& row : rep.assessment.lesions)
    if (row.followup && std::size_t(*row.followup) == n) return status_name(row.status);
  return "unassessed";
}

Expected<ExportNotes> write_rois(const std::filesystem::path& file, const std::optional<PlanningImages>& ct,
                                 std::vector<MaskRoi> rois, int series_number, const std::string& description) {
  if (!ct) return ExportNotes{fmt::format("{}: not written: the plan folder has no planning CT to draw on", file.string())};
  MaskRtStructInput in;
  in.study = ct->study;
  in.images = ct->series;
  in.image_grid = ct->grid;
  in.series.series_number = series_number;
  in.series.series_description = description;
  in.rois = std::move(rois);
  auto empty = write_mask_rtstruct(file, in);
  if (!empty) return empty.error();
  ExportNotes notes;
  for (const auto& name : *empty)
    notes.push_back(fmt::format("{}: ROI '{}' has no contour on the planning CT's slices", file.string(), name));
  return notes;
}

}  // namespace

Expected<std::optional<PlanningImages>> read_planning_images(const std::filesystem::path& plan_dir,
                                                             const std::optional<std::string>& plan_uid) {
  auto bundle = select_plan(find_plans(index_directory(plan_dir)), plan_uid);
  if (!bundle) return bundle.error();
  if (bundle->image_files.empty()) return std::optional<PlanningImages>{};
  auto headers = read_image_series(bundle->image_files, false);
  if (!headers) return headers.error();
  // The slices in the series reader's order (ascending along the normal), which is the grid's k.
  auto series = read_referenced_series(bundle->image_files);
  if (!series) return series.error();
  auto study = read_patient_study(bundle->image_files.front());
  if (!study) return study.error();
  return std::optional<PlanningImages>(PlanningImages{std::move(*study), std::move(*series), headers->geometry});
}

Expected<ExportNotes> export_lesions_rtstruct(const std::filesystem::path& file, const std::filesystem::path& plan_dir,
                                              const LesionsReport& rep) {
  auto ct = read_planning_images(plan_dir, uid_or_none(rep.plan_uid));
  if (!ct) return ct.error();
  std::vector<MaskRoi> rois;
  for (const auto& l : rep.lesions) {
    // covering_ptv is the nearest PTV; the signed distance says whether the lesion lies in it.
    std::string where = "no PTV";
    if (!l.covering_ptv.empty() && l.ptv_distance_mm)
      where = *l.ptv_distance_mm <= 0 ? "in " + l.covering_ptv
                                      : fmt::format("{:.0f} mm from {}", *l.ptv_distance_mm, l.covering_ptv);
    // A PET lesion's solid gets its MTV (the sub-voxel refinement of the voxels it was segmented as);
    // an ROI lesion keeps the ROI's own volume, its occupancy.
    std::optional<double> volume;
    if (l.source == "PET" && l.uptake.mtv_cc > 0) volume = l.uptake.mtv_cc * 1000;
    rois.push_back({fit_lo(fmt::format("L{} {} {}", l.id, l.name, where)), "GTV", lesion_colour(l.id), rep.pet_grid,
                    l.voxels, rep.mapping.to_planning, volume});
  }
  return write_rois(file, *ct, std::move(rois), output_series::lesions_rtstruct, "sbrtkit lesions");
}

Expected<ExportNotes> export_followup_lesions_rtstruct(const std::filesystem::path& file,
                                                       const std::filesystem::path& plan_dir, const ResponseReport& rep) {
  const LesionsReport& fu = rep.followup.report;
  auto ct = read_planning_images(plan_dir, uid_or_none(fu.plan_uid));
  if (!ct) return ct.error();
  std::vector<MaskRoi> rois;
  for (std::size_t n = 0; n < fu.lesions.size(); ++n) {
    const LesionRow& l = fu.lesions[n];
    const std::string status = followup_status(rep, n);
    StatusRgb c{128, 128, 128};
    for (const auto& row : rep.assessment.lesions)
      if (row.followup && std::size_t(*row.followup) == n) c = status_colour(row.status);
    // The volume response.json reports for the lesion (its voxels' occupancy): the default.
    rois.push_back({fit_lo(fmt::format("{} {}", l.name, status)), "GTV", Rgb{c.r, c.g, c.b}, fu.pet_grid, l.voxels,
                    fu.mapping.to_planning, std::nullopt});
  }
  return write_rois(file, *ct, std::move(rois), output_series::followup_lesions_rtstruct, "sbrtkit follow-up lesions");
}

Expected<ExportNotes> export_response_registration(const std::filesystem::path& file,
                                                   const std::filesystem::path& plan_dir, const ResponseReport& rep) {
  const LesionsReport& fu = rep.followup.report;
  auto ct = read_planning_images(plan_dir, uid_or_none(fu.plan_uid));
  if (!ct) return ct.error();
  if (!*ct) return ExportNotes{fmt::format("{}: not written: the plan folder has no planning CT", file.string())};
  const std::string& planning_frame = (*ct)->study.frame_of_reference_uid;
  if (fu.pet_frame_of_reference_uid == planning_frame)
    return ExportNotes{fmt::format("{}: not written: the follow-up PET is in the planning frame already", file.string())};
  SpatialRegistrationWriteOptions options;
  options.series.series_number = output_series::response_registration;
  options.series.series_description = "sbrtkit response: PET studies to plan";
  options.frames.push_back({fu.pet_frame_of_reference_uid, {fu.mapping.to_planning}});
  const LesionsReport& bl = rep.baseline.report;
  if (bl.pet_frame_of_reference_uid != planning_frame && bl.pet_frame_of_reference_uid != fu.pet_frame_of_reference_uid)
    options.frames.push_back({bl.pet_frame_of_reference_uid, {bl.mapping.to_planning}});
  auto written = write_spatial_registration(file, (*ct)->study, options);
  if (!written) return written.error();
  return ExportNotes{};
}

}  // namespace sbrtkit
