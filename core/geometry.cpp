#include "sbrtkit/geometry.h"

#include <cassert>

namespace sbrtkit {

ImageGeometry::ImageGeometry(std::array<std::int64_t, 3> size, PatientPoint origin, Vec3 spacing_mm,
                             std::array<Vec3, 3> axes)
    : size_(size), origin_(origin), spacing_mm_(spacing_mm), axes_(axes) {
  assert(spacing_mm.x > 0 && spacing_mm.y > 0 && spacing_mm.z > 0);
  for (auto& a : axes_) a = normalized(a);
}

Vec3 ImageGeometry::step(int a) const {
  const double s = a == 0 ? spacing_mm_.x : a == 1 ? spacing_mm_.y : spacing_mm_.z;
  return s * axes_[static_cast<std::size_t>(a)];
}

PatientPoint ImageGeometry::to_patient(IndexPoint p) const {
  return origin_ + (p.i * step(0) + p.j * step(1) + p.k * step(2));
}

PatientPoint ImageGeometry::to_patient(VoxelIndex v) const {
  return to_patient(IndexPoint{double(v.i), double(v.j), double(v.k)});
}

IndexPoint ImageGeometry::index_delta(Vec3 d) const {
  // Axes are orthonormal, so the inverse of the direction matrix is its transpose.
  return {dot(d, axes_[0]) / spacing_mm_.x, dot(d, axes_[1]) / spacing_mm_.y,
          dot(d, axes_[2]) / spacing_mm_.z};
}

IndexPoint ImageGeometry::to_index(PatientPoint p) const { return index_delta(p - origin_); }

VoxelIndex ImageGeometry::nearest_voxel(PatientPoint p) const {
  const IndexPoint q = to_index(p);
  return {std::int64_t(std::llround(q.i)), std::int64_t(std::llround(q.j)), std::int64_t(std::llround(q.k))};
}

bool ImageGeometry::contains(PatientPoint p) const {
  const IndexPoint q = to_index(p);
  return q.i >= -0.5 && q.j >= -0.5 && q.k >= -0.5 && q.i <= double(size_[0]) - 0.5 &&
         q.j <= double(size_[1]) - 0.5 && q.k <= double(size_[2]) - 0.5;
}

bool ImageGeometry::same_grid(const ImageGeometry& other, double tol_mm) const {
  if (size_ != other.size_) return false;
  const IndexPoint corner{double(size_[0] - 1), double(size_[1] - 1), double(size_[2] - 1)};
  return norm(origin_ - other.origin_) <= tol_mm &&
         norm(to_patient(corner) - other.to_patient(corner)) <= tol_mm &&
         norm(to_patient(IndexPoint{corner.i, 0, 0}) - other.to_patient(IndexPoint{corner.i, 0, 0})) <= tol_mm &&
         norm(to_patient(IndexPoint{0, corner.j, 0}) - other.to_patient(IndexPoint{0, corner.j, 0})) <= tol_mm;
}

}  // namespace sbrtkit
