#pragma once
/// Coordinates are types. A voxel index, a continuous index and a point in DICOM patient space (LPS, mm)
/// never convert implicitly; `ImageGeometry` owns the only conversions between index and patient space.
/// DICOM grids are cell-centred: `origin` is the centre of voxel (0,0,0) (ImagePositionPatient of the
/// first slice), and voxel (i,j,k) covers the continuous index box [i-0.5, i+0.5] x ...

#include <array>
#include <cmath>
#include <cstdint>

namespace sbrtkit {

/// A displacement or direction in patient space (mm, or unitless for direction cosines).
struct Vec3 {
  double x = 0, y = 0, z = 0;

  friend Vec3 operator+(Vec3 a, Vec3 b) { return {a.x + b.x, a.y + b.y, a.z + b.z}; }
  friend Vec3 operator-(Vec3 a, Vec3 b) { return {a.x - b.x, a.y - b.y, a.z - b.z}; }
  friend Vec3 operator*(double s, Vec3 a) { return {s * a.x, s * a.y, s * a.z}; }
  friend Vec3 operator*(Vec3 a, double s) { return s * a; }
  friend bool operator==(const Vec3&, const Vec3&) = default;
};
inline double dot(Vec3 a, Vec3 b) { return a.x * b.x + a.y * b.y + a.z * b.z; }
inline Vec3 cross(Vec3 a, Vec3 b) {
  return {a.y * b.z - a.z * b.y, a.z * b.x - a.x * b.z, a.x * b.y - a.y * b.x};
}
inline double norm(Vec3 a) { return std::sqrt(dot(a, a)); }
inline Vec3 normalized(Vec3 a) { return (1.0 / norm(a)) * a; }

/// Integer voxel index; voxel centres sit at integers.
struct VoxelIndex {
  std::int64_t i = 0, j = 0, k = 0;
  friend bool operator==(const VoxelIndex&, const VoxelIndex&) = default;
};

/// Continuous index: (1.5, 0, 0) is half-way between the centres of voxels 1 and 2 along i.
struct IndexPoint {
  double i = 0, j = 0, k = 0;
};

/// A point in DICOM patient coordinates (LPS), mm.
struct PatientPoint {
  double x = 0, y = 0, z = 0;

  friend Vec3 operator-(PatientPoint a, PatientPoint b) { return {a.x - b.x, a.y - b.y, a.z - b.z}; }
  friend PatientPoint operator+(PatientPoint p, Vec3 d) { return {p.x + d.x, p.y + d.y, p.z + d.z}; }
  friend PatientPoint operator-(PatientPoint p, Vec3 d) { return {p.x - d.x, p.y - d.y, p.z - d.z}; }
  friend bool operator==(const PatientPoint&, const PatientPoint&) = default;
};

/// The plausible patient extent: every coordinate read from a plan (contour points, image and dose grid
/// corners) lies within +-kMaxPatientCoordinateMm of the patient-space origin. Planning systems put the
/// origin within a metre or two of the patient (table positions included); 10 m leaves a wide margin and
/// refuses geometry that is damage, not anatomy (a point at 1e30 mm made a negative volume, one at z = 1e9
/// mm allocated > 4 GiB, a 10^6 mm square sampled for minutes; issue 20). Checked before any allocation.
inline constexpr double kMaxPatientCoordinateMm = 10000;
inline bool within_patient_extent(double mm) { return mm >= -kMaxPatientCoordinateMm && mm <= kMaxPatientCoordinateMm; }
inline bool within_patient_extent(PatientPoint p) {
  return within_patient_extent(p.x) && within_patient_extent(p.y) && within_patient_extent(p.z);
}

/// Placement of a regular 3-D grid in patient space. `axis[0]` is the direction in which i grows
/// (DICOM row direction cosine, first triplet of ImageOrientationPatient), `axis[1]` the direction of j
/// (second triplet), `axis[2]` the direction of k (the slice order, which may be either sign of the
/// row x column normal). Spacings are positive. Axes are orthonormal.
class ImageGeometry {
 public:
  ImageGeometry() = default;
  ImageGeometry(std::array<std::int64_t, 3> size, PatientPoint origin, Vec3 spacing_mm,
                std::array<Vec3, 3> axes);

  const std::array<std::int64_t, 3>& size() const { return size_; }
  std::int64_t voxel_count() const { return size_[0] * size_[1] * size_[2]; }
  const PatientPoint& origin() const { return origin_; }
  const Vec3& spacing_mm() const { return spacing_mm_; }
  const std::array<Vec3, 3>& axes() const { return axes_; }
  double voxel_volume_mm3() const { return spacing_mm_.x * spacing_mm_.y * spacing_mm_.z; }

  PatientPoint to_patient(IndexPoint p) const;
  PatientPoint to_patient(VoxelIndex v) const;
  IndexPoint to_index(PatientPoint p) const;
  /// Patient-space displacement of one unit step along index axis a (spacing included).
  Vec3 step(int a) const;
  /// Index-space change per mm of patient displacement d.
  IndexPoint index_delta(Vec3 d) const;
  /// Voxel whose cell contains p (rounding to the nearest centre).
  VoxelIndex nearest_voxel(PatientPoint p) const;
  /// True when p lies in the union of the voxel cells, i.e. index in [-0.5, n-0.5] on every axis.
  bool contains(PatientPoint p) const;
  bool contains(VoxelIndex v) const {
    return v.i >= 0 && v.j >= 0 && v.k >= 0 && v.i < size_[0] && v.j < size_[1] && v.k < size_[2];
  }
  /// Flat position of a voxel in a volume's storage (i fastest, then j, then k).
  std::int64_t linear_index(VoxelIndex v) const { return v.i + size_[0] * (v.j + size_[1] * v.k); }
  /// Inverse of linear_index: the voxel stored at flat position n, 0 <= n < voxel_count().
  VoxelIndex index_of(std::int64_t n) const {
    const std::int64_t row = size_[0], plane = size_[0] * size_[1];
    return {n % row, (n % plane) / row, n / plane};
  }
  /// Same size, and origins, spacings and axes agreeing within tol_mm (axes compared at the far corner).
  bool same_grid(const ImageGeometry& other, double tol_mm) const;

 private:
  std::array<std::int64_t, 3> size_{0, 0, 0};
  PatientPoint origin_{};
  Vec3 spacing_mm_{1, 1, 1};
  std::array<Vec3, 3> axes_{Vec3{1, 0, 0}, Vec3{0, 1, 0}, Vec3{0, 0, 1}};
};

}  // namespace sbrtkit
