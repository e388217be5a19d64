// Writes the longitudinal patient (longitudinal.h) as DICOM, one folder per course and per study, and
// its ground truth. Same seed and size, same bytes.
#include <chrono>
#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>
#include <numbers>

#include "sbrtkit/dicom/rt_writer.h"
#include "sbrtkit/phantom/longitudinal.h"
#include "sbrtkit/version.h"
#include "writer_support.h"

namespace sbrtkit {

namespace {

using nlohmann::ordered_json;
namespace fs = std::filesystem;
using namespace phantom;

using detail::grid_json;
using detail::matrix_json;
using detail::point_json;
using detail::to_float;
using detail::vec_json;

/// Row-major 4 x 4 of T^-1: p_anatomy = Rz(-a) (p_frame - t). The anatomy frame is the reference.
std::array<double, 16> inverse_matrix(const RigidTransform& t) {
  const double a = t.rotation_z_deg * std::numbers::pi / 180.0, c = std::cos(a), s = std::sin(a);
  const Vec3 d = t.translation_mm;
  // Rz(-a) = [c s 0; -s c 0; 0 0 1]
  return {c, s, 0, -(c * d.x + s * d.y), -s, c, 0, -(-s * d.x + c * d.y), 0, 0, 1, -d.z, 0, 0, 0, 1};
}

ordered_json transform_json(const RigidTransform& t) {
  return {{"definition", "p_frame = Rz(rotation_z_deg) * p_reference + translation_mm (rotation about the frame z axis)"},
          {"rotation_z_deg", t.rotation_z_deg},
          {"translation_mm", vec_json(t.translation_mm)},
          {"reference_to_frame", matrix_json(t.matrix())},
          {"to_reference", matrix_json(inverse_matrix(t))}};
}

std::string iso(const std::string& da) { return da.substr(0, 4) + "-" + da.substr(4, 2) + "-" + da.substr(6, 2); }

/// The course's dose on its own grid (in its frame): the anatomy-frame dose at T^-1 of each voxel centre.
DoseVolume render_course_dose(const LongitudinalCourse& c, const ImageGeometry& grid) {
  return detail::sample_on_grid(grid, [&c](PatientPoint p) { return course_dose_gy(c, c.anatomy_to_frame.apply_inverse(p)); });
}

Status prepare_folder(const fs::path& dir) {
  std::error_code ec;
  if (fs::exists(dir, ec)) {
    if (!fs::is_directory(dir, ec)) return Error::bad_argument("--out", "a folder", dir.string() + " is a file");
    if (fs::directory_iterator(dir, ec) != fs::directory_iterator()) {
      if (!fs::exists(dir / "ground_truth.json", ec))
        return Error::bad_argument("--out", "an empty folder or an earlier phantom folder (with ground_truth.json)",
                                   dir.string() + " holds other files");
      for (const char* part : {"course1", "course2", "study1", "study2", "study3", "planning", "baseline", "followup",
                               "ground_truth.json"})
        fs::remove_all(dir / part, ec);
      if (ec) return Error::io(dir.string(), "cannot remove the earlier phantom: " + ec.message());
    }
  }
  fs::create_directories(dir, ec);
  if (ec) return Error::io(dir.string(), "cannot create the folder: " + ec.message());
  return ok();
}

}  // namespace

Expected<LongitudinalSummary> write_longitudinal_phantom(const PhantomOptions& options) {
  if (options.out_dir.empty()) return Error::bad_argument("--out", "a folder", "nothing");
  if (auto st = prepare_folder(options.out_dir); !st) return st.error();
  const auto t0 = std::chrono::steady_clock::now();
  const LongitudinalPatient patient = longitudinal_patient(options.seed, options.size);
  const fs::path root = options.out_dir;
  LongitudinalSummary summary;
  const auto add_files = [&](const std::vector<fs::path>& files) {
    for (const auto& f : files) summary.files.push_back(fs::relative(f, root).generic_string());
  };
  const std::string seed_text =
      "sbrtkit-phantom-longitudinal/" + std::to_string(options.seed) + "/" + std::string(to_string(options.size));
  PatientStudy person;
  person.patient_name = "PHANTOM^LONGITUDINAL";
  person.patient_id = "SBRTKIT-LONG-" + std::to_string(options.seed);
  person.birth_date = "19520314";
  person.weight_kg = 80.0;
  person.height_m = 1.78;

  // ---- Courses ------------------------------------------------------------------------------------
  ordered_json courses = ordered_json::array();
  for (std::size_t n = 0; n < patient.courses.size(); ++n) {
    const LongitudinalCourse& course = patient.courses[n];
    const Grids grids = course_grids(course, options.size);
    PatientStudy study = person;
    study.uid_seed = seed_text + "/" + course.label;
    study.study_instance_uid = make_uid(study.uid_seed + "/study");
    study.frame_of_reference_uid = make_uid(study.uid_seed + "/frame-of-reference");
    study.study_date = course.plan_date;
    study.study_time = "083000";
    study.study_id = "PLAN" + std::to_string(n + 1);
    study.study_description = "SBRT planning, course " + std::to_string(n + 1);
    const fs::path dir = root / course.label;

    CtWriteOptions ct_options;
    ct_options.series.series_number = 1;
    ct_options.series.series_description = "Planning CT course " + std::to_string(n + 1);
    auto ct = write_ct_series(dir / "ct", study, to_float(render_ct(patient.anatomy, grids.ct, course.anatomy_to_frame)),
                              ct_options);
    if (!ct) return ct.error();
    add_files(ct->files);

    // Contours on the anatomy planes that map onto this frame's CT planes (the rotation is about z, so a
    // plane stays a plane), then carried into the frame point by point.
    std::vector<double> planes = plane_positions(grids.ct);
    for (double& z : planes) z -= course.anatomy_to_frame.translation_mm.z;
    ContouredStructures contoured = contour_structures(course.model, planes);
    for (auto& s : contoured.set.structures)
      for (auto& c : s.contours)
        for (auto& p : c.points) p = course.anatomy_to_frame.apply(p);
    contoured.set.label = "SBRTKIT_C" + std::to_string(n + 1);
    contoured.set.frame_of_reference_uid = study.frame_of_reference_uid;
    contoured.set.sop_instance_uid = make_uid(study.uid_seed + "/rtstruct");
    RtStructWriteOptions rs_options;
    rs_options.series.series_number = 2;
    rs_options.series.series_description = "Structures course " + std::to_string(n + 1);
    auto rs = write_rtstruct(dir / "rtstruct.dcm", study, contoured.set,
                             {ct->series_instance_uid, ct->sop_class_uid, ct->sop_instance_uids}, rs_options);
    if (!rs) return rs.error();
    summary.files.push_back(course.label + "/rtstruct.dcm");

    PlanInfo plan = plan_info(course.model, contoured.set);
    plan.label = "SBRT_C" + std::to_string(n + 1);
    plan.name = "SBRT course " + std::to_string(n + 1);
    plan.sop_instance_uid = make_uid(study.uid_seed + "/rtplan");
    plan.frame_of_reference_uid = study.frame_of_reference_uid;
    plan.referenced_structure_set_uid = *rs;
    RtPlanWriteOptions rp_options;
    rp_options.series.series_number = 3;
    rp_options.series.series_description = "SBRT plan course " + std::to_string(n + 1);
    auto rp = write_rtplan(dir / "rtplan.dcm", study, plan, rp_options);
    if (!rp) return rp.error();
    summary.files.push_back(course.label + "/rtplan.dcm");

    RtDoseWriteOptions rd_options;
    rd_options.series.series_number = 4;
    rd_options.series.series_description = "Plan dose course " + std::to_string(n + 1);
    rd_options.sop_instance_uid = make_uid(study.uid_seed + "/rtdose");
    rd_options.referenced_plan_uid = *rp;
    auto rd = write_rtdose(dir / "rtdose.dcm", study, render_course_dose(course, grids.dose), rd_options);
    if (!rd) return rd.error();
    summary.files.push_back(course.label + "/rtdose.dcm");

    ordered_json targets = ordered_json::array();
    for (const auto& t : course.model.targets)
      targets.push_back({{"key", t.key},
                         {"gtv", t.gtv_name},
                         {"ptv", t.ptv_name},
                         {"prescription_gy", t.prescription_gy},
                         {"fractions", t.fractions},
                         {"gtv_centre_reference_mm", point_json(t.gtv.centre)},
                         {"gtv_centre_frame_mm", point_json(course.anatomy_to_frame.apply(t.gtv.centre))},
                         {"ptv_radius_mm", t.ptv.radius_mm},
                         {"ptv_half_length_mm", t.ptv.half_length_mm},
                         {"rho100", t.rho100},
                         {"dose_at_gtv_centre_gy", course_dose_gy(course, t.gtv.centre)}});
    courses.push_back({{"label", course.label},
                       {"dir", course.label},
                       {"plan_date", iso(course.plan_date)},
                       {"rtplan_uid", *rp},
                       {"rtdose_uid", *rd},
                       {"rtstruct_uid", *rs},
                       {"ct_series_uid", ct->series_instance_uid},
                       {"frame_of_reference_uid", study.frame_of_reference_uid},
                       {"fractions", course.fractions},
                       {"is_reference", n + 1 == patient.courses.size()},
                       {"transform", transform_json(course.anatomy_to_frame)},
                       {"ct_grid", grid_json(grids.ct)},
                       {"dose_grid", grid_json(grids.dose)},
                       {"targets", targets}});
  }

  // ---- PET/CT studies -----------------------------------------------------------------------------
  ordered_json studies = ordered_json::array();
  for (std::size_t n = 0; n < patient.studies.size(); ++n) {
    const PetTimePoint& tp = patient.studies[n];
    PatientStudy study = person;
    study.uid_seed = seed_text + "/" + tp.label;
    study.study_instance_uid = make_uid(study.uid_seed + "/study");
    study.frame_of_reference_uid = make_uid(study.uid_seed + "/frame-of-reference");
    study.study_date = tp.study_date;
    study.study_time = tp.tracer.scan_time;
    study.study_id = "PET" + std::to_string(n + 1);
    study.study_description = "PSMA PET/CT " + std::to_string(n + 1);
    study.weight_kg = tp.tracer.patient_weight_kg;
    CtWriteOptions ct_options;
    ct_options.series.series_number = 1;
    ct_options.series.series_description = "Low-dose CT for attenuation correction";
    auto ct = write_ct_series(root / tp.label / "ct", study,
                              to_float(render_ct(patient.anatomy, tp.ct_geometry, tp.planning_to_frame)), ct_options);
    if (!ct) return ct.error();
    add_files(ct->files);
    PetWriteOptions pet_options;
    pet_options.series.series_number = 2;
    pet_options.series.series_description = "PSMA PET " + std::to_string(n + 1) + " (AC)";
    pet_options.series_date = tp.tracer.scan_date;
    pet_options.series_time = tp.tracer.scan_time;
    pet_options.radiopharmaceutical_start_datetime = tp.tracer.injection_datetime;
    pet_options.injected_dose_bq = tp.tracer.injected_dose_bq;
    pet_options.half_life_s = tp.tracer.half_life_s;
    pet_options.radiopharmaceutical = tp.tracer.name;
    auto pet = write_pet_series(root / tp.label / "pet", study, render_pet(patient.anatomy, tp), pet_options);
    if (!pet) return pet.error();
    add_files(pet->files);
    ordered_json lesions = ordered_json::array();
    for (const auto& l : tp.lesions) {
      ordered_json j = {{"name", l.name},
                        {"status", l.status},
                        {"shape", "uniform ellipsoid, axis-aligned in the reference frame"},
                        {"centre_reference_mm", point_json(l.centre)},
                        {"centre_frame_mm", point_json(tp.planning_to_frame.apply(l.centre))},
                        {"semi_axes_mm", vec_json(l.semi_axes_mm)},
                        {"volume_cc", l.volume_cc()},
                        {"suv", l.suv}};
      ordered_json dose = ordered_json::array();
      for (const auto& c : patient.courses) dose.push_back(course_dose_gy(c, l.centre));
      j["course_dose_at_centre_gy"] = dose;
      lesions.push_back(j);
    }
    ordered_json days = ordered_json::array();
    for (const auto& per_course : patient.days_from_plan) days.push_back(per_course[n]);
    studies.push_back({{"label", tp.label},
                       {"date", iso(tp.study_date)},
                       {"days_from_plan", days},
                       {"study_instance_uid", study.study_instance_uid},
                       {"frame_of_reference_uid", study.frame_of_reference_uid},
                       {"pet_series_uid", pet->series_instance_uid},
                       {"ct_series_uid", ct->series_instance_uid},
                       {"pet_dir", tp.label + "/pet"},
                       {"ct_dir", tp.label + "/ct"},
                       {"transform", transform_json(tp.planning_to_frame)},
                       {"pet_grid", grid_json(tp.pet_geometry)},
                       {"psf_fwhm_mm", tp.psf_fwhm_mm},
                       {"lesions", lesions}});
  }

  // ---- Ground truth -------------------------------------------------------------------------------
  ordered_json points = ordered_json::array();
  for (const auto& pt : patient.points) {
    ordered_json per_course = ordered_json::array();
    double phys = 0, eqd2 = 0;
    for (const auto& c : patient.courses) {
      const double d = course_dose_gy(c, pt.anatomy), e = eqd2_gy(d, c.fractions, pt.alpha_beta_gy);
      per_course.push_back({{"course", c.label}, {"physical_gy", d}, {"eqd2_gy", e}});
      phys += d;
      eqd2 += e;
    }
    points.push_back({{"name", pt.name},
                      {"structure", pt.structure},
                      {"reference_mm", point_json(pt.anatomy)},
                      {"alpha_beta_gy", pt.alpha_beta_gy},
                      {"per_course", per_course},
                      {"cumulative_physical_gy", phys},
                      {"cumulative_eqd2_gy", eqd2}});
  }
  const Grids reference = course_grids(patient.courses.back(), options.size);
  const std::vector<double> ref_planes = plane_positions(reference.ct);
  ordered_json maxima = ordered_json::array();
  for (auto [roi, name] : {std::pair{3, "CaudaEquina"}, std::pair{2, "SpinalCord"}}) {
    const StructureMaxTruth m = structure_max_truth(patient, roi, name, 2.0, ref_planes);
    maxima.push_back({{"structure", m.structure},
                      {"alpha_beta_gy", m.alpha_beta_gy},
                      {"course_max_gy", m.course_max_gy},
                      {"course_eqd2_max_gy", m.course_eqd2_max_gy},
                      {"cumulative_physical_max_gy", m.physical_max_gy},
                      {"cumulative_eqd2_max_gy", m.eqd2_max_gy},
                      {"cumulative_eqd2_max_at_reference_mm", point_json(m.eqd2_max_at)}});
  }
  ordered_json lesions = ordered_json::array();
  for (const auto& l : patient.lesions) {
    ordered_json outcomes = ordered_json::array();
    for (const auto& o : l.outcomes) {
      ordered_json j = {{"course", o.course}, {"treated", o.treated}, {"outcome", o.outcome}};
      j["failure_study"] = o.failure_study ? ordered_json(*o.failure_study) : ordered_json(nullptr);
      j["days_to_failure"] = o.days_to_failure ? ordered_json(*o.days_to_failure) : ordered_json(nullptr);
      j["days_followed"] = o.days_followed ? ordered_json(*o.days_followed) : ordered_json(nullptr);
      j["why"] = o.why;
      outcomes.push_back(j);
    }
    lesions.push_back({{"name", l.name}, {"outcomes", outcomes}});
  }
  ordered_json truth = {
      {"generator",
       {{"name", kLongitudinalVersion},
        {"anatomy_model", kGeneratorVersion},  // the model it is built on (make demo regenerates on a change)
        {"sbrtkit_version", kVersion},
        {"seed", options.seed},
        {"size", std::string(to_string(options.size))}}},
      {"conventions",
       {{"coordinates", "DICOM patient coordinates (LPS), mm, head-first supine"},
        {"reference", "course2's planning frame (the latest course) is the reference; it is the anatomy frame"},
        {"to_reference", "row-major 4 x 4 mapping a frame's patient coordinates (mm) to the reference's"},
        {"eqd2", "EQD2 = D (D / n + a/b) / (2 + a/b) per course, summed over courses; no recovery"},
        {"dose", "analytic dose model of each course (phantom.h Target::relative_dose), not read from DICOM"},
        {"structure_maxima",
         "maximum over the contour stack (smooth loops on the reference CT planes, half-gap slabs, 0.5 mm pitch, "
         "4 sub-slabs) of the voxel-wise sums; a dose grid read trilinearly may differ by a few percent"},
        {"outcomes", "designed with the rules of include/sbrtkit/lesion_history.h; days counted by hand"}}},
      {"patient", {{"name", person.patient_name}, {"id", person.patient_id}}},
      {"courses", courses},
      {"studies", studies},
      {"named_points", points},
      {"structure_maxima", maxima},
      {"lesions", lesions},
      {"patient_events",
       {{{"course", "course1"}, {"progression_study", "study2"}, {"days_to_progression", 175},
         {"why", "L4 new at study2"}},
        {{"course", "course2"}, {"progression_study", "study3"}, {"days_to_progression", 182},
         {"why", "L4 and Ilium_L progressing, L3_margin new: 3 lesions, oligoprogression"}}}},
  };
  summary.files.push_back("ground_truth.json");
  truth["files"] = summary.files;
  summary.ground_truth = root / "ground_truth.json";
  {
    const fs::path tmp = root / "ground_truth.json.tmp";
    std::ofstream out(tmp, std::ios::binary);
    out << truth.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << '\n';
    out.close();
    if (!out) return Error::io(tmp.string(), "cannot write the ground truth");
    std::error_code ec;
    fs::rename(tmp, summary.ground_truth, ec);
    if (ec) return Error::io(summary.ground_truth.string(), "cannot rename into place: " + ec.message());
  }
  for (const auto& f : summary.files) {
    std::error_code ec;
    summary.bytes += fs::file_size(root / f, ec);
  }
  summary.out_dir = root;
  summary.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return summary;
}

}  // namespace sbrtkit
