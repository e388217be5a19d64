// The longitudinal patient as a pure model: two courses, three PET/CT studies, the designed outcome of
// every lesion, and the closed-form cumulative doses. See include/sbrtkit/phantom/longitudinal.h.
#include <algorithm>
#include <cmath>
#include <numbers>

#include "sbrtkit/phantom/longitudinal.h"

namespace sbrtkit::phantom {

namespace {

constexpr std::array<Vec3, 3> kAxes = {Vec3{1, 0, 0}, Vec3{0, 1, 0}, Vec3{0, 0, 1}};

ImageGeometry moved(const ImageGeometry& g, Vec3 by) {
  return ImageGeometry(g.size(), g.origin() + by, g.spacing_mm(), g.axes());
}

ImageGeometry square_grid(std::int64_t n, double pixel_mm, double cx, double cy, double z0, std::int64_t nz, double dz) {
  const double half = 0.5 * static_cast<double>(n - 1) * pixel_mm;
  return ImageGeometry({n, n, nz}, PatientPoint{cx - half, cy - half, z0}, Vec3{pixel_mm, pixel_mm, dz}, kAxes);
}

Vec3 equivalent_axes(const StarBody& b) {
  double e = 1;
  for (const auto& h : b.harmonics) e += 0.5 * h.amplitude * h.amplitude;
  const double r = b.radius_mm * std::sqrt(e);  // same volume as the smooth GTV
  return Vec3{r, r, b.half_length_mm};
}

Vec3 scaled(Vec3 v, double s) { return Vec3{v.x * s, v.y * s, v.z * s}; }

/// L4: the L3 target moved one vertebral level (45 mm) down, its centre between the L3/L4 and L4/L5
/// discs (z = 30, 70) and half-way between planes of every grid size (z = -150 + 15 m + 7.5).
Target l4_from(const Target& l3) {
  Target t = l3;
  t.key = "L4";
  t.gtv_name = "GTV_L4";
  t.ptv_name = "PTV_L4";
  t.gtv.centre.z = l3.gtv.centre.z - 45;
  t.ptv = t.gtv.expanded(t.margin_mm);
  t.prescription_gy = 24;  // re-irradiation next to an earlier spine field: a lower dose
  t.rho100 = 1 + kDefaultRxMarginMm / t.ptv.radius_mm;
  t.solve_profile();
  return t;
}

Radiopharmaceutical tracer(const char* date, const char* injection, const char* scan_time, double uptake_s,
                           double dose_bq, double weight_kg) {
  Radiopharmaceutical r;
  r.injection_datetime = injection;
  r.scan_date = date;
  r.scan_time = scan_time;
  r.uptake_time_s = uptake_s;
  r.injected_dose_bq = dose_bq;
  r.patient_weight_kg = weight_kg;
  return r;
}

OutcomeTruth truth(const char* course, const char* outcome, bool treated, std::optional<std::string> study,
                   std::optional<int> days, int followed, const char* why) {
  return {course, outcome, treated, std::move(study), days, followed, why};
}

}  // namespace

double eqd2_gy(double d, int n, double ab) { return d * (d / n + ab) / (2 + ab); }

Grids course_grids(const LongitudinalCourse& course, PhantomSize size) {
  const Grids g = planning_grids(size);
  const Vec3 t = course.anatomy_to_frame.translation_mm;
  return {moved(g.ct, t), moved(g.dose, t)};
}

double course_dose_gy(const LongitudinalCourse& course, PatientPoint anatomy) {
  return dose_gy_at(course.model, anatomy);
}

LongitudinalPatient longitudinal_patient(std::uint64_t seed, PhantomSize size) {
  LongitudinalPatient p;
  const Model base = build_model(seed);
  const Grids grids = planning_grids(size);
  const std::vector<double> planes = plane_positions(grids.ct);

  // Course 1: L3 and the left external iliac node, 30 and 24 Gy in 3 fractions, planned in a frame
  // shifted and turned against the anatomy. The plan is normalised on the anatomy-aligned grid (its
  // frame differs from it by 2 degrees: the coverage on the written grid may differ by a few 0.1%).
  LongitudinalCourse c1;
  c1.label = "course1";
  c1.plan_date = "20240122";
  c1.anatomy_to_frame = {2.0, Vec3{5, -8, 12}};
  c1.model = base;
  c1.model.targets = {base.targets[0], base.targets[1]};
  normalise_on_grid(c1.model, grids.dose, planes);
  // Course 2: L4, 24 Gy in 3 fractions; its planning frame is the anatomy frame (the reference).
  LongitudinalCourse c2;
  c2.label = "course2";
  c2.plan_date = "20240805";
  c2.model = base;
  c2.model.targets = {l4_from(base.targets[0])};
  normalise_on_grid(c2.model, grids.dose, planes);
  p.anatomy = base;
  p.anatomy.targets = {c1.model.targets[0], c1.model.targets[1], c2.model.targets[0]};
  p.courses = {c1, c2};
  const Target& l3 = c1.model.targets[0];
  const Target& node = c1.model.targets[1];
  const Target& l4 = c2.model.targets[0];

  // Studies, each in its own frame.
  p.studies.resize(3);
  auto& s1 = p.studies[0];
  s1.label = "study1";
  s1.study_date = "20240108";
  s1.planning_to_frame = {-1.0, Vec3{-3, 10, 20}};
  s1.tracer = tracer("20240108", "20240108093000", "103000", 3600, 200e6, 80);
  auto& s2 = p.studies[1];
  s2.label = "study2";
  s2.study_date = "20240715";
  s2.planning_to_frame = {3.0, Vec3{8, 5, -6}};
  s2.tracer = tracer("20240715", "20240715090000", "100200", 3720, 212e6, 78.5);
  auto& s3 = p.studies[2];
  s3.label = "study3";
  s3.study_date = "20250203";
  s3.planning_to_frame = {-2.0, Vec3{-6, -4, 10}};
  s3.tracer = tracer("20250203", "20250203084500", "094500", 3600, 205e6, 77);

  // The marginal recurrence of L3: 10 mm outside PTV_L3 on its mid plane, towards patient right (-x):
  // within the 20 mm marginal distance of the response rules, 7 mm or more from the treated lesion.
  const double edge = l3.ptv.radius_mm * l3.ptv.shape_factor(std::numbers::pi) + 10.0;
  const PatientPoint margin{l3.ptv.centre.x - edge, l3.ptv.centre.y, l3.ptv.centre.z};
  const PatientPoint ilium{90, 25, 20}, sacrum{-35, 57, -22.5};
  const Vec3 r10{10, 10, 10};
  s1.lesions = {
      {"L3", "baseline", true, l3.key, l3.gtv.centre, equivalent_axes(l3.gtv), 14.0},
      {"Node_L", "baseline", true, node.key, node.gtv.centre, equivalent_axes(node.gtv), 9.0},
      {"Ilium_L", "baseline", false, "", ilium, r10, 6.0},
      {"Sacrum_R", "baseline", false, "", sacrum, r10, 5.0},
  };
  s2.lesions = {
      {"L3", "responding", true, l3.key, l3.gtv.centre, scaled(equivalent_axes(l3.gtv), 0.7), 4.0},
      {"Node_L", "stable", true, node.key, node.gtv.centre, equivalent_axes(node.gtv), 8.6},
      {"Ilium_L", "stable", false, "", ilium, r10, 6.2},
      {"Sacrum_R", "stable", false, "", sacrum, r10, 5.2},
      {"L4", "new", false, l4.key, l4.gtv.centre, equivalent_axes(l4.gtv), 8.0},
  };
  s3.lesions = {
      {"L3", "stable", true, l3.key, l3.gtv.centre, scaled(equivalent_axes(l3.gtv), 0.7), 3.9},
      {"Node_L", "stable", true, node.key, node.gtv.centre, equivalent_axes(node.gtv), 8.5},
      {"Ilium_L", "progressing_out_of_field", false, "", ilium, Vec3{13, 13, 13}, 9.5},
      {"Sacrum_R", "stable", false, "", sacrum, r10, 5.1},
      {"L4", "in_field_progression", true, l4.key, l4.gtv.centre, scaled(equivalent_axes(l4.gtv), 1.15), 14.0},
      {"L3_margin", "marginal_recurrence", false, "", margin, Vec3{5, 5, 5}, 8.0},
  };
  for (auto& tp : p.studies) {
    const Vec3& tr = tp.planning_to_frame.translation_mm;
    const double cx = std::round(tr.x), cy = std::round(tr.y - 5), z0 = -150 + tr.z;
    tp.pet_geometry = square_grid(128, 4.0, cx, cy, z0, 84, 4.0);
    tp.ct_geometry = size == PhantomSize::small ? tp.pet_geometry : square_grid(256, 2.0, cx, cy, z0, 84, 4.0);
  }

  // Days from each plan date to each study date, counted by hand (month lengths, 2024 a leap year):
  //   course 1, 2024-01-22: study1 2024-01-08 -14; study2 2024-07-15 9+29+31+30+31+30+15 = 175;
  //                         study3 2025-02-03 366 (to 2025-01-22) + 12 = 378.
  //   course 2, 2024-08-05: study1 -(31+29+31+30+31+30+31 - 3) = -210; study2 -(16 + 5) = -21;
  //                         study3 31+30+31+30+31+31 (to 2025-02-05) - 2 = 182.
  p.days_from_plan = {{-14, 175, 378}, {-210, -21, 182}};

  // Designed outcomes, by the rules of core/lesion_history.h.
  p.lesions = {
      {"L3",
       {truth("course1", "marginal_failure", true, "study3", 378, 378,
              "treated by course 1; L3_margin appears at study3 10 mm outside PTV_L3 (marginal: <= 20 mm)"),
        truth("course2", "not_progressed", false, std::nullopt, std::nullopt, 182, "stable at study3")}},
      {"Node_L",
       {truth("course1", "controlled", true, std::nullopt, std::nullopt, 378, "stable to the last study"),
        truth("course2", "not_progressed", false, std::nullopt, std::nullopt, 182, "stable at study3")}},
      {"Ilium_L",
       {truth("course1", "out_of_field_progression", false, "study3", 378, 378, "SUV 6.2 -> 9.5, radius 10 -> 13 mm"),
        truth("course2", "out_of_field_progression", false, "study3", 182, 182, "SUV 6.2 -> 9.5")}},
      {"Sacrum_R",
       {truth("course1", "not_progressed", false, std::nullopt, std::nullopt, 378, "stable"),
        truth("course2", "not_progressed", false, std::nullopt, std::nullopt, 182, "stable")}},
      {"L4",
       {truth("course1", "new", false, "study2", 175, 175, "first seen at study2, 45 mm below PTV_L3"),
        truth("course2", "local_failure", true, "study3", 182, 182,
              "treated by course 2; SUV 8 -> 14, 15% larger, inside PTV_L4")}},
      {"L3_margin",
       {truth("course1", "new", false, "study3", 378, 378, "first seen at study3"),
        truth("course2", "new", false, "study3", 182, 182, "first seen at study3")}},
  };

  // Named points (anatomy = reference frame). The cauda equina's anterior surface is y = 62 for z >= 5
  // (ellipse 8 x 6 mm about y = 68): the points sit 0.5 mm inside it.
  const double z3 = l3.gtv.centre.z, z4 = l4.gtv.centre.z;
  p.points = {
      {"CaudaEquina_anterior_L3", "CaudaEquina", {0, 62.5, z3}, 2},
      {"CaudaEquina_anterior_L4", "CaudaEquina", {0, 62.5, z4}, 2},
      {"CaudaEquina_between", "CaudaEquina", {0, 62.5, 0.5 * (z3 + z4)}, 2},
      {"SpinalCord_conus", "SpinalCord", {0, 68, 150}, 2},
      {"GTV_L3_centre", "GTV_L3", l3.gtv.centre, 10},
      {"GTV_Node_L_centre", "GTV_Node_L", node.gtv.centre, 10},
      {"GTV_L4_centre", "GTV_L4", l4.gtv.centre, 10},
  };
  return p;
}

StructureMaxTruth structure_max_truth(const LongitudinalPatient& p, int roi, const std::string& name, double ab,
                                      const std::vector<double>& planes) {
  StructureMaxTruth out;
  out.structure = name;
  out.alpha_beta_gy = ab;
  const std::size_t nc = p.courses.size();
  out.course_max_gy.assign(nc, 0);
  out.course_eqd2_max_gy.assign(nc, 0);
  std::vector<double> z_used;
  for (double z : planes)
    if (!structure_loops(p.anatomy, roi, z).empty()) z_used.push_back(z);
  constexpr double kPitchMm = 0.5;
  constexpr int kSubZ = 4;
  for (std::size_t n = 0; n < z_used.size(); ++n) {
    const double below = n > 0 ? z_used[n] - z_used[n - 1] : (z_used.size() > 1 ? z_used[1] - z_used[0] : 1.0);
    const double above = n + 1 < z_used.size() ? z_used[n + 1] - z_used[n] : below;
    const double z0 = z_used[n] - 0.5 * below, dz = (0.5 * below + 0.5 * above) / kSubZ;
    const auto loops = structure_loops(p.anatomy, roi, z_used[n]);
    for (const auto& l : loops) {
      const double r = l.bounding_radius();
      for (double y = l.cy - r + 0.5 * kPitchMm; y < l.cy + r; y += kPitchMm)
        for (double x = l.cx - r + 0.5 * kPitchMm; x < l.cx + r; x += kPitchMm) {
          bool inside = false;
          for (const auto& q : loops)
            if (q.contains(x, y)) inside = !inside;
          if (!inside) continue;
          for (int c = 0; c < kSubZ; ++c) {
            const PatientPoint q{x, y, z0 + (c + 0.5) * dz};
            double phys = 0, eqd2 = 0;
            for (std::size_t k = 0; k < nc; ++k) {
              const double d = course_dose_gy(p.courses[k], q);
              const double e = eqd2_gy(d, p.courses[k].fractions, ab);
              out.course_max_gy[k] = std::max(out.course_max_gy[k], d);
              out.course_eqd2_max_gy[k] = std::max(out.course_eqd2_max_gy[k], e);
              phys += d;
              eqd2 += e;
            }
            out.physical_max_gy = std::max(out.physical_max_gy, phys);
            if (eqd2 > out.eqd2_max_gy) out.eqd2_max_gy = eqd2, out.eqd2_max_at = q;
          }
        }
    }
  }
  return out;
}

}  // namespace sbrtkit::phantom
