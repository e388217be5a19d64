#pragma once
// Closed-form test objects for DVH accuracy (after Nelms et al. 2015): solids of revolution about the
// contour-plane normal (spheres, cylinders, cones), contoured on planes placed so that half-slice end
// caps reach exactly the solid's extent, in linear or radial dose fields. The truth (volume, V(>=d),
// Dx, mean, min, max) is computed from the analytic solid, never from sbrtkit's own code: 1-D integrals
// of closed-form cross-section areas, evaluated by composite Gauss-Legendre quadrature.

#include <functional>
#include <string>
#include <vector>

#include "sbrtkit/structure.h"
#include "sbrtkit/volume.h"

namespace sbrtkit::testing {

enum class Shape { sphere, cylinder, cone };
enum class Gradient { along_x, along_y, along_z, radial };

std::string to_string(Shape s);
std::string to_string(Gradient g);

/// A solid of revolution about the z axis through `centre`, extent [centre.z + z_low, centre.z + z_high].
struct Solid {
  Shape shape = Shape::sphere;
  double radius_mm = 12;  // sphere radius, cylinder radius, cone base radius
  double height_mm = 24;  // cylinder / cone height (sphere: 2 R)
  PatientPoint centre{};

  double z_low() const { return -0.5 * extent(); }
  double z_high() const { return 0.5 * extent(); }
  double extent() const { return shape == Shape::sphere ? 2 * radius_mm : height_mm; }
  /// Cross-section radius at height z (relative to the centre); the cone's base is at z_low.
  double radius_at(double z) const;
};

/// Dose = centre_dose + gradient * (coordinate - centre) for linear fields; for `radial`,
/// centre_dose - gradient * distance from the centre.
struct DoseModel {
  Gradient gradient = Gradient::along_z;
  double centre_dose_gy = 30;
  double gy_per_mm = 1;
  PatientPoint centre{};
  double operator()(PatientPoint p) const;
};

/// Closed contours on planes z = z_low + h/2 + k h, as a planning system exports them (regular polygons
/// whose area equals the circle's, first point not repeated).
Structure contour_solid(const Solid& solid, double plane_spacing_mm, int roi_number = 1,
                        const std::string& name = "TARGET", int vertices = 256);

/// A dose grid with the given spacing covering the solid plus margin, whose voxel centres are offset
/// by `shift_voxels` of a voxel from the solid's centre, with `axes` as its index directions.
DoseVolume make_dose_grid(const Solid& solid, const DoseModel& model, double spacing_mm, double shift_voxels,
                          double margin_mm = 6, std::array<Vec3, 3> axes = {Vec3{1, 0, 0}, Vec3{0, 1, 0},
                                                                           Vec3{0, 0, 1}});

/// Analytic DVH of a solid in a dose model.
class AnalyticDvh {
 public:
  AnalyticDvh(const Solid& solid, const DoseModel& model);
  double volume_cc() const { return volume_cc_; }
  double min_gy() const { return min_gy_; }
  double max_gy() const { return max_gy_; }
  double mean_gy() const { return mean_gy_; }
  double volume_at_least_cc(double dose_gy) const;
  /// Dose d with V(>=d) = volume_cc, by bisection on the monotone V (to 1e-9 Gy).
  double dose_at_volume_cc(double volume_cc) const;
  double dose_at_percent(double percent) const { return dose_at_volume_cc(percent / 100 * volume_cc_); }

 private:
  double integrate_z(const std::function<double(double)>& f) const;
  double integrate_z(const std::function<double(double)>& f, double z_from, double z_to) const;
  Solid solid_;
  DoseModel model_;
  double volume_cc_ = 0, min_gy_ = 0, max_gy_ = 0, mean_gy_ = 0;
};

}  // namespace sbrtkit::testing
