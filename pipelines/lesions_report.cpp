// `sbrtkit lesions` use case: reads the plan and the PET, maps the PET frame into the planning frame,
// finds lesions (ROIs and/or PET segmentation), measures uptake on the PET grid and dose on the plan.
#include "sbrtkit/pipelines/lesions_report.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <unordered_map>

#include "sbrtkit/contour_stack.h"
#include "sbrtkit/dicom/dicom_index.h"
#include "sbrtkit/dicom/image_series.h"
#include "sbrtkit/dicom/pet_suv.h"
#include "sbrtkit/dicom/rtdose.h"
#include "sbrtkit/dicom/rtplan.h"
#include "sbrtkit/dicom/rtstruct.h"
#include "sbrtkit/dicom/spatial_registration.h"
#include "sbrtkit/dvh_engine.h"
#include "sbrtkit/metric.h"
#include "sbrtkit/radiobiology.h"
#include "sbrtkit/stack_distance.h"
#include "sbrtkit/structure_occupancy.h"
#include "sbrtkit/structure_samples.h"

namespace sbrtkit {
namespace {

LesionDose dose_metrics(const Dvh& dvh, std::optional<double> rx_gy, std::optional<int> fractions,
                        std::optional<double> alpha_beta, std::optional<double> eqd2_mean) {
  LesionDose d;
  d.outside_dose_grid_cc = dvh.outside_volume_cc();
  auto eval = [&](const char* text) -> std::optional<double> {
    auto m = parse_metric(text);
    return m ? evaluate(*m, dvh, rx_gy).value : std::nullopt;
  };
  d.mean_gy = eval("Mean[Gy]");
  d.min_gy = eval("Min[Gy]");
  d.max_gy = eval("Max[Gy]");
  d.d98_gy = eval("D98%[Gy]");
  d.d95_gy = eval("D95%[Gy]");
  d.d50_gy = eval("D50%[Gy]");
  d.d2_gy = eval("D2%[Gy]");
  d.d0_03cc_gy = eval("D0.03cc[Gy]");
  d.v100_pct = eval("V100%[%]");
  if (alpha_beta && fractions && d.d95_gy) {
    // D95 of a BED/EQD2 DVH is the BED/EQD2 of D95: the conversion is monotonic in dose.
    if (auto b = bed_gy(*d.d95_gy, *fractions, *alpha_beta)) d.bed_d95_gy = *b;
    if (auto e = eqd2_gy(*d.d95_gy, *fractions, *alpha_beta)) d.eqd2_d95_gy = *e;
    d.eqd2_mean_gy = eqd2_mean;
  }
  return d;
}

// ---- inputs --------------------------------------------------------------------------------------

std::vector<std::filesystem::path> series_files(const DicomIndex& index, const std::string& modality,
                                                const std::string& series_uid) {
  std::vector<std::filesystem::path> out;
  for (const auto& f : index.files)
    if (f.modality == modality && (series_uid.empty() || f.series_instance_uid == series_uid)) out.push_back(f.path);
  return out;
}

Expected<std::vector<std::filesystem::path>> pet_series_files(const std::filesystem::path& dir) {
  const DicomIndex index = index_directory(dir);
  std::vector<std::string> series;
  for (const auto& f : index.files)
    if (f.modality == "PT" && std::find(series.begin(), series.end(), f.series_instance_uid) == series.end())
      series.push_back(f.series_instance_uid);
  if (series.empty()) return Error::bad_argument("--pet", "a folder with a PET (PT) series", dir.string());
  if (series.size() > 1)
    return Error::bad_argument("--pet", "a folder with one PET series",
                               fmt::format("{} series: {}", series.size(), fmt::join(series, ", ")));
  return series_files(index, "PT", series.front());
}

/// CT series with the given frame of reference under dir (recursively).
std::vector<std::filesystem::path> ct_in_frame(const std::filesystem::path& dir, const std::string& for_uid) {
  const DicomIndex index = index_directory(dir);
  std::string series;
  for (const auto& f : index.files)
    if (f.modality == "CT" && f.frame_of_reference_uid == for_uid) {
      series = f.series_instance_uid;
      break;
    }
  return series.empty() ? std::vector<std::filesystem::path>{} : series_files(index, "CT", series);
}

std::vector<std::filesystem::path> registration_objects(const std::vector<std::filesystem::path>& dirs) {
  std::vector<std::filesystem::path> out;
  for (const auto& d : dirs)
    for (const auto& f : index_directory(d).files)
      if (f.modality == "REG") out.push_back(f.path);
  return out;
}

Expected<FrameMapping> map_pet_frame(const LesionsRequest& r, const std::string& pet_for, const std::string& plan_for,
                                     const std::vector<std::filesystem::path>& planning_ct) {
  FrameMapping m;
  if (r.given_to_planning) {
    m.to_planning = *r.given_to_planning;
    m.method = r.given_method.empty() ? "given by the caller" : r.given_method;
    return m;
  }
  if (r.registration.mode == RegistrationMode::none) {
    m.method = "none (--registration none): PET coordinates taken as planning coordinates";
    if (pet_for != plan_for) m.notes.push_back("the PET frame of reference differs from the plan's");
    return m;
  }
  if (r.registration.mode == RegistrationMode::file) {
    const std::string file = r.registration.file.string();
    auto sro = read_spatial_registration(r.registration.file);
    if (!sro) return sro.error();
    auto map = sro->map(pet_for, plan_for);
    if (!map)
      return Error::inconsistent(file, "(0070,0308) RegistrationSequence",
                                 "does not link the PET frame " + pet_for + " to the planning frame " + plan_for);
    m.to_planning = *map;
    m.method = "spatial registration " + file;
    return m;
  }
  if (r.registration.mode == RegistrationMode::automatic) {
    if (pet_for == plan_for) {
      m.method = "same frame of reference";
      return m;
    }
    for (const auto& file : registration_objects({r.plan_dir, r.pet_dir})) {
      auto sro = read_spatial_registration(file);
      if (!sro) {  // not applied, and said: a broken object must not pass unnoticed
        m.notes.push_back("spatial registration not used: " + sro.error().message());
        continue;
      }
      if (auto map = sro->map(pet_for, plan_for)) {
        m.to_planning = *map;
        m.method = "spatial registration " + file.string();
        return m;
      }
    }
  }
  // Rigid registration of the PET study's CT onto the planning CT.
  std::vector<std::filesystem::path> pet_ct;
  if (r.pet_ct_dir) {
    pet_ct = ct_in_frame(*r.pet_ct_dir, pet_for);
    if (pet_ct.empty())
      return Error::bad_argument("--pet-ct", "a CT series in the PET's frame of reference " + pet_for,
                                 r.pet_ct_dir->string());
  } else {
    pet_ct = ct_in_frame(r.pet_dir.parent_path(), pet_for);
    if (pet_ct.empty())
      return Error::bad_argument("--pet-ct",
                                 "the PET study's CT (the PET frame differs from the plan's and no spatial "
                                 "registration links them)",
                                 "no CT in the PET's frame next to " + r.pet_dir.string());
  }
  if (planning_ct.empty())
    return Error::bad_argument("--plan", "the planning CT series (for registration)", "no image series in the plan");
  auto fixed = read_image_series(planning_ct);
  if (!fixed) return fixed.error();
  auto moving = read_image_series(pet_ct);
  if (!moving) return moving.error();
  auto reg = register_rigid(fixed->values, moving->values, r.registration_options);
  if (!reg) return reg.error();
  m.to_planning = reg->moving_to_fixed;
  m.method = "rigid registration (ITK Mattes MI, versor rigid) of the PET study's CT to the planning CT";
  m.metric_value = reg->metric_value;
  m.notes.push_back(fmt::format("registration: {} iterations at the last level, {}", reg->iterations,
                                reg->stop_condition));
  return m;
}

// ---- the steps of run_lesions ----------------------------------------------------------------------

/// What the plan folder gives: structures, and the plan and dose when present.
struct PlanSide {
  StructureSet structures;
  std::optional<PlanInfo> plan;
  std::optional<RtDose> dose;
  std::vector<std::filesystem::path> image_files;  // planning CT
};

/// Files that could not be read are said, as dvh says them: a lesion table built without them must
/// not look complete.
void note_unreadable(const DicomIndex& index, const char* where, std::vector<std::string>& warnings) {
  for (const auto& e : index.unreadable)
    warnings.push_back(fmt::format("{}: skipped unreadable file: {}", where, e.message()));
}

Expected<PlanSide> read_plan_side(const LesionsRequest& r, LesionsReport& rep) {
  const DicomIndex plan_index = index_directory(r.plan_dir);
  note_unreadable(plan_index, "plan folder", rep.warnings);
  auto bundle = select_plan(find_plans(plan_index), r.plan_uid);
  if (!bundle) return bundle.error();
  for (const auto& p : bundle->problems) rep.warnings.push_back("plan folder: " + p);
  if (!bundle->rtstruct) return Error::bad_argument("--plan", "a plan folder with an RTSTRUCT", r.plan_dir.string());
  PlanSide side;
  side.image_files = bundle->image_files;
  rep.plan_uid = bundle->plan_uid();
  rep.rtstruct = bundle->rtstruct->path.string();
  auto structures = read_rtstruct(bundle->rtstruct->path);
  if (!structures) return structures.error();
  side.structures = std::move(*structures);
  if (bundle->rtplan) {
    rep.rtplan = bundle->rtplan->path.string();
    auto p = read_rtplan(bundle->rtplan->path);
    if (!p) return p.error();
    side.plan = std::move(*p);
  }
  if (!bundle->rtdoses.empty()) {
    rep.rtdose = bundle->rtdoses.front().path.string();
    if (bundle->rtdoses.size() > 1)
      rep.notes.push_back(fmt::format("{} RTDOSE objects linked to the plan; using {} (summation type {})",
                                      bundle->rtdoses.size(), bundle->rtdoses.front().path.string(),
                                      bundle->rtdoses.front().dose_summation_type));
    auto d = read_rtdose(bundle->rtdoses.front().path);
    if (!d) return d.error();
    if (d->units != RtDose::Units::gy)
      rep.warnings.push_back("RTDOSE in RELATIVE units: dose columns are relative");
    side.dose = std::move(*d);
  } else {
    rep.warnings.push_back("no RTDOSE in the plan folder: dose columns are empty");
  }
  return side;
}

/// The PET in SUV, with its series identity and files (in slice order) in the report.
Expected<PetSuvSeries> read_pet(const LesionsRequest& r, LesionsReport& rep) {
  auto pet_files = pet_series_files(r.pet_dir);
  if (!pet_files) return pet_files.error();
  auto pet = read_pet_suv(*pet_files, r.suv_overrides, r.suv_type);
  if (!pet) return pet.error();
  rep.suv = pet->calibration;
  rep.pet_series_uid = pet->series.series_instance_uid;
  rep.pet_frame_of_reference_uid = pet->series.frame_of_reference_uid;
  rep.pet_sop_instance_uids = pet->series.sop_instance_uids;
  rep.pet_grid = pet->suv.geometry;
  // File paths in slice order (the SOP instance UIDs are in slice order).
  const DicomIndex pi = index_directory(r.pet_dir);
  note_unreadable(pi, "PET folder", rep.warnings);
  std::map<std::string, std::filesystem::path> by_uid;
  for (const auto& f : pi.files) by_uid[f.sop_instance_uid] = f.path;
  for (const auto& uid : rep.pet_sop_instance_uids) rep.pet_files.push_back(by_uid[uid]);
  return pet;
}

/// ROIs matching the patterns that can have a volume (closed contours).
std::vector<const Structure*> select_with_volume(const StructureSet& set, const std::string& patterns) {
  std::vector<const Structure*> out;
  for (const Structure* s : set.select(patterns))
    if (s->has_closed_contours()) out.push_back(s);
  return out;
}

/// Exclusion mask on the PET grid (hot organs grown by the margin; see exclusion_mask); nullopt when
/// nothing is excluded.
Expected<std::optional<MaskVolume>> exclusion_on_pet(const LesionsRequest& r, const StructureSet& structures,
                                                     const RigidMap& planning_to_pet, const Volume<float>& suv,
                                                     LesionsReport& rep) {
  if (r.exclude_rois.empty()) return std::optional<MaskVolume>{};
  const auto rois = select_with_volume(structures, r.exclude_rois);
  if (rois.empty()) {
    // The default patterns name organs many plans do not contour: a note; a pattern the user gave: a warning.
    if (r.exclude_rois == PhysiologicalUptakeRules{}.exclude_rois)
      rep.notes.push_back("no ROI matches the physiological-uptake patterns '" + r.exclude_rois + "'");
    else
      rep.warnings.push_back("--exclude '" + r.exclude_rois + "' matches no ROI");
  }
  std::vector<LesionVoxels> organs;
  for (const Structure* s : rois) {
    auto occ = structure_occupancy(*s, planning_to_pet, suv);
    if (!occ) return occ.error();
    organs.push_back(std::move(*occ));
  }
  ExclusionMask ex = exclusion_mask(suv, organs, r.segmentation.seed_suv, r.exclude_margin_mm);
  std::vector<std::string> grown;
  for (std::size_t o = 0; o < rois.size(); ++o) {
    rep.notes.push_back(fmt::format("excluded from segmentation: ROI '{}' (SUVmax {:.3g})", rois[o]->name,
                                    ex.suv_max[o]));
    if (ex.grown[o]) grown.push_back(rois[o]->name);
    LesionsReport::Excluded e;
    e.kind = LesionsReport::Excluded::Kind::organ_roi;
    e.name = rois[o]->name;
    double weight = 0;
    for (float w : organs[o].weight) weight += w;
    e.volume_cc = weight * suv.geometry.voxel_volume_mm3() / 1000.0;
    e.suv_max = ex.suv_max[o];
    e.reason = fmt::format("ROI matching '{}': physiological uptake, masked out of the segmentation{}", r.exclude_rois,
                           ex.grown[o] ? fmt::format(" and grown by {:g} mm for its spill-out", r.exclude_margin_mm)
                                       : std::string());
    rep.excluded.push_back(std::move(e));
  }
  if (!grown.empty())
    rep.notes.push_back(fmt::format("grown by {:g} mm for their spill-out (SUVmax >= seed SUV {:g}): {}",
                                    r.exclude_margin_mm, r.segmentation.seed_suv, fmt::join(grown, ", ")));
  return std::optional<MaskVolume>(std::move(ex.mask));
}

using Rows = std::vector<std::pair<LesionRow, const Structure*>>;

/// One row per ROI matching --rois, measured on its occupancy of the PET grid.
Status add_roi_lesions(const LesionsRequest& r, const StructureSet& structures, const RigidMap& planning_to_pet,
                       const Volume<float>& suv, const MaskVolume* excluded, const PeakKernel& kernel,
                       const LesionSetOptions& measure, Rows& rows) {
  const auto rois = select_with_volume(structures, r.rois);
  if (rois.empty()) return Error::bad_argument("--rois", "a pattern matching at least one ROI", r.rois);
  std::vector<LesionVoxels> voxels;
  for (const Structure* s : rois) {
    auto occ = structure_occupancy(*s, planning_to_pet, suv);
    if (!occ) return occ.error();
    voxels.push_back(std::move(*occ));
  }
  const auto uptake = measure_lesion_set(suv, voxels, excluded, kernel, measure);
  for (std::size_t l = 0; l < rois.size(); ++l) {
    LesionRow row;
    row.source = "RTSTRUCT";
    row.name = rois[l]->name;
    row.uptake = uptake[l];
    row.threshold_suv = row.uptake.mtv_threshold_suv;
    row.voxels = std::move(voxels[l]);
    if (row.uptake.volume_cc <= 0) row.warnings.push_back("ROI lies outside the PET field of view");
    rows.emplace_back(std::move(row), rois[l]);
  }
  return ok();
}

/// The liver reference for liver-based thresholds: stated, or measured in the liver ROI.
Expected<std::optional<LiverReference>> liver_for(const LesionsRequest& r, const SegmentationOptions& so,
                                                  const StructureSet& structures, const RigidMap& planning_to_pet,
                                                  const Volume<float>& suv, LesionsReport& rep) {
  if (so.mode != ThresholdMode::liver) return std::optional<LiverReference>{};
  if (r.stated_liver) {
    rep.notes.push_back(fmt::format("liver reference stated on the command line: SUV mean {:g}, SD {:g}",
                                    r.stated_liver->mean_suv, r.stated_liver->sd_suv));
    return r.stated_liver;
  }
  const auto rois = select_with_volume(structures, r.liver_roi);
  if (rois.empty()) return Error::bad_argument("--liver-roi", "an ROI name matching the liver", r.liver_roi);
  auto occ = structure_occupancy(*rois.front(), planning_to_pet, suv);
  if (!occ) return occ.error();
  const LiverReference liver = liver_reference(suv, *occ);
  rep.notes.push_back(fmt::format("liver reference from ROI '{}': SUV mean {:.4g}, SD {:.4g}, {:.1f} cc",
                                  rois.front()->name, liver.mean_suv, liver.sd_suv, liver.volume_cc));
  return std::optional<LiverReference>(liver);
}

/// One row per lesion segmented on the PET.
Status add_pet_lesions(const LesionsRequest& r, const StructureSet& structures, const RigidMap& planning_to_pet,
                       const RigidMap& pet_to_planning, const Volume<float>& suv, const MaskVolume* excluded, const PeakKernel& kernel,
                       const LesionSetOptions& measure, LesionsReport& rep, Rows& rows) {
  SegmentationOptions so = r.segmentation;
  so.mode = *r.segment;
  auto liver = liver_for(r, so, structures, planning_to_pet, suv, rep);
  if (!liver) return liver.error();
  auto seg = segment_lesions(suv, excluded, so, *liver);
  if (!seg) return seg.error();
  for (const auto& n : seg->notes) rep.notes.push_back(n);
  const auto uptake = measure_lesion_set(suv, seg->lesions, excluded, kernel, measure, &*seg);
  for (std::size_t l = 0; l < seg->lesions.size(); ++l) {
    if (r.max_volume_cc > 0 && uptake[l].volume_cc > r.max_volume_cc) {
      LesionsReport::Excluded e;
      e.volume_cc = uptake[l].volume_cc;
      e.suv_max = uptake[l].suv_max;
      e.centroid_planning = pet_to_planning.apply(uptake[l].centroid);
      e.reason = fmt::format("larger than {:g} cc, taken as physiological uptake", r.max_volume_cc);
      rep.excluded.push_back(std::move(e));
      continue;
    }
    LesionRow row;
    row.source = "PET";
    row.uptake = uptake[l];
    row.threshold_suv = seg->threshold_suv[l];
    row.voxels = std::move(seg->lesions[l]);
    rows.emplace_back(std::move(row), nullptr);
  }
  return ok();
}

/// Occupied volume (cc) two lesions share on the PET grid: the sum over common voxels of the smaller weight.
double shared_cc(const LesionVoxels& a, const LesionVoxels& b, double voxel_cc) {
  std::unordered_map<std::int64_t, float> in_b;
  in_b.reserve(b.index.size());
  for (std::size_t q = 0; q < b.index.size(); ++q) in_b.emplace(b.index[q], b.weight[q]);
  double shared = 0;
  for (std::size_t q = 0; q < a.index.size(); ++q)
    if (auto it = in_b.find(a.index[q]); it != in_b.end()) shared += std::min(a.weight[q], it->second);
  return shared * voxel_cc;
}

/// One physical lesion is one row. A PET-segmented lesion is the RTSTRUCT lesion it lies in when its
/// hottest voxel is in the ROI (occupancy >= 0.5) or the two share at least half of the smaller volume;
/// the ROI row stays (contoured volume, contour-stack DVH), becomes "RTSTRUCT+PET" and keeps the
/// segmented volume; the PET row goes, with a note.
void merge_same_lesions(const ImageGeometry& pet_grid, Rows& rows, LesionsReport& rep) {
  const double voxel_cc = pet_grid.voxel_volume_mm3() / 1000.0;
  Rows kept;
  for (auto& entry : rows) {
    auto& [pet_row, pet_roi] = entry;
    if (pet_row.source != "PET") continue;
    const std::int64_t hottest = pet_grid.linear_index(pet_row.uptake.suv_max_voxel);
    for (auto& [roi_row, roi] : rows) {
      if (roi == nullptr) continue;
      const auto& v = roi_row.voxels;  // indices ascending (structure_occupancy)
      const auto at = std::lower_bound(v.index.begin(), v.index.end(), hottest);
      const bool hottest_inside =
          at != v.index.end() && *at == hottest && v.weight[std::size_t(at - v.index.begin())] >= 0.5f;
      const double shared = shared_cc(pet_row.voxels, v, voxel_cc);
      const double smaller = std::min(pet_row.uptake.volume_cc, roi_row.uptake.volume_cc);
      if (!hottest_inside && !(smaller > 0 && shared >= 0.5 * smaller)) continue;
      roi_row.source = "RTSTRUCT+PET";
      roi_row.in_roi = roi_row.name;
      roi_row.segmented_volume_cc = roi_row.segmented_volume_cc.value_or(0) + pet_row.uptake.volume_cc;
      rep.notes.push_back(fmt::format("PET-segmented lesion of {:.3f} cc (SUVmax {:.2f}) is ROI '{}' ({}): one row",
                                      pet_row.uptake.volume_cc, pet_row.uptake.suv_max, roi_row.name,
                                      hottest_inside ? "its hottest voxel lies in the ROI"
                                                     : fmt::format("{:.0f}% of the smaller volume shared",
                                                                   100 * shared / smaller)));
      pet_row.source.clear();  // merged: dropped below
      break;
    }
  }
  for (auto& entry : rows)
    if (!entry.first.source.empty()) kept.push_back(std::move(entry));
  rows = std::move(kept);
}

struct Ptv {
  const Structure* s;
  StackDistance distance;
  std::optional<double> rx;
};

/// Every planning target with its distance solid and its prescription from the plan's dose references.
Expected<std::vector<Ptv>> planning_targets(const StructureSet& structures, const std::optional<PlanInfo>& plan) {
  std::vector<Ptv> ptvs;
  for (const auto& s : structures.structures) {
    if (!s.is_planning_target() || !s.has_closed_contours()) continue;
    auto st = build_contour_stack(s, EndCap::half, 0);
    if (!st) return st.error();
    std::optional<double> rx;
    if (plan)
      for (const auto& dr : plan->dose_references)
        if (dr.referenced_roi_number && *dr.referenced_roi_number == s.roi_number) rx = dr.target_prescription_gy;
    ptvs.push_back({&s, StackDistance(*st), rx});
  }
  return ptvs;
}

/// Planning-frame placement of a row: centroid, SUVpeak centre, nearest PTV by signed distance.
void place(LesionRow& row, const ImageGeometry& g, const RigidMap& pet_to_planning, const std::vector<Ptv>& ptvs) {
  row.centroid_planning = pet_to_planning.apply(row.uptake.centroid);
  row.suv_peak_planning = pet_to_planning.apply(g.to_patient(row.uptake.suv_peak.centre));
  // PERCIST's sphere is centred in the lesion but may reach beyond it: above SUVmax, it is measuring a
  // hotter neighbour (another lesion, an organ), which the reader should know.
  if (row.uptake.suv_peak.suv > row.uptake.suv_max)
    row.warnings.push_back(fmt::format("SUVpeak {:.3g} above SUVmax {:.3g}: the 1 cc sphere takes in hotter tissue "
                                       "next to the lesion",
                                       row.uptake.suv_peak.suv, row.uptake.suv_max));
  double best = std::numeric_limits<double>::infinity();
  for (const auto& p : ptvs) {
    const double d = p.distance.signed_distance_mm(row.centroid_planning);
    if (d < best) {
      best = d;
      row.covering_ptv = p.s->name;
      row.ptv_distance_mm = d;
      row.prescription_gy = p.rx;
    }
  }
}

struct DoseContext {
  const DoseVolume& dose;
  const DoseField& field;
  std::optional<int> fractions;
  std::optional<double> alpha_beta_gy;
  bool eqd2() const { return fractions && alpha_beta_gy; }
};

/// EQD2 mean of a row from the samples of its DVH; a failure is a warning naming the ROI and the reason,
/// never a silently empty column.
std::optional<double> eqd2_mean_of(const Expected<StructureSamples>& samples, const DoseContext& c,
                                   const std::string& what, LesionRow& row) {
  if (!samples) {
    row.warnings.push_back(fmt::format("EQD2 mean not computed for {}: {}", what, samples.error().message()));
    return std::nullopt;
  }
  auto mean = eqd2_mean_gy(*samples, *c.fractions, *c.alpha_beta_gy);
  if (!mean) row.warnings.push_back(fmt::format("EQD2 mean not computed for {}: no part of it lies in the dose grid", what));
  return mean;
}

/// Dose metrics of a row: ROI lesions by the contour-stack DVH, PET lesions by the region DVH of their
/// voxels mapped into the planning frame (the same engine).
Status dose_row(LesionRow& row, const Structure* roi, const ImageGeometry& g, const RigidMap& pet_to_planning,
                const DoseContext& c) {
  std::optional<double> eqd2_mean;
  Expected<StructureDvh> dvh = roi ? compute_dvh(*roi, c.field)
                                   : compute_region_dvh(g, row.voxels, pet_to_planning, c.field);
  if (!dvh) return roi ? dvh.error().with_context("ROI '" + roi->name + "'") : dvh.error().with_context(row.name);
  if (c.eqd2()) {
    if (roi)
      eqd2_mean = eqd2_mean_of(sample_structure(*roi, c.dose), c, "ROI '" + roi->name + "'", row);
    else
      eqd2_mean = eqd2_mean_of(sample_region(g, row.voxels, pet_to_planning, c.dose), c, row.name, row);
  }
  row.dose = dose_metrics(dvh->dvh, row.prescription_gy, c.fractions, c.alpha_beta_gy, eqd2_mean);
  if (roi)
    for (const auto& w : dvh->warnings) row.warnings.push_back(w.text);
  if (row.dose.outside_dose_grid_cc > 0)
    row.warnings.push_back(fmt::format("{:.3f} cc outside the dose grid", row.dose.outside_dose_grid_cc));
  return ok();
}

}  // namespace

RegistrationChoice parse_registration_choice(const std::string& text) {
  if (text == "auto") return {RegistrationMode::automatic, {}};
  if (text == "none") return {RegistrationMode::none, {}};
  if (text == "rigid") return {RegistrationMode::rigid, {}};
  return {RegistrationMode::file, text};
}

Expected<LesionsReport> run_lesions(const LesionsRequest& r) {
  const auto stage = [&r](const char* what) {
    if (r.on_stage) r.on_stage(what);
  };
  LesionsReport rep;
  stage("reading the plan");
  auto side = read_plan_side(r, rep);
  if (!side) return side.error();
  stage("reading the PET");
  auto pet = read_pet(r, rep);
  if (!pet) return pet.error();
  stage("mapping the PET into the planning frame");

  auto mapping = map_pet_frame(r, pet->series.frame_of_reference_uid, side->structures.frame_of_reference_uid,
                               side->image_files);
  if (!mapping) return mapping.error();
  rep.mapping = *mapping;
  rep.planning_frame_of_reference_uid = side->structures.frame_of_reference_uid;
  const RigidMap pet_to_planning = rep.mapping.to_planning;
  const RigidMap planning_to_pet = pet_to_planning.inverse();
  const Volume<float>& suv = pet->suv;

  stage("segmenting and measuring the lesions");
  auto exclude = exclusion_on_pet(r, side->structures, planning_to_pet, suv, rep);
  if (!exclude) return exclude.error();
  const MaskVolume* excluded = *exclude ? &**exclude : nullptr;
  const PeakKernel kernel = make_peak_kernel(suv.geometry);
  LesionSetOptions measure;
  measure.mtv_percent = r.mtv_percent;
  measure.sub_voxel = r.mtv_sub_voxel;
  measure.segmentation = r.segmentation;
  Rows rows;
  if (!r.rois.empty())
    if (auto s = add_roi_lesions(r, side->structures, planning_to_pet, suv, excluded, kernel, measure, rows); !s)
      return s.error();
  if (r.segment)
    if (auto s = add_pet_lesions(r, side->structures, planning_to_pet, pet_to_planning, suv, excluded, kernel, measure, rep, rows); !s)
      return s.error();
  merge_same_lesions(suv.geometry, rows, rep);

  stage("planned dose of each lesion");
  auto ptvs = planning_targets(side->structures, side->plan);
  if (!ptvs) return ptvs.error();
  const std::optional<int> fractions = side->plan ? side->plan->fractions : std::nullopt;
  std::optional<DoseField> field;
  if (side->dose) field.emplace(side->dose->dose);
  int id = 0;
  for (auto& [row, roi] : rows) {
    row.id = ++id;
    if (row.name.empty()) row.name = fmt::format("PET_{}", row.id);
    place(row, suv.geometry, pet_to_planning, *ptvs);
    if (!row.prescription_gy && side->plan) row.prescription_gy = side->plan->prescription_gy();
    row.fractions = fractions;
    if (!field) continue;
    const DoseContext context{side->dose->dose, *field, fractions, r.alpha_beta_gy};
    if (auto s = dose_row(row, roi, suv.geometry, pet_to_planning, context); !s) return s.error();
  }
  for (auto& [row, roi] : rows) rep.lesions.push_back(std::move(row));
  rep.notes.push_back("PET measured on its native grid; centroids in planning-frame patient coordinates (LPS, mm)");
  rep.pet_suv = std::move(pet->suv);  // kept for the pictures: the PET is not read twice
  return rep;
}

}  // namespace sbrtkit
