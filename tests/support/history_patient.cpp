// The two-course patient of the `history` tests (tests/support/history_patient.h).
#include "history_patient.h"

#include <cmath>
#include <numbers>
#include <stdexcept>

#include "sbrtkit/dicom/rt_writer.h"

namespace sbrtkit::testing {
namespace {

constexpr double kPi = std::numbers::pi;

template <class T>
T must(Expected<T> e, const char* what) {
  if (!e) throw std::runtime_error(std::string(what) + ": " + e.error().message());
  return std::move(*e);
}

ImageGeometry axis_grid(PatientPoint centre, std::array<std::int64_t, 3> n, double spacing) {
  const PatientPoint origin{centre.x - spacing * double(n[0] - 1) / 2, centre.y - spacing * double(n[1] - 1) / 2,
                            centre.z - spacing * double(n[2] - 1) / 2};
  return ImageGeometry(n, origin, {spacing, spacing, spacing}, {Vec3{1, 0, 0}, Vec3{0, 1, 0}, Vec3{0, 0, 1}});
}

/// A CT of the anatomy in a frame related to the reference by frame_to_reference.
Volume<float> ct_in_frame(const RigidMap& frame_to_reference, PatientPoint centre_in_frame) {
  Volume<float> ct(axis_grid(centre_in_frame, {96, 96, 56}, 3.0), 0.0f);
  const auto& g = ct.geometry;
  for (std::int64_t v = 0; v < g.voxel_count(); ++v)
    ct.voxels[std::size_t(v)] = float(anatomy_hu(frame_to_reference.apply(g.to_patient(g.index_of(v)))));
  return ct;
}

Contour circle(double cx, double cy, double r, double z, const RigidMap& to_frame, int n = 32) {
  Contour c;
  for (int k = 0; k < n; ++k) {
    const double a = 2 * kPi * k / n;
    c.points.push_back(to_frame.apply(PatientPoint{cx + r * std::cos(a), cy + r * std::sin(a), z}));
  }
  return c;
}

Contour rectangle(double x0, double x1, double y0, double y1, double z, const RigidMap& to_frame) {
  Contour c;
  for (auto [x, y] : {std::pair{x0, y0}, {x1, y0}, {x1, y1}, {x0, y1}}) c.points.push_back(to_frame.apply(PatientPoint{x, y, z}));
  return c;
}

Structure cylinder(int number, const std::string& name, const std::string& type, double cx, double cy, double r,
                   double z0, double z1, const RigidMap& to_frame) {
  Structure s;
  s.roi_number = number;
  s.name = name;
  s.interpreted_type = type;
  for (double z = z0; z <= z1 + 1e-9; z += 3.0) s.contours.push_back(circle(cx, cy, r, z, to_frame));
  return s;
}

/// The reference structures, mapped into a frame (identity for the reference course). Only axial
/// planes stay planar under a rotation about z alone; for other frames the mapped contours would not be
/// planar, so course 1 gets its own (simpler) structure set drawn in its own frame.
StructureSet reference_structures() {
  const RigidMap id;
  StructureSet set;
  set.structures.push_back(cylinder(1, "SpinalCord", "ORGAN", 0, 55, 6, -60, 60, id));
  set.structures.push_back(cylinder(2, "Vertebra", "ORGAN", 0, 30, 15, -30, 30, id));
  Structure ptv;
  ptv.roi_number = 3;
  ptv.name = "PTV_C2";
  ptv.interpreted_type = "PTV";
  for (double z = -9; z <= 9 + 1e-9; z += 3.0) ptv.contours.push_back(rectangle(-15, 15, 20, 45, z, id));
  set.structures.push_back(ptv);
  set.structures.push_back(cylinder(4, "Bowel", "ORGAN", 10, 20, 5, 14, 20, id));
  Structure body;
  body.roi_number = 5;
  body.name = "BODY";
  body.interpreted_type = "EXTERNAL";
  for (double z = -81; z <= 81 + 1e-9; z += 3.0) {
    Contour c;
    for (int k = 0; k < 64; ++k) {
      const double a = 2 * kPi * k / 64;
      c.points.push_back({118 * std::cos(a), 88 * std::sin(a), z});
    }
    body.contours.push_back(c);
  }
  set.structures.push_back(body);
  return set;
}

PatientStudy study_for(const std::string& seed, const std::string& date, const std::string& frame) {
  PatientStudy st;
  st.patient_name = "HISTORY^TEST";
  st.patient_id = "HIST0001";
  st.uid_seed = seed;
  st.study_instance_uid = make_uid(seed + "/study");
  st.study_date = date;
  st.frame_of_reference_uid = frame;
  return st;
}

ReferencedSeries referenced(const WrittenSeries& s) { return {s.series_instance_uid, s.sop_class_uid, s.sop_instance_uids}; }

}  // namespace

RigidMap rigid_map(double rz_deg, double rx_deg, Vec3 t) {
  const double a = rz_deg * kPi / 180, b = rx_deg * kPi / 180;
  const double ca = std::cos(a), sa = std::sin(a), cb = std::cos(b), sb = std::sin(b);
  // Rz * Rx
  RigidMap m;
  m.rotation = {ca, -sa * cb, sa * sb, sa, ca * cb, -ca * sb, 0, sb, cb};
  m.translation_mm = t;
  return m;
}

RigidMap default_course1_map() { return rigid_map(4, 2, {10, -6, 20}); }

double anatomy_hu(PatientPoint p) {
  const double ex = p.x / 120, ey = p.y / 90;
  if (ex * ex + ey * ey > 1) return -1000;
  auto in_sphere = [&](double cx, double cy, double cz, double r) {
    return (p.x - cx) * (p.x - cx) + (p.y - cy) * (p.y - cy) + (p.z - cz) * (p.z - cz) <= r * r;
  };
  if (in_sphere(-55, -20, -25, 28)) return -800;
  if ((p.x) * (p.x) + (p.y - 30) * (p.y - 30) <= 15 * 15) {
    const double phase = std::fmod(std::fmod(p.z - 15, 30.0) + 30.0, 30.0);
    return phase < 3 || phase > 27 ? 200 : 700;
  }
  if (std::abs(p.x) <= 4 && p.y >= 62 && p.y <= 80) return 600;
  if (in_sphere(60, 20, 10, 22)) return 40;
  return 0;
}

HistoryPatientTruth write_history_patient(const std::filesystem::path& dir, const HistoryPatientOptions& o) {
  HistoryPatientTruth t;
  std::filesystem::create_directories(dir);
  t.frame2_uid = make_uid("history-test/frame2");
  t.frame1_uid = o.link == FrameLink::same_frame ? t.frame2_uid : make_uid("history-test/frame1");
  t.course1_to_reference = o.link == FrameLink::same_frame ? RigidMap{} : o.course1_to_reference;
  const RigidMap ref_to_1 = t.course1_to_reference.inverse();
  t.plan1_uid = make_uid("history-test/plan1");
  t.plan2_uid = make_uid("history-test/plan2");

  // Course 2 (reference).
  {
    const PatientStudy st = study_for("history-test/course2", o.date2, t.frame2_uid);
    const auto ct = must(write_ct_series(dir / "q7" / "k2", st, ct_in_frame({}, {0, 15, 0})), "course 2 CT");
    StructureSet set = reference_structures();
    set.frame_of_reference_uid = t.frame2_uid;
    set.sop_instance_uid = make_uid("history-test/rs2");
    set.label = "C2";
    must(write_rtstruct(dir / "q7" / "rs.dcm", st, set, referenced(ct)), "course 2 RTSTRUCT");
    PlanInfo plan;
    plan.sop_instance_uid = t.plan2_uid;
    plan.label = "C2";
    plan.frame_of_reference_uid = t.frame2_uid;
    plan.referenced_structure_set_uid = set.sop_instance_uid;
    plan.fractions = o.fractions2;
    must(write_rtplan(dir / "q7" / "rp.dcm", st, plan), "course 2 RTPLAN");
    DoseVolume dose(axis_grid({0, 40, 0}, {20, 20, 16}, 3.0), float(o.dose2_gy));
    RtDoseWriteOptions d;
    d.referenced_plan_uid = t.plan2_uid;
    must(write_rtdose(dir / "q7" / "rd.dcm", st, dose, d), "course 2 RTDOSE");
  }
  // Course 1, in its own frame.
  {
    const PatientStudy st = study_for("history-test/course1", o.date1, t.frame1_uid);
    std::filesystem::create_directories(dir / "m3");
    t.course1_dose_centre_in_own_frame = ref_to_1.apply(PatientPoint{0, 40, -15});
    const auto ct_centre = ref_to_1.apply(PatientPoint{0, 15, 0});
    ReferencedSeries images;
    if (o.write_course1_ct) {
      const auto ct = must(write_ct_series(dir / "m3" / "z" / "ct", st, ct_in_frame(t.course1_to_reference, ct_centre)),
                           "course 1 CT");
      images = referenced(ct);
    } else {
      images.series_instance_uid = make_uid("history-test/course1/missing-ct");
      images.sop_class_uid = "1.2.840.10008.5.1.4.1.1.2";
      images.sop_instance_uids = {make_uid("history-test/course1/missing-ct/1")};
    }
    // Its own structures, drawn axially in its own frame (a cord around the course-1 target).
    StructureSet set;
    const PatientPoint cord = ref_to_1.apply(PatientPoint{0, 55, -15});
    set.structures.push_back(cylinder(1, "SpinalCord", "ORGAN", cord.x, cord.y, 6, cord.z - 30, cord.z + 30, {}));
    set.frame_of_reference_uid = t.frame1_uid;
    set.sop_instance_uid = make_uid("history-test/rs1");
    set.label = "C1";
    must(write_rtstruct(dir / "m3" / "rs1.dcm", st, set, images), "course 1 RTSTRUCT");
    PlanInfo plan;
    plan.sop_instance_uid = t.plan1_uid;
    plan.label = "C1";
    plan.frame_of_reference_uid = t.frame1_uid;
    plan.referenced_structure_set_uid = set.sop_instance_uid;
    plan.fractions = o.fractions1;
    must(write_rtplan(dir / "m3" / "rp1.dcm", st, plan), "course 1 RTPLAN");
    const PatientPoint c1 = t.course1_dose_centre_in_own_frame;
    DoseVolume dose(axis_grid(c1, {28, 28, 14}, 3.0), 0.0f);
    for (std::int64_t v = 0; v < dose.geometry.voxel_count(); ++v) {
      const PatientPoint p = dose.geometry.to_patient(dose.geometry.index_of(v));
      dose.voxels[std::size_t(v)] = float(o.dose1_gy + o.gradient_gy_per_mm * (p.x - c1.x));
    }
    RtDoseWriteOptions d;
    d.referenced_plan_uid = t.plan1_uid;
    must(write_rtdose(dir / "m3" / "rd1.dcm", st, dose, d), "course 1 RTDOSE");
  }
  // PET/CT studies, each in its own frame.
  SpatialRegistrationWriteOptions reg;
  if (o.link == FrameLink::spatial_registration) {
    RigidMap written = t.course1_to_reference;
    written.translation_mm = written.translation_mm + o.registration_object_error_mm;
    reg.frames.push_back({t.frame1_uid, {written}});
  }
  for (int s = 0; s < o.studies; ++s) {
    const RigidMap to_ref = rigid_map(-3 + 2 * s, 1.5, {-8.0 + 4 * s, 5, -10.0 + 5 * s});
    const std::string frame = make_uid("history-test/study-frame/" + std::to_string(s));
    const std::string date = o.study_dates[std::size_t(s) % o.study_dates.size()];
    PatientStudy st = study_for("history-test/study/" + std::to_string(s), date, frame);
    const std::string folder = "s" + std::to_string(17 * (s + 1));
    const RigidMap from_ref = to_ref.inverse();
    if (!(o.last_study_without_ct && s == o.studies - 1))
      must(write_ct_series(dir / folder / "c", st, ct_in_frame(to_ref, from_ref.apply(PatientPoint{0, 15, 0}))), "study CT");
    Volume<float> pet(axis_grid(from_ref.apply(PatientPoint{0, 15, 0}), {64, 64, 40}, 4.0), 0.0f);
    for (std::int64_t v = 0; v < pet.geometry.voxel_count(); ++v) {
      const PatientPoint p = to_ref.apply(pet.geometry.to_patient(pet.geometry.index_of(v)));
      const double hu = anatomy_hu(p);
      const double hot = (p.x * p.x + (p.y - 30) * (p.y - 30) + p.z * p.z) <= 100 ? 20000 : 0;
      pet.voxels[std::size_t(v)] = float(hu > -500 ? 1000 + hot : 0);
    }
    PetWriteOptions po;
    po.frame_of_reference_uid = frame;
    po.series_date = date;
    po.radiopharmaceutical_start_datetime = date + "090000";
    if (o.study_without_dates && s == o.studies - 1) {
      po.series_date = "";
      st.study_date = "";
    }
    const auto written = must(write_pet_series(dir / folder / "p", st, pet, po), "PET");
    t.study_series_uids.push_back(written.series_instance_uid);
    t.study_to_reference.push_back(to_ref);
    t.study_frames.push_back(frame);
    if (o.link == FrameLink::spatial_registration) reg.frames.push_back({frame, {to_ref}});
  }
  if (o.link == FrameLink::spatial_registration) {
    std::filesystem::create_directories(dir / "x9");
    const PatientStudy st = study_for("history-test/course2", o.date2, t.frame2_uid);
    must(write_spatial_registration(dir / "x9" / "reg.dcm", st, reg), "spatial registration");
  }
  return t;
}

}  // namespace sbrtkit::testing
