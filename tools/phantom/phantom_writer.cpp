// Composition of the phantom model (core/phantom) with the DICOM writers, plus ground_truth.json.
#include "sbrtkit/phantom/phantom_writer.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>
#include <numbers>

#include "sbrtkit/dicom/rt_writer.h"
#include "sbrtkit/version.h"
#include "writer_support.h"

namespace sbrtkit {

namespace {

using nlohmann::ordered_json;
namespace fs = std::filesystem;
using namespace phantom;

using detail::matrix_json;
using detail::point_json;
using detail::to_float;
using detail::vec_json;

/// The phantom's grids are axial, slices along +z: said in the truth.
ordered_json grid_json(const ImageGeometry& g) {
  ordered_json j = detail::grid_json(g);
  j["orientation"] = "1\\0\\0\\0\\1\\0, slices along +z";
  return j;
}

ordered_json transform_json(const RigidTransform& t) {
  return {{"definition", "p_frame = Rz(rotation_z_deg) * p_planning + translation_mm (rotation about the frame z axis)"},
          {"rotation_z_deg", t.rotation_z_deg},
          {"translation_mm", vec_json(t.translation_mm)},
          {"planning_to_frame_matrix", matrix_json(t.matrix())}};
}

std::string relative_to(const fs::path& file, const fs::path& root) { return fs::relative(file, root).generic_string(); }

/// A folder we may write into: absent, empty, or holding an earlier phantom (whose parts are removed).
Status prepare_folder(const fs::path& dir) {
  std::error_code ec;
  if (fs::exists(dir, ec)) {
    if (!fs::is_directory(dir, ec)) return Error::bad_argument("--out", "a folder", dir.string() + " is a file");
    const bool empty = fs::directory_iterator(dir, ec) == fs::directory_iterator();
    if (!empty) {
      if (!fs::exists(dir / "ground_truth.json", ec))
        return Error::bad_argument("--out", "an empty folder or an earlier phantom folder (with ground_truth.json)",
                                   dir.string() + " holds other files");
      for (const char* part : {"planning", "baseline", "followup", "ground_truth.json"}) fs::remove_all(dir / part, ec);
      if (ec) return Error::io(dir.string(), "cannot remove the earlier phantom: " + ec.message());
    }
  }
  fs::create_directories(dir, ec);
  if (ec) return Error::io(dir.string(), "cannot create the folder: " + ec.message());
  return ok();
}

/// Everything the files are made of, computed before anything is written (the model normalised on this
/// size's dose grid, its contours, CT, dose, constraint truths and PET time points).
struct Scene {
  Model model;
  Grids grids;
  std::vector<double> planes;
  ContouredStructures contoured;
  CtVolume ct;
  DoseVolume dose;
  std::vector<ConstraintTruth> constraints;
  std::vector<PetTimePoint> time_points;
};

Scene build_scene(const PhantomOptions& options) {
  Scene s{build_model(options.seed, options.size), planning_grids(options.size), {}, {}, {}, {}, {}, {}};
  s.planes = plane_positions(s.grids.ct);
  s.contoured = contour_structures(s.model, s.planes);
  s.ct = render_ct(s.model, s.grids.ct, RigidTransform{});
  s.dose = render_dose(s.model, s.grids.dose);
  s.constraints = evaluate_constraints(s.model, s.planes);
  s.time_points = pet_time_points(s.model, options.size);
  return s;
}

/// The text every UID of this seed and size is derived from.
std::string uid_seed_text(const PhantomOptions& options) {
  return "sbrtkit-phantom/" + std::to_string(options.seed) + "/" + std::string(to_string(options.size));
}

/// The patient and the planning study; the PET/CT studies copy it and change what differs.
PatientStudy planning_study(const PhantomOptions& options) {
  PatientStudy planning;
  planning.patient_name = "PHANTOM^MCRPC";
  planning.patient_id = "SBRTKIT-MCRPC-" + std::to_string(options.seed);
  planning.birth_date = "19520314";
  planning.weight_kg = 80.0;
  planning.height_m = 1.78;
  planning.uid_seed = uid_seed_text(options) + "/planning";
  planning.study_instance_uid = make_uid(planning.uid_seed + "/study");
  planning.frame_of_reference_uid = make_uid(planning.uid_seed + "/frame-of-reference");
  planning.study_date = "20240122";
  planning.study_time = "083000";
  planning.study_id = "PLAN1";
  planning.study_description = "SBRT planning, oligoprogressive mCRPC";
  return planning;
}

/// The files written so far, relative to the phantom folder, in writing order.
struct WrittenFiles {
  fs::path root;
  std::vector<fs::path>& files;
  void add(const std::vector<fs::path>& written) {
    for (const auto& f : written) files.push_back(relative_to(f, root));
  }
  void add(const std::string& relative) { files.push_back(relative); }
};

/// UIDs of the planning objects, for ground_truth.json.
struct PlanningUids {
  std::string ct_series, rtstruct, rtplan, rtdose;
};

/// planning/ct, rtstruct.dcm, rtplan.dcm, rtdose.dcm: one frame of reference, each object referencing
/// the one before. Gives the structure set its frame and UID (the plan is made from it).
Expected<PlanningUids> write_planning(const PatientStudy& planning, Scene& scene, WrittenFiles& written) {
  const fs::path& root = written.root;
  CtWriteOptions ct_options;
  ct_options.series.series_number = 1;
  ct_options.series.series_description = "Planning CT";
  auto ct_series = write_ct_series(root / "planning" / "ct", planning, to_float(scene.ct), ct_options);
  if (!ct_series) return ct_series.error();
  written.add(ct_series->files);

  StructureSet& set = scene.contoured.set;
  set.frame_of_reference_uid = planning.frame_of_reference_uid;
  set.sop_instance_uid = make_uid(planning.uid_seed + "/rtstruct");
  RtStructWriteOptions rs_options;
  rs_options.series.series_number = 2;
  rs_options.series.series_description = "Structures";
  const ReferencedSeries images{ct_series->series_instance_uid, ct_series->sop_class_uid, ct_series->sop_instance_uids};
  auto rs = write_rtstruct(root / "planning" / "rtstruct.dcm", planning, set, images, rs_options);
  if (!rs) return rs.error();
  written.add("planning/rtstruct.dcm");

  PlanInfo plan = plan_info(scene.model, set);
  plan.sop_instance_uid = make_uid(planning.uid_seed + "/rtplan");
  plan.frame_of_reference_uid = planning.frame_of_reference_uid;
  plan.referenced_structure_set_uid = *rs;
  RtPlanWriteOptions rp_options;
  rp_options.series.series_number = 3;
  rp_options.series.series_description = "SBRT plan";
  auto rp = write_rtplan(root / "planning" / "rtplan.dcm", planning, plan, rp_options);
  if (!rp) return rp.error();
  written.add("planning/rtplan.dcm");

  RtDoseWriteOptions rd_options;
  rd_options.series.series_number = 4;
  rd_options.series.series_description = "Plan dose";
  rd_options.sop_instance_uid = make_uid(planning.uid_seed + "/rtdose");
  rd_options.referenced_plan_uid = *rp;
  auto rd = write_rtdose(root / "planning" / "rtdose.dcm", planning, scene.dose, rd_options);
  if (!rd) return rd.error();
  written.add("planning/rtdose.dcm");
  return PlanningUids{ct_series->series_instance_uid, *rs, *rp, *rd};
}

/// One PET lesion's truth: where it is in both frames, its uptake and the planned dose at its centre.
ordered_json lesion_json(const Model& model, const PetTimePoint& tp, const Lesion& l) {
  ordered_json j = {{"name", l.name},
                    {"status", l.status},
                    {"treated", l.treated},
                    {"target", l.target_key},
                    {"shape", "uniform ellipsoid, axis-aligned in the planning frame"},
                    {"centre_planning_mm", point_json(l.centre)},
                    {"centre_frame_mm", point_json(tp.planning_to_frame.apply(l.centre))},
                    {"semi_axes_mm", vec_json(l.semi_axes_mm)},
                    {"volume_cc", l.volume_cc()},
                    {"suv_max", l.suv},
                    {"suv_mean", l.suv},
                    {"activity_bq_per_ml", tp.tracer.bq_per_ml(l.suv)},
                    {"planned_dose_at_centre_gy", dose_gy_at(model, l.centre)}};
  for (const auto& t : model.targets)
    if (t.key == l.target_key) j["ptv_rho_at_centre"] = t.ptv.rho(l.centre);
  return j;
}

ordered_json tracer_json(const Radiopharmaceutical& tracer) {
  return {{"radiopharmaceutical", tracer.name},
          {"radionuclide", tracer.radionuclide},
          {"half_life_s", tracer.half_life_s},
          {"injected_dose_bq", tracer.injected_dose_bq},
          {"injection_datetime", tracer.injection_datetime},
          {"scan_date", tracer.scan_date},
          {"scan_time", tracer.scan_time},
          {"uptake_time_s", tracer.uptake_time_s},
          {"patient_weight_kg", tracer.patient_weight_kg},
          {"decayed_dose_bq", tracer.decayed_dose_bq()},
          {"bq_per_ml_per_suv", tracer.bq_per_ml(1.0)},
          {"suv_formula", "SUVbw = Bq/ml * weight_g / (injected_dose_bq * 2^(-uptake_time_s / half_life_s))"}};
}

/// The PET/CT study of time point n (its own study and frame of reference): low-dose CT, PET, and its
/// entry in ground_truth.json's "pet" list.
Expected<ordered_json> write_time_point(const PhantomOptions& options, const PatientStudy& planning, const Model& model,
                                        const PetTimePoint& tp, std::size_t n, WrittenFiles& written) {
  const fs::path& root = written.root;
  PatientStudy study = planning;
  study.uid_seed = uid_seed_text(options) + "/" + tp.label;
  study.study_instance_uid = make_uid(study.uid_seed + "/study");
  study.frame_of_reference_uid = make_uid(study.uid_seed + "/frame-of-reference");
  study.study_date = tp.study_date;
  study.study_time = tp.tracer.scan_time;
  study.study_id = "PET" + std::to_string(n + 1);
  study.study_description = "PSMA PET/CT " + tp.label;
  study.weight_kg = tp.tracer.patient_weight_kg;

  CtWriteOptions pct_options;
  pct_options.series.series_number = 1;
  pct_options.series.series_description = "Low-dose CT for attenuation correction";
  auto pct = write_ct_series(root / tp.label / "ct", study, to_float(render_ct(model, tp.ct_geometry, tp.planning_to_frame)),
                             pct_options);
  if (!pct) return pct.error();
  written.add(pct->files);

  PetWriteOptions pet_options;
  pet_options.series.series_number = 2;
  pet_options.series.series_description = "PSMA PET " + tp.label + " (AC)";
  pet_options.series_date = tp.tracer.scan_date;
  pet_options.series_time = tp.tracer.scan_time;
  pet_options.radiopharmaceutical_start_datetime = tp.tracer.injection_datetime;
  pet_options.injected_dose_bq = tp.tracer.injected_dose_bq;
  pet_options.half_life_s = tp.tracer.half_life_s;
  pet_options.radiopharmaceutical = tp.tracer.name;
  auto pet = write_pet_series(root / tp.label / "pet", study, render_pet(model, tp), pet_options);
  if (!pet) return pet.error();
  written.add(pet->files);

  ordered_json lesions = ordered_json::array();
  for (const auto& l : tp.lesions) lesions.push_back(lesion_json(model, tp, l));
  return ordered_json(
      {{"label", tp.label},
       {"study_instance_uid", study.study_instance_uid},
       {"frame_of_reference_uid", study.frame_of_reference_uid},
       {"study_date", tp.study_date},
       {"planning_to_frame", transform_json(tp.planning_to_frame)},
       {"tracer", tracer_json(tp.tracer)},
       {"background_suv",
        {{"soft_tissue", background_suv(Tissue::soft_tissue)},
         {"fat", background_suv(Tissue::fat)},
         {"marrow", background_suv(Tissue::marrow)},
         {"bladder_urine", background_suv(Tissue::urine)},
         {"kidney", background_suv(Tissue::kidney)},
         {"bowel", background_suv(Tissue::bowel)}}},
       {"pet_series_uid", pet->series_instance_uid},
       {"ct_series_uid", pct->series_instance_uid},
       {"pet_dir", tp.label + "/pet"},
       {"ct_dir", tp.label + "/ct"},
       {"pet_grid", grid_json(tp.pet_geometry)},
       {"psf",
        {{"fwhm_mm", tp.psf_fwhm_mm},
         {"definition", "separable Gaussian, each tap integrated over its voxel, applied after the lesions' "
                        "partial-volume rendering (activity = truth (*) box(voxel) (*) Gaussian (*) box(voxel))"}}},
       {"ct_grid", grid_json(tp.ct_geometry)},
       {"lesions", lesions}});
}

ordered_json structures_json(const std::vector<StructureTruth>& truth) {
  ordered_json structures = ordered_json::array();
  for (const auto& t : truth)
    structures.push_back({{"roi_number", t.def.roi_number},
                          {"name", t.def.name},
                          {"interpreted_type", t.def.interpreted_type},
                          {"volume_cc", t.volume_cc},
                          {"smooth_volume_cc", t.smooth_volume_cc},
                          {"planes", t.planes},
                          {"z_range_mm", ordered_json::array({t.z_min_mm, t.z_max_mm})},
                          {"description", t.def.note}});
  return structures;
}

/// One target's truth: its shapes, prescription and the dose model with its design values.
ordered_json target_json(const Model& model, const ContouredStructures& contoured, const Target& t) {
  const auto volume_of = [&](const std::string& name) {
    for (const auto& s : contoured.truth)
      if (s.def.name == name) return s.volume_cc;
    return 0.0;
  };
  ordered_json harmonics = ordered_json::array();
  for (const auto& h : t.gtv.harmonics)
    harmonics.push_back({{"order", h.order}, {"amplitude", h.amplitude}, {"phase_rad", h.phase_rad}});
  return ordered_json(
      {{"key", t.key},
       {"site", t.site},
       {"gtv", t.gtv_name},
       {"ptv", t.ptv_name},
       {"prescription_gy", t.prescription_gy},
       {"fractions", t.fractions},
       {"margin_mm", t.margin_mm},
       {"gtv_centre_mm", point_json(t.gtv.centre)},
       {"gtv_tilt_per_mm", ordered_json::array({t.gtv.tilt_x, t.gtv.tilt_y})},
       {"gtv_radius_mm", t.gtv.radius_mm},
       {"gtv_half_length_mm", t.gtv.half_length_mm},
       {"gtv_harmonics", harmonics},
       {"gtv_volume_cc", volume_of(t.gtv_name)},
       {"ptv_volume_cc", volume_of(t.ptv_name)},
       {"dose_model",
        {{"definition",
          "relative dose f(rho), rho = normalised distance to the PTV centre (1 on the PTV surface); "
          "inside rho100: hot - (hot - 1)(rho/rho100)^p; outside: (1 - s) exp(-k (rho - rho100)) + "
          "s exp(-(rho - rho100) R / L); p makes f C1 at rho100, k puts 50% at rho50"},
         {"normalisation",
          "rho100 placed (bisection) so that coverage_goal_v100_pct of the PTV contour stack reads >= Rx on "
          "the written dose grid with trilinear interpolation, as a planner normalises in the TPS"},
         {"rho100", t.rho100},
         {"rx_isodose_offset_mm", (t.rho100 - 1) * t.ptv.radius_mm},
         {"rho50", t.rho50()},
         {"hot_spot_relative", t.hot_spot},
         {"shoulder_power", t.shoulder_power},
         {"falloff_k", t.falloff_k},
         {"spill_fraction", t.spill_fraction},
         {"spill_length_mm", t.spill_length_mm},
         {"ptv_radius_mm", t.ptv.radius_mm},
         {"design_gradient_index", t.gradient_index()},
         {"design_r50", t.r50},
         {"coverage_goal_v100_pct", kCoverageGoalPct},
         {"design_coverage_v100_pct", t.grid_coverage_pct},
         {"dose_at_gtv_centre_gy", dose_gy_at(model, t.gtv.centre)}}}});
}

ordered_json constraints_json(const std::vector<ConstraintTruth>& constraints) {
  ordered_json constraint_json = ordered_json::array();
  for (const auto& c : constraints)
    constraint_json.push_back({{"structure", c.structure},
                               {"metric", c.metric},
                               {"limit_gy", c.limit_gy},
                               {"expected_gy", c.expected_gy},
                               {"expected_pass", c.expected_pass},
                               {"source", c.source}});
  return constraint_json;
}

/// ground_truth.json without its file list (added last, when every file is written).
ordered_json ground_truth_json(const PhantomOptions& options, const PatientStudy& planning, const Scene& scene,
                               const PlanningUids& uids, ordered_json pet_json) {
  const ContouredStructures& contoured = scene.contoured;
  const Grids& grids = scene.grids;
  ordered_json targets = ordered_json::array();
  for (const auto& t : scene.model.targets) targets.push_back(target_json(scene.model, contoured, t));
  return {
      {"generator",
       {{"name", kGeneratorVersion},
        {"sbrtkit_version", kVersion},
        {"seed", options.seed},
        {"size", std::string(to_string(options.size))}}},
      {"conventions",
       {{"coordinates", "DICOM patient coordinates (LPS), mm, head-first supine"},
        {"volume_cc",
         "exact volume of the exported contour stack: sum over planes of polygon areas (holes subtracted) times "
         "the slab each plane owns (half the gap to each neighbour, half-gap end caps)"},
        {"smooth_volume_cc", "same planes and slabs with the closed-form areas of the smooth loops"},
        {"bladder", "Bladder is solid; Bladder_Wall is a ring (outer loop plus a hole 3 mm inside it)"},
        {"ptv_margin", "per-plane radial expansion of the GTV loop, approximating a 3-D margin"},
        {"constraints_expected_gy",
         "analytic dose sampled finely over each contour stack; the RTDOSE grid (trilinear) may differ "
         "by a few percent in steep gradients"}}},
      {"patient",
       {{"name", planning.patient_name},
        {"id", planning.patient_id},
        {"weight_kg", 80.0},
        {"diagnosis", "oligoprogressive metastatic castration-resistant prostate cancer"}}},
      {"planning",
       {{"study_instance_uid", planning.study_instance_uid},
        {"frame_of_reference_uid", planning.frame_of_reference_uid},
        {"ct_dir", "planning/ct"},
        {"ct_series_uid", uids.ct_series},
        {"ct_grid", grid_json(grids.ct)},
        {"hounsfield",
         {{"air", hounsfield(Tissue::air)},
          {"fat", hounsfield(Tissue::fat)},
          {"soft_tissue", hounsfield(Tissue::soft_tissue)},
          {"bladder_urine", hounsfield(Tissue::urine)},
          {"cortical_bone", hounsfield(Tissue::cortical_bone)},
          {"marrow", hounsfield(Tissue::marrow)},
          {"sclerotic_lesion", hounsfield(Tissue::sclerotic_lesion)}}},
        {"rtstruct", "planning/rtstruct.dcm"},
        {"rtstruct_uid", uids.rtstruct},
        {"rtplan", "planning/rtplan.dcm"},
        {"rtplan_uid", uids.rtplan},
        {"rtdose", "planning/rtdose.dcm"},
        {"rtdose_uid", uids.rtdose},
        {"dose_grid", grid_json(grids.dose)},
        {"fractions", 3}}},
      {"structures", structures_json(contoured.truth)},
      {"targets", targets},
      {"constraints", constraints_json(scene.constraints)},
      {"pet", pet_json},
  };
}

/// Written to a temporary file and renamed, so a ground_truth.json is always whole.
Status write_json(const fs::path& file, const ordered_json& json) {
  const fs::path tmp = fs::path(file.string() + ".tmp");
  std::ofstream out(tmp, std::ios::binary);
  out << json.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << '\n';
  out.close();
  if (!out) return Error::io(tmp.string(), "cannot write the ground truth");
  std::error_code ec;
  fs::rename(tmp, file, ec);
  if (ec) return Error::io(file.string(), "cannot rename into place: " + ec.message());
  return ok();
}

}  // namespace

Expected<PhantomSummary> write_phantom(const PhantomOptions& options) {
  if (options.out_dir.empty()) return Error::bad_argument("--out", "a folder", "nothing");
  if (auto st = prepare_folder(options.out_dir); !st) return st.error();
  const auto t0 = std::chrono::steady_clock::now();
  const auto seconds_since = [](auto t) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
  };
  Scene scene = build_scene(options);
  PhantomSummary summary;
  summary.model_seconds = seconds_since(t0);
  const auto t1 = std::chrono::steady_clock::now();

  const fs::path root = options.out_dir;
  const PatientStudy planning = planning_study(options);
  WrittenFiles written{root, summary.files};
  auto uids = write_planning(planning, scene, written);
  if (!uids) return uids.error();
  ordered_json pet_json = ordered_json::array();
  for (std::size_t n = 0; n < scene.time_points.size(); ++n) {
    auto entry = write_time_point(options, planning, scene.model, scene.time_points[n], n, written);
    if (!entry) return entry.error();
    pet_json.push_back(std::move(*entry));
  }

  ordered_json truth = ground_truth_json(options, planning, scene, *uids, std::move(pet_json));
  summary.files.push_back("ground_truth.json");
  truth["files"] = summary.files;
  summary.ground_truth = root / "ground_truth.json";
  if (auto st = write_json(summary.ground_truth, truth); !st) return st.error();
  for (const auto& f : summary.files) {
    std::error_code ec;
    summary.bytes += fs::file_size(root / f, ec);
  }
  summary.out_dir = root;
  summary.structures = scene.contoured.truth;
  summary.constraints = scene.constraints;
  summary.write_seconds = seconds_since(t1);
  return summary;
}

}  // namespace sbrtkit
