// Physical and EQD2 sums of several courses on one grid. See include/sbrtkit/dose_accumulation.h.
#include "sbrtkit/dose_accumulation.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "sbrtkit/radiobiology.h"
#include "number_text.h"

namespace sbrtkit {

using detail::number_text;
namespace {

constexpr double kGridTolMm = 1e-6;

std::string course_key(std::size_t c, const CourseOnGrid& course) {
  return "courses[" + std::to_string(c) + "]" + (course.label.empty() ? "" : " (" + course.label + ")");
}

Status check_inputs(const std::vector<CourseOnGrid>& courses, const Volume<float>& ab, const Volume<float>* recovery) {
  if (courses.empty()) return Error::bad_argument("courses", "at least one course", "none");
  const ImageGeometry& g = courses.front().dose_gy.geometry;
  const std::size_t n = static_cast<std::size_t>(g.voxel_count());
  auto same = [&](const ImageGeometry& other, std::size_t size) { return other.same_grid(g, kGridTolMm) && size == n; };
  for (std::size_t c = 0; c < courses.size(); ++c) {
    const auto& course = courses[c];
    const std::string key = course_key(c, course);
    if (!same(course.dose_gy.geometry, course.dose_gy.voxels.size()))
      return Error::bad_argument(key + ".dose_gy", "the accumulation grid of courses[0]", "another grid");
    if (!course.covered.voxels.empty() && !same(course.covered.geometry, course.covered.voxels.size()))
      return Error::bad_argument(key + ".covered", "the accumulation grid of courses[0]", "another grid");
    if (course.fractions < 1) return Error::bad_argument(key + ".fractions", "at least 1", std::to_string(course.fractions));
    for (float d : course.dose_gy.voxels)
      if (!(std::isfinite(d) && d >= 0)) return Error::bad_argument(key + ".dose_gy", "finite doses >= 0 Gy", number_text(d));
  }
  if (!same(ab.geometry, ab.voxels.size()))
    return Error::bad_argument("alpha_beta_gy", "a map on the accumulation grid", "another grid");
  for (float v : ab.voxels)
    if (!(std::isfinite(v) && v > 0)) return Error::bad_argument("alpha_beta_gy", "a/b > 0 Gy in every voxel", number_text(v));
  if (recovery) {
    if (!same(recovery->geometry, recovery->voxels.size()))
      return Error::bad_argument("recovery_fraction", "a map on the accumulation grid", "another grid");
    for (float r : recovery->voxels)
      if (!(r >= 0 && r <= 1)) return Error::bad_argument("recovery_fraction", "a fraction in [0, 1]", number_text(r));
  }
  return ok();
}

}  // namespace

Expected<AccumulatedDose> accumulate_dose(const std::vector<CourseOnGrid>& courses, const Volume<float>& alpha_beta_gy,
                                          const Volume<float>* recovery_fraction) {
  if (auto s = check_inputs(courses, alpha_beta_gy, recovery_fraction); !s) return s.error();
  const ImageGeometry& g = courses.front().dose_gy.geometry;
  AccumulatedDose out;
  out.physical_gy = DoseVolume(g, 0.0f);
  out.eqd2_gy = DoseVolume(g, 0.0f);
  out.courses_covering = Volume<std::uint8_t>(g, 0);
  const std::int64_t n = g.voxel_count();
  const std::size_t last = courses.size() - 1;
  // One voxel at a time over the courses in their given order, in double: the same sums whatever the
  // thread count.
#pragma omp parallel for schedule(static)
  for (std::int64_t v = 0; v < n; ++v) {
    const auto vi = static_cast<std::size_t>(v);
    const double ab = alpha_beta_gy.voxels[vi];
    const double r = recovery_fraction ? double(recovery_fraction->voxels[vi]) : 0.0;
    double physical = 0, eqd2 = 0;
    unsigned covering = 0;
    for (std::size_t c = 0; c < courses.size(); ++c) {
      const auto& course = courses[c];
      const double d = course.dose_gy.voxels[vi];
      const double e = eqd2_of_physical_dose(d, course.fractions, ab);
      physical += d;
      eqd2 += c == last ? e : (1.0 - r) * e;
      if (course.covered.voxels.empty() || course.covered.voxels[vi]) ++covering;
    }
    out.physical_gy.voxels[vi] = float(physical);
    out.eqd2_gy.voxels[vi] = float(eqd2);
    out.courses_covering.voxels[vi] = static_cast<std::uint8_t>(std::min(covering, 255u));
  }
  for (const auto& course : courses) {
    std::int64_t uncovered = 0;
    for (std::uint8_t c : course.covered.voxels) uncovered += c ? 0 : 1;
    out.uncovered_voxels.push_back(uncovered);
  }
  out.notes.push_back("physical: sum of the courses' physical doses, voxel by voxel");
  out.notes.push_back("EQD2: sum over courses of D (D / n + a/b) / (2 + a/b), D the course's dose in the voxel, "
                      "n its fractions, a/b from the voxel's structure (smallest where structures overlap)");
  out.notes.push_back(recovery_fraction
                          ? "recovery: the EQD2 of every course but the last is multiplied by (1 - r), r the voxel's "
                            "recovered fraction; the last course and the physical sum are not reduced"
                          : "recovery: none (no recovery between courses)");
  out.notes.push_back("dose outside a course's calculated grid counts as 0 Gy for that course");
  return out;
}

double uncovered_volume_mm3(const LesionVoxels& occupancy, const Volume<std::uint8_t>& covered) {
  const std::int64_t n = covered.geometry.voxel_count();
  double mm3 = 0;
  for (std::size_t v = 0; v < occupancy.index.size(); ++v) {
    const std::int64_t idx = occupancy.index[v];
    const bool in = idx >= 0 && idx < n && covered.voxels[static_cast<std::size_t>(idx)];
    if (!in) mm3 += v < occupancy.weight.size() ? double(occupancy.weight[v]) : 1.0;
  }
  return mm3 * covered.geometry.voxel_volume_mm3();
}

}  // namespace sbrtkit
