// Pull resampling of a course's dose into the reference frame, and the union grid of every course's
// dose. See include/sbrtkit/dose_resample.h.
#include "sbrtkit/dose_resample.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>

#include "trilinear_sampler.h"

namespace sbrtkit {

ResampledDose resample_dose(const DoseVolume& course_dose, const RigidMap& course_to_reference,
                            const ImageGeometry& target) {
  ResampledDose out;
  out.dose_gy = DoseVolume(target, 0.0f);
  out.covered = Volume<std::uint8_t>(target, 0);
  if (course_dose.geometry.voxel_count() == 0 || target.voxel_count() == 0) {
    out.uncovered_voxels = target.voxel_count();
    return out;
  }
  // The target voxel (i,j,k) maps to the course's continuous index base + i di + j dj + k dk: an affine
  // map, evaluated in closed form per voxel (not accumulated), so the result does not depend on how the
  // loop is split between threads.
  const RigidMap to_course = course_to_reference.inverse();
  const ImageGeometry& cg = course_dose.geometry;
  const IndexPoint base = cg.to_index(to_course.apply(target.origin()));
  const IndexPoint di = cg.index_delta(to_course.apply(target.step(0)));
  const IndexPoint dj = cg.index_delta(to_course.apply(target.step(1)));
  const IndexPoint dk = cg.index_delta(to_course.apply(target.step(2)));
  const detail::TrilinearSampler sampler(course_dose);
  const std::int64_t nx = target.size()[0], ny = target.size()[1], nz = target.size()[2];
  std::int64_t covered = 0;
#pragma omp parallel for collapse(2) schedule(static) reduction(+ : covered)
  for (std::int64_t k = 0; k < nz; ++k)
    for (std::int64_t j = 0; j < ny; ++j) {
      const double fj = double(j), fk = double(k);
      for (std::int64_t i = 0; i < nx; ++i) {
        const double fi = double(i);
        const double ci = base.i + fi * di.i + fj * dj.i + fk * dk.i;
        const double cj = base.j + fi * di.j + fj * dj.j + fk * dk.j;
        const double ck = base.k + fi * di.k + fj * dj.k + fk * dk.k;
        double d = 0;
        if (!sampler.sample(ci, cj, ck, d)) continue;
        const std::size_t n = static_cast<std::size_t>(i + nx * (j + ny * k));
        out.dose_gy.voxels[n] = static_cast<float>(d);
        out.covered.voxels[n] = 1;
        ++covered;
      }
    }
  out.covered_voxels = covered;
  out.uncovered_voxels = target.voxel_count() - covered;
  return out;
}

namespace {

bool finite_map(const RigidMap& m) {
  for (double r : m.rotation)
    if (!std::isfinite(r)) return false;
  return std::isfinite(m.translation_mm.x) && std::isfinite(m.translation_mm.y) && std::isfinite(m.translation_mm.z);
}

}  // namespace

Expected<ImageGeometry> union_dose_grid(const ImageGeometry& reference_dose_grid,
                                        const std::vector<CourseGrid>& courses, std::int64_t max_voxels) {
  if (courses.empty()) return Error::bad_argument("courses", "at least one course dose grid", "none");
  double lo[3], hi[3];
  for (int a = 0; a < 3; ++a) {
    lo[a] = std::numeric_limits<double>::infinity();
    hi[a] = -std::numeric_limits<double>::infinity();
  }
  for (std::size_t c = 0; c < courses.size(); ++c) {
    const auto& g = courses[c].grid;
    if (g.voxel_count() <= 0)
      return Error::bad_argument("courses[" + std::to_string(c) + "]", "a dose grid with voxels", "an empty grid");
    if (!finite_map(courses[c].to_reference))
      return Error::bad_argument("courses[" + std::to_string(c) + "].to_reference", "a finite rigid map",
                                 "non-finite values");
    // The outer corners of the voxel cells (index -0.5 and n - 0.5), in the reference grid's index space.
    for (int corner = 0; corner < 8; ++corner) {
      const IndexPoint q{(corner & 1) ? double(g.size()[0]) - 0.5 : -0.5,
                         (corner & 2) ? double(g.size()[1]) - 0.5 : -0.5,
                         (corner & 4) ? double(g.size()[2]) - 0.5 : -0.5};
      const IndexPoint r = reference_dose_grid.to_index(courses[c].to_reference.apply(g.to_patient(q)));
      const double v[3] = {r.i, r.j, r.k};
      for (int a = 0; a < 3; ++a) {
        lo[a] = std::min(lo[a], v[a]);
        hi[a] = std::max(hi[a], v[a]);
      }
    }
  }
  // Centres first..last whose cells [c - 0.5, c + 0.5] cover [lo, hi]; the 1e-9 keeps a corner that
  // lands on a cell boundary up to rounding from adding a whole slab of voxels.
  std::array<std::int64_t, 3> first{}, size{};
  for (int a = 0; a < 3; ++a) {
    const double f = std::floor(lo[a] + 0.5 + 1e-9), l = std::ceil(hi[a] - 0.5 - 1e-9);
    if (!(std::abs(f) < 1e12 && std::abs(l) < 1e12))
      return Error::bad_argument("courses", "dose grids of a finite extent", "a union without bounds");
    first[a] = std::int64_t(f);
    size[a] = std::int64_t(l) - first[a] + 1;
  }
  if (double(size[0]) * double(size[1]) * double(size[2]) > double(max_voxels))
    return Error::bad_argument("courses", "a union dose grid of at most " + std::to_string(max_voxels) + " voxels",
                               std::to_string(size[0]) + " x " + std::to_string(size[1]) + " x " +
                                   std::to_string(size[2]) + " voxels (check the registrations)");
  const PatientPoint origin =
      reference_dose_grid.to_patient(IndexPoint{double(first[0]), double(first[1]), double(first[2])});
  return ImageGeometry(size, origin, reference_dose_grid.spacing_mm(), reference_dose_grid.axes());
}

}  // namespace sbrtkit
