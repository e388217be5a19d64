// `sbrtkit response` use case: both PET studies through run_lesions (frame mapping, segmentation,
// uptake), lesions into the planning frame with their dose context, then core assess_response.
#include "sbrtkit/pipelines/response_report.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cctype>
#include <cmath>
#include <limits>
#include <thread>

#include "sbrtkit/dicom/dicom_index.h"
#include "sbrtkit/dicom/image_series.h"
#include "sbrtkit/dicom/rtdose.h"
#include "sbrtkit/dicom/rtstruct.h"
#include "sbrtkit/dvh_engine.h"

namespace sbrtkit {
namespace {


/// Registration options for this planning CT: the default pyramid (shrink 4, 2), with the metric sampling
/// bounded to about 40 000 points at the finest level (the count of a 128 x 128 planning CT at 25%), so a
/// 512 x 512 CT costs about as much per iteration as a 128 x 128 one. ITK's cost per iteration is linear in
/// the sample count; 40 000 random samples keep the Mattes MI histogram (32 x 32 bins) well populated.
RigidRegistrationOptions registration_options_for(const std::vector<std::filesystem::path>& planning_ct) {
  RigidRegistrationOptions o;
  if (planning_ct.empty()) return o;
  auto headers = read_image_series(planning_ct, false);
  if (!headers) return o;
  const double finest_voxels = double(headers->values.geometry.voxel_count()) / 8.0;  // shrink 2 in 3-D
  if (finest_voxels > 0) o.sampling_fraction = std::clamp(40000.0 / finest_voxels, 0.01, o.sampling_fraction);
  return o;
}

LesionsRequest lesions_request(const ResponseRequest& r, const std::filesystem::path& pet,
                               const std::optional<std::filesystem::path>& ct, const std::string& label) {
  LesionsRequest l;
  l.plan_dir = r.plan_dir;
  l.plan_uid = r.plan_uid;
  l.pet_dir = pet;
  l.pet_ct_dir = ct;
  l.registration = r.registration;
  l.registration_options = r.registration_options;
  l.segment = r.segmentation.options.mode;
  l.segmentation = r.segmentation.options;
  l.exclude_rois = r.segmentation.exclude_rois;
  l.exclude_margin_mm = r.segmentation.exclude_margin_mm;
  l.max_volume_cc = r.segmentation.max_volume_cc;
  if (r.on_stage) {
    l.on_stage = [prefix = label + ": ", sink = r.on_stage](const std::string& s) { sink(prefix + s); };
  }
  l.mtv_percent = r.segmentation.options.percent;
  return l;
}

ResponseTimePoint keep_lesions(LesionsReport rep, const char* prefix,
                               const DoseVolume* dose) {
  ResponseTimePoint tp;
  // Components above max_volume_cc were left out by run_lesions (the same rule as `lesions`).
  for (const auto& e : rep.excluded)
    if (e.kind == LesionsReport::Excluded::Kind::too_large)
      tp.dropped.push_back(fmt::format("{:.1f} cc component, SUVmax {:.2f}, at ({:.0f}, {:.0f}, {:.0f}) mm: {}", e.volume_cc,
                                       e.suv_max, e.centroid_planning.x, e.centroid_planning.y, e.centroid_planning.z,
                                       e.reason));
  std::vector<LesionRow> kept = std::move(rep.lesions);
  const ImageGeometry& g = rep.pet_grid;
  const RigidMap& to_plan = rep.mapping.to_planning;
  const Vec3 sp = g.spacing_mm();
  for (std::size_t n = 0; n < kept.size(); ++n) {
    LesionRow& row = kept[n];
    row.id = int(n) + 1;
    row.name = fmt::format("{}{}", prefix, row.id);
    ResponseLesion l;
    l.id = row.id;
    l.name = row.name;
    l.centroid = row.centroid_planning;
    l.volume_cc = row.uptake.volume_cc;
    l.suv_max = row.uptake.suv_max;
    l.suv_peak = row.uptake.suv_peak.suv;
    l.suv_mean = row.uptake.suv_mean;
    l.tlg = row.uptake.tlg;
    l.voxel_volume_mm3 = g.voxel_volume_mm3();
    l.voxel_size_mm = std::max({sp.x, sp.y, sp.z});
    for (std::size_t q = 0; q < row.voxels.index.size(); ++q) {
      if (row.voxels.weight[q] < 0.5f) continue;
      const std::int64_t v = row.voxels.index[q];
      l.points.push_back(to_plan.apply(g.to_patient(g.index_of(v))));
    }
    l.ptv = row.covering_ptv;
    l.ptv_distance_mm = row.ptv_distance_mm;
    l.prescription_gy = row.prescription_gy;
    if (dose) {
      l.centroid_dose_gy = dose_at(*dose, l.centroid);
      l.point_dose_gy.reserve(l.points.size());
      for (const auto& p : l.points) l.point_dose_gy.push_back(dose_at(*dose, p));  // nullopt outside the grid
    }
    tp.lesions.push_back(std::move(l));
  }
  rep.lesions = std::move(kept);
  tp.report = std::move(rep);
  return tp;
}

/// The follow-up PET measured inside every baseline lesion's volume (its voxel centres mapped from the
/// planning frame into the follow-up PET, nearest voxel), for the complete-response rule: a lesion the
/// follow-up segmentation missed is complete response only if its place is at background level. Voxels
/// within the shell's inner distance (the spill-out distance) of a follow-up lesion hold that lesion's
/// spill-out, not this one's uptake: they are left out and counted.
void measure_baseline_at_followup(ResponseTimePoint& base, const ResponseTimePoint& follow,
                                  const ResponseSegmentation& seg, const ResponseRules& rules) {
  const Volume<float>& suv = follow.report.pet_suv;
  const ImageGeometry& g = suv.geometry;
  if (g.voxel_count() == 0) return;
  const RigidMap planning_to_follow = follow.report.mapping.to_planning.inverse();
  const PeakKernel kernel = make_peak_kernel(g);
  const double spill_mm = seg.options.background_inner_mm;
  // Follow-up lesions are never background, and their spill-out zones are not another lesion's uptake.
  std::vector<std::int64_t> all_lesion_voxels;
  for (const auto& row : follow.report.lesions)
    for (std::size_t q = 0; q < row.voxels.index.size(); ++q)
      if (row.voxels.weight[q] >= 0.5f) all_lesion_voxels.push_back(row.voxels.index[q]);
  MaskVolume near_lesion(g, 0);
  for (auto n : all_lesion_voxels) near_lesion.voxels[std::size_t(n)] = 1;
  if (!all_lesion_voxels.empty()) {
    std::sort(all_lesion_voxels.begin(), all_lesion_voxels.end());
    for (auto n : voxels_around(g, all_lesion_voxels, -1, spill_mm)) near_lesion.voxels[std::size_t(n)] = 1;
  }
  auto nearest_followup = [&](PatientPoint planning_point) {
    std::string name;
    double best = std::numeric_limits<double>::infinity();
    for (const auto& l : follow.lesions)
      if (double d = norm(l.centroid - planning_point); d < best) best = d, name = l.name;
    return name;
  };
  for (auto& l : base.lesions) {
    std::vector<std::int64_t> place;
    for (const auto& p : l.points) {
      const PatientPoint q = planning_to_follow.apply(p);
      if (g.contains(q)) place.push_back(g.linear_index(g.nearest_voxel(q)));
    }
    std::sort(place.begin(), place.end());
    place.erase(std::unique(place.begin(), place.end()), place.end());
    if (place.empty()) continue;  // outside the follow-up field of view: not measured
    UptakeAtPlace at;
    std::vector<std::int64_t> own;
    for (auto n : place) {
      if (near_lesion.voxels[std::size_t(n)]) {
        ++at.voxels_near_other_lesion;
      } else {
        own.push_back(n);
        ++at.voxels_measured;
      }
    }
    if (at.voxels_near_other_lesion) at.nearest_followup_lesion = nearest_followup(l.centroid);
    if (!own.empty()) {
      for (auto n : own) at.suv_max = std::max(at.suv_max, double(suv.voxels[std::size_t(n)]));
      at.suv_peak = suv_peak(suv, own, kernel).suv;
      const auto bg = shell_background_stats(suv, place, &near_lesion, spill_mm, seg.options.background_outer_mm,
                                             rules.complete_response_background_percentile);
      if (!bg) continue;
      at.background_median_suv = bg->median_suv;
      at.background_level_suv = bg->percentile_suv;
    }
    l.followup_at_place = at;
  }
}

}  // namespace

Expected<ResponseReport> run_response(const ResponseRequest& r) {
  const auto t0 = std::chrono::steady_clock::now();
  if (auto s = validate_rules(r.rules); !s) return s.error();
  ResponseReport out;

  // Plan: PTVs and dose (run_lesions reads them too, but keeps them to itself).
  const DicomIndex plan_index = index_directory(r.plan_dir);
  auto bundle = select_plan(find_plans(plan_index), r.plan_uid);
  if (!bundle) return bundle.error();
  if (!bundle->rtstruct) return Error::bad_argument("--plan", "a plan folder with an RTSTRUCT", r.plan_dir.string());

  // Both time points (independent: two threads when allowed).
  std::optional<Expected<LesionsReport>> base_rep, follow_rep;
  ResponseRequest req = r;
  req.registration_options = registration_options_for(bundle->image_files);
  const LesionsRequest base_req = lesions_request(req, r.baseline_pet_dir, r.baseline_ct_dir, "baseline");
  const LesionsRequest follow_req = lesions_request(req, r.followup_pet_dir, r.followup_ct_dir, "follow-up");
  std::optional<Expected<StructureSet>> structures;
  std::optional<Expected<RtDose>> dose;
  {
    std::thread worker;
    if (r.parallel) worker = std::thread([&] { base_rep.emplace(run_lesions(base_req)); });
    structures.emplace(read_rtstruct(bundle->rtstruct->path));
    if (!bundle->rtdoses.empty()) dose.emplace(read_rtdose(bundle->rtdoses.front().path));
    follow_rep.emplace(run_lesions(follow_req));
    if (worker.joinable()) worker.join();
    if (!r.parallel) base_rep.emplace(run_lesions(base_req));
  }
  if (!*base_rep) return base_rep->error().with_context("baseline PET");
  if (!*follow_rep) return follow_rep->error().with_context("follow-up PET");
  if (!*structures) return structures->error();
  const DoseVolume* dose_gy = nullptr;
  if (dose) {
    if (!*dose) return dose->error();
    if ((*dose)->units != RtDose::Units::gy)
      out.warnings.push_back("RTDOSE in RELATIVE units: isodose rules compare relative dose to the Rx");
    dose_gy = &(*dose)->dose;
  } else {
    out.warnings.push_back("no RTDOSE: the treated and location rules use the PTVs only");
  }
  for (const auto& s : (*structures)->structures)
    if (s.is_planning_target() && s.has_closed_contours())
      out.ptvs.push_back(s);
  if (out.ptvs.empty()) out.warnings.push_back("no PTV in the RTSTRUCT: every lesion is out of field");

  out.baseline = keep_lesions(std::move(**base_rep), "B", dose_gy);
  out.followup = keep_lesions(std::move(**follow_rep), "F", dose_gy);
  measure_baseline_at_followup(out.baseline, out.followup, r.segmentation, r.rules);
  if (r.on_stage) r.on_stage("matching and classifying the lesions");
  auto a = assess_response(out.baseline.lesions, out.followup.lesions, r.rules);
  if (!a) return a.error();
  out.assessment = std::move(*a);

  out.rules_text = describe_rules(r.rules);
  const auto& so = r.segmentation.options;
  out.rules_text.push_back(fmt::format(
      "segmentation: {} (seed SUV {:g}, {:g}% of each lesion's SUVmax{}), min {:g} cc, max {:g} cc, excluded ROIs "
      "'{}' grown by {:g} mm",
      so.mode == ThresholdMode::absolute ? fmt::format("SUV >= {:g}", so.absolute_suv)
      : so.mode == ThresholdMode::liver  ? std::string("liver-based")
                                         : std::string("per-lesion % of SUVmax"),
      so.seed_suv, so.percent,
      so.local_background ? fmt::format(" above the median SUV {:g}-{:g} mm around it", so.background_inner_mm,
                                        so.background_outer_mm)
                          : std::string(),
      so.min_volume_cc, r.segmentation.max_volume_cc, r.segmentation.exclude_rois, r.segmentation.exclude_margin_mm));
  for (const auto* tp : {&out.baseline, &out.followup}) {
    const char* label = tp == &out.baseline ? "baseline" : "follow-up";
    out.notes.push_back(fmt::format("{} PET mapped by {}", label, tp->report.mapping.method));
    for (const auto& d : tp->dropped) out.notes.push_back(fmt::format("{}: dropped {}", label, d));
    for (const auto& w : tp->report.warnings) {
      // Both studies read the same plan folder: say its problems once, not once per study.
      if (w.rfind("plan folder: ", 0) == 0) {
        if (std::find(out.warnings.begin(), out.warnings.end(), w) == out.warnings.end()) out.warnings.push_back(w);
        continue;
      }
      out.warnings.push_back(fmt::format("{}: {}", label, w));
    }
  }
  out.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return out;
}

}  // namespace sbrtkit
