#include "bench_plan.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <numbers>

#include "sbrtkit/dicom/rt_writer.h"

namespace sbrtkit::bench {
namespace {

constexpr double kPi = std::numbers::pi;
constexpr std::int64_t kCtPixels = 512;
constexpr std::int64_t kCtSlices = 100;
constexpr double kPixelMm = 500.0 / 512.0;  // 0.9765625 mm: a 500 mm field of view
constexpr double kSliceMm = 3.0;
constexpr double kFirstPlaneMm = -148.5;    // planes -148.5 ... 148.5; half-gap caps reach +-150
constexpr double kDoseSpacingMm = 2.5;

enum class Kind { ellipsoid, cylinder, ring };

// One contoured shape. Ellipsoid: semi-axes (a, b, c) about (cx, cy, cz), rotated by angle in-plane.
// Cylinder: in-plane ellipse (a, b) for z in [z0, z1]. Ring: a cylinder with a concentric elliptic hole
// (inner_a, inner_b): two loops per plane, the inner one a hole by the even-odd rule.
struct Shape {
  const char* name;
  const char* type;  // RTROIInterpretedType
  StructureClass cls;
  Kind kind;
  double cx, cy, cz;
  double a, b, c;      // ellipsoid semi-axes; cylinder / ring: a, b in-plane, c unused
  double z0, z1;       // cylinder / ring extent
  double inner_a, inner_b;
  double angle_rad;
  float hu;
  int vertices;
};

// Semi-axes (a, b, c) = s * aspect with s chosen so that 4/3 pi a b c = volume_cc.
Shape ellipsoid(const char* name, const char* type, StructureClass cls, double volume_cc,
                std::array<double, 3> aspect, std::array<double, 3> centre, double angle_deg, float hu, int vertices) {
  const double s = std::cbrt(volume_cc * 1000.0 / (4.0 / 3.0 * kPi * aspect[0] * aspect[1] * aspect[2]));
  return {name, type, cls, Kind::ellipsoid, centre[0], centre[1], centre[2], s * aspect[0], s * aspect[1],
          s * aspect[2], 0, 0, 0, 0, angle_deg * kPi / 180, hu, vertices};
}
Shape sphere(const char* name, const char* type, double radius_mm, std::array<double, 3> centre, int vertices) {
  return {name, type, StructureClass::target, Kind::ellipsoid, centre[0], centre[1], centre[2], radius_mm,
          radius_mm, radius_mm, 0, 0, 0, 0, 0, 45.0f, vertices};
}
Shape cylinder(const char* name, double a, double b, double cx, double cy, double z0, double z1, float hu,
               int vertices) {
  return {name, "ORGAN", StructureClass::organ, Kind::cylinder, cx, cy, 0, a, b, 0, z0, z1, 0, 0, 0, hu, vertices};
}

double sphere_radius(double volume_cc) { return std::cbrt(volume_cc * 1000.0 * 3.0 / (4.0 * kPi)); }

struct TargetDef {
  const char* gtv;
  const char* ptv;
  double gtv_cc;
  double margin_mm;
  std::array<double, 3> centre;
  double prescription_gy;
};

// Five SBRT targets: 0.1 to 10 cc GTVs, centres placed off the CT planes by different fractions of a slice.
const std::array<TargetDef, 5> kTargets = {{
    {"GTV_1", "PTV_1", 0.1, 3, {-70.2, 8.4, 90.7}, 54},
    {"GTV_2", "PTV_2", 0.5, 3, {-82.6, 21.3, -10.9}, 45},
    {"GTV_3", "PTV_3", 1.5, 5, {92.1, 12.7, 60.2}, 48},
    {"GTV_4", "PTV_4", 4.0, 5, {31.4, 62.2, 10.4}, 27},
    {"GTV_5", "PTV_5", 10.0, 3, {-40.8, 28.9, -40.0}, 40},
}};

std::vector<Shape> shapes() {
  using SC = StructureClass;
  std::vector<Shape> s;
  // BODY: elliptic cylinder 175 x 121 mm over the 300 mm of the CT: pi 175 121 300 mm^3 = 19,957 cc.
  s.push_back({"BODY", "EXTERNAL", SC::body, Kind::cylinder, 0, 0, 0, 175, 121, 0, -150, 150, 0, 0, 0, 20.0f, 400});
  s.push_back(ellipsoid("Lung_L", "ORGAN", SC::organ, 500, {1, 1.3, 2.0}, {85, 0, 75}, 5, -800, 300));
  s.push_back(ellipsoid("Lung_R", "ORGAN", SC::organ, 450, {1, 1.3, 2.0}, {-85, 0, 75}, -5, -800, 300));
  s.push_back(ellipsoid("Heart", "ORGAN", SC::organ, 400, {1.2, 1, 1}, {20, -20, 40}, 30, 40, 250));
  s.push_back(ellipsoid("Liver", "ORGAN", SC::organ, 480, {1.6, 1.1, 1}, {-75, 10, -20}, -15, 60, 300));
  s.push_back(ellipsoid("Stomach", "ORGAN", SC::organ, 300, {1.3, 1, 1}, {70, -10, -20}, 20, 30, 250));
  s.push_back(ellipsoid("Spleen", "ORGAN", SC::organ, 200, {1, 1.2, 1.4}, {105, 40, -15}, 10, 45, 200));
  s.push_back(ellipsoid("Kidney_L", "ORGAN", SC::organ, 150, {1, 1.1, 1.8}, {70, 60, -70}, 25, 35, 180));
  s.push_back(ellipsoid("Kidney_R", "ORGAN", SC::organ, 150, {1, 1.1, 1.8}, {-70, 60, -75}, -25, 35, 180));
  s.push_back(ellipsoid("Pancreas", "ORGAN", SC::organ, 80, {2.2, 0.8, 0.6}, {10, 20, -45}, 10, 40, 180));
  s.push_back(ellipsoid("Duodenum", "ORGAN", SC::organ, 60, {1, 1, 1.5}, {-35, 10, -60}, 0, 35, 150));
  s.push_back(ellipsoid("Bowel", "ORGAN", SC::organ, 250, {1.6, 1, 1}, {0, -40, -110}, 0, 30, 250));
  s.push_back(cylinder("Esophagus", 9, 7, 5, 40, -40, 140, 40, 120));
  s.push_back(cylinder("SpinalCord", 6, 6, 0, 78, -150, 150, 35, 100));
  // Vertebral ring around the canal: pi (22 24 - 11 12) 300 mm^3 = 373 cc, two loops per plane.
  s.push_back({"Spine", "ORGAN", SC::organ, Kind::ring, 0, 78, 0, 22, 24, 0, -150, 150, 11, 12, 0, 650.0f, 200});
  s.push_back(cylinder("Aorta", 12, 12, 25, 50, -120, 120, 45, 150));
  s.push_back(cylinder("Trachea", 9, 8, 0, -10, 80, 150, -950, 120));
  s.push_back(ellipsoid("Bladder", "ORGAN", SC::organ, 200, {1.2, 1, 0.9}, {0, -20, -120}, 0, 10, 200));
  s.push_back(ellipsoid("Rectum", "ORGAN", SC::organ, 70, {1, 1, 2}, {0, 45, -120}, 0, 20, 150));
  s.push_back(ellipsoid("Thyroid", "ORGAN", SC::organ, 10, {1.6, 0.8, 1.2}, {0, -35, 135}, 0, 80, 120));
  for (const auto& t : kTargets) {
    const double r = sphere_radius(t.gtv_cc);
    s.push_back(sphere(t.gtv, "GTV", r, t.centre, 100));
    s.push_back(sphere(t.ptv, "PTV", r + t.margin_mm, t.centre, 120));
  }
  return s;
}

/// In-plane semi-axes of a shape on plane z (0 when absent).
bool section(const Shape& s, double z, double& a, double& b) {
  if (s.kind == Kind::ellipsoid) {
    const double t = (z - s.cz) / s.c;
    if (std::abs(t) >= 1) return false;
    const double f = std::sqrt(1 - t * t);
    a = s.a * f;
    b = s.b * f;
    return a > 0.3 && b > 0.3;
  }
  if (z < s.z0 || z > s.z1) return false;
  a = s.a;
  b = s.b;
  return true;
}

std::vector<PatientPoint> ellipse_polygon(double cx, double cy, double a, double b, double angle, double z, int n) {
  std::vector<PatientPoint> out;
  out.reserve(std::size_t(n));
  const double ca = std::cos(angle), sa = std::sin(angle);
  for (int i = 0; i < n; ++i) {
    const double t = 2 * kPi * i / n;
    const double x = a * std::cos(t), y = b * std::sin(t);
    // Two decimals, as planning systems export ContourData.
    out.push_back({std::round((cx + ca * x - sa * y) * 100) / 100, std::round((cy + sa * x + ca * y) * 100) / 100, z});
  }
  return out;
}

double shoelace_mm2(const std::vector<PatientPoint>& p) {
  double twice = 0;
  for (std::size_t i = 0; i < p.size(); ++i) {
    const auto& q = p[(i + 1) % p.size()];
    twice += p[i].x * q.y - q.x * p[i].y;
  }
  return 0.5 * std::abs(twice);
}

bool inside_ellipse(double x, double y, double cx, double cy, double a, double b, double angle) {
  const double dx = x - cx, dy = y - cy;
  const double ca = std::cos(angle), sa = std::sin(angle);
  const double u = ca * dx + sa * dy, v = -sa * dx + ca * dy;
  return (u * u) / (a * a) + (v * v) / (b * b) <= 1;
}

double plane_z(std::int64_t k) { return kFirstPlaneMm + kSliceMm * double(k); }

/// Relative dose of one target at distance r from its centre, PTV radius R: 1.25 at the centre, 1 on the
/// PTV surface, then a steep fall-off (50% about 8 mm out) with a slow 25 mm tail.
double relative_dose(double r, double ptv_radius) {
  if (r <= ptv_radius) {
    const double s = r / ptv_radius;
    return 1 + 0.25 * (1 - s * s);
  }
  const double d = r - ptv_radius;
  return 0.75 * std::exp(-0.11 * d) + 0.25 * std::exp(-d / 25.0);
}

}  // namespace

const char* to_string(StructureClass c) {
  switch (c) {
    case StructureClass::body: return "body";
    case StructureClass::organ: return "organ";
    case StructureClass::target: return "target";
  }
  return "?";
}

BenchPlan make_bench_plan() {
  BenchPlan plan;
  const std::array<Vec3, 3> axes = {Vec3{1, 0, 0}, Vec3{0, 1, 0}, Vec3{0, 0, 1}};
  const double ct_origin = -250 + 0.5 * kPixelMm;
  plan.ct_geometry = ImageGeometry({kCtPixels, kCtPixels, kCtSlices}, {ct_origin, ct_origin, kFirstPlaneMm},
                                   {kPixelMm, kPixelMm, kSliceMm}, axes);

  plan.structures.label = "BENCH";
  int roi = 1;
  for (const Shape& s : shapes()) {
    Structure st;
    st.roi_number = roi++;
    st.name = s.name;
    st.interpreted_type = s.type;
    st.color = std::array<int, 3>{(st.roi_number * 67) % 256, (st.roi_number * 131) % 256, (st.roi_number * 29) % 256};
    BenchStructureInfo info;
    info.structure_class = s.cls;
    info.vertices_per_loop = s.vertices;
    double area_sum_mm2 = 0;
    for (std::int64_t k = 0; k < kCtSlices; ++k) {
      const double z = plane_z(k);
      double a, b;
      if (!section(s, z, a, b)) continue;
      Contour outer{ContourType::closed_planar, ellipse_polygon(s.cx, s.cy, a, b, s.angle_rad, z, s.vertices)};
      area_sum_mm2 += shoelace_mm2(outer.points);
      st.contours.push_back(std::move(outer));
      if (s.kind == Kind::ring) {
        Contour inner{ContourType::closed_planar, ellipse_polygon(s.cx, s.cy, s.inner_a, s.inner_b, 0, z, s.vertices)};
        area_sum_mm2 -= shoelace_mm2(inner.points);
        st.contours.push_back(std::move(inner));
      }
      ++info.planes;
    }
    // Uniform 3 mm planes with half-gap end caps: every plane owns exactly one 3 mm slab.
    info.contour_volume_cc = area_sum_mm2 * kSliceMm / 1000;
    plan.structures.structures.push_back(std::move(st));
    plan.info.push_back(info);
  }

  // Dose grid: 2.5 mm, covering the body (x +-175, y +-121, z +-150) with margin; its origin is on
  // neither the CT pixel lattice nor the CT planes.
  const PatientPoint dose_origin{-181.1, -123.9, -151.3};
  const ImageGeometry dose_geometry({146, 101, 123}, dose_origin, {kDoseSpacingMm, kDoseSpacingMm, kDoseSpacingMm},
                                    axes);
  plan.dose = DoseVolume(dose_geometry, 0.0f);
  const auto& n = dose_geometry.size();
  for (std::int64_t k = 0; k < n[2]; ++k)
    for (std::int64_t j = 0; j < n[1]; ++j)
      for (std::int64_t i = 0; i < n[0]; ++i) {
        const PatientPoint p = dose_geometry.to_patient(VoxelIndex{i, j, k});
        if (std::abs(p.z) > 150 || (p.x * p.x) / (175.0 * 175.0) + (p.y * p.y) / (121.0 * 121.0) > 1) continue;
        double d = 0;
        for (const auto& t : kTargets) {
          const double r = std::sqrt((p.x - t.centre[0]) * (p.x - t.centre[0]) +
                                     (p.y - t.centre[1]) * (p.y - t.centre[1]) +
                                     (p.z - t.centre[2]) * (p.z - t.centre[2]));
          d += t.prescription_gy * relative_dose(r, sphere_radius(t.gtv_cc) + t.margin_mm);
        }
        plan.dose.at(i, j, k) = float(d);
      }

  plan.plan.label = "BENCH_SBRT";
  plan.plan.name = "Benchmark SBRT, 5 targets";
  plan.plan.fractions = 3;
  int number = 1;
  for (const auto& t : kTargets) {
    DoseReference ref;
    ref.number = number++;
    ref.description = t.ptv;
    ref.structure_type = "VOLUME";
    ref.type = "TARGET";
    ref.referenced_roi_number = plan.structures.find(t.ptv)->roi_number;
    ref.target_prescription_gy = t.prescription_gy;
    plan.plan.dose_references.push_back(ref);
  }
  return plan;
}

Volume<float> render_bench_ct(const BenchPlan& plan) {
  Volume<float> ct(plan.ct_geometry, -1000.0f);
  const auto all = shapes();
  const double origin = plan.ct_geometry.origin().x;
  for (std::int64_t k = 0; k < kCtSlices; ++k) {
    const double z = plane_z(k);
    float* slice = ct.voxels.data() + k * kCtPixels * kCtPixels;
    // Painting order = list order: organs over the body, targets over organs.
    for (const Shape& s : all) {
      double a, b;
      if (!section(s, z, a, b)) continue;
      const double c = std::cos(s.angle_rad), sn = std::sin(s.angle_rad);
      const double hx = std::sqrt(a * a * c * c + b * b * sn * sn), hy = std::sqrt(a * a * sn * sn + b * b * c * c);
      const auto lo = [&](double v) { return std::clamp<std::int64_t>(std::int64_t(std::floor((v - origin) / kPixelMm)), 0, kCtPixels - 1); };
      const auto hi = [&](double v) { return std::clamp<std::int64_t>(std::int64_t(std::ceil((v - origin) / kPixelMm)), 0, kCtPixels - 1); };
      for (std::int64_t j = lo(s.cy - hy); j <= hi(s.cy + hy); ++j)
        for (std::int64_t i = lo(s.cx - hx); i <= hi(s.cx + hx); ++i) {
          const double x = origin + double(i) * kPixelMm, y = origin + double(j) * kPixelMm;
          if (!inside_ellipse(x, y, s.cx, s.cy, a, b, s.angle_rad)) continue;
          if (s.kind == Kind::ring && inside_ellipse(x, y, s.cx, s.cy, s.inner_a, s.inner_b, 0)) continue;
          slice[i + j * kCtPixels] = s.hu;
        }
    }
  }
  return ct;
}

std::size_t dose_grid_bytes(const BenchPlan& plan) {
  return std::size_t(plan.dose.geometry.voxel_count()) * sizeof(float);
}
std::size_t ct_bytes(const BenchPlan& plan) {
  return std::size_t(plan.ct_geometry.voxel_count()) * sizeof(std::int16_t);
}

Status write_bench_plan(const BenchPlan& plan, const std::filesystem::path& dir) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return Error::io(dir.string(), "cannot create the folder: " + ec.message());

  PatientStudy study;
  study.patient_name = "SBRTKIT^BENCH";
  study.patient_id = "SBRTKIT-BENCH";
  study.uid_seed = "sbrtkit-bench-plan/1";
  study.study_instance_uid = make_uid(study.uid_seed + "/study");
  study.frame_of_reference_uid = make_uid(study.uid_seed + "/frame-of-reference");
  study.study_description = "sbrtkit DVH benchmark plan";

  CtWriteOptions ct_options;
  ct_options.series.series_number = 1;
  ct_options.series.series_description = "Benchmark CT";
  auto ct = write_ct_series(dir / "ct", study, render_bench_ct(plan), ct_options);
  if (!ct) return ct.error();

  StructureSet set = plan.structures;
  set.frame_of_reference_uid = study.frame_of_reference_uid;
  set.sop_instance_uid = make_uid(study.uid_seed + "/rtstruct");
  RtStructWriteOptions rs_options;
  rs_options.series.series_number = 2;
  rs_options.series.series_description = "Benchmark structures";
  auto rs = write_rtstruct(dir / "rtstruct.dcm", study, set,
                           ReferencedSeries{ct->series_instance_uid, ct->sop_class_uid, ct->sop_instance_uids},
                           rs_options);
  if (!rs) return rs.error();

  PlanInfo info = plan.plan;
  info.sop_instance_uid = make_uid(study.uid_seed + "/rtplan");
  info.frame_of_reference_uid = study.frame_of_reference_uid;
  info.referenced_structure_set_uid = *rs;
  RtPlanWriteOptions rp_options;
  rp_options.series.series_number = 3;
  auto rp = write_rtplan(dir / "rtplan.dcm", study, info, rp_options);
  if (!rp) return rp.error();

  RtDoseWriteOptions rd_options;
  rd_options.series.series_number = 4;
  rd_options.sop_instance_uid = make_uid(study.uid_seed + "/rtdose");
  rd_options.referenced_plan_uid = *rp;
  auto rd = write_rtdose(dir / "rtdose.dcm", study, plan.dose, rd_options);
  if (!rd) return rd.error();
  return ok();
}

}  // namespace sbrtkit::bench
