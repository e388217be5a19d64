#pragma once
// Closed-form test objects for DVH accuracy (after Nelms et al. 2015): solids of revolution about the
// contour-plane normal (spheres, cylinders, cones) and cylinders lying across the stack, contoured on
// planes placed so that half-slice end caps reach exactly the solid's extent, or (as in the published
// benchmark) on planes at an arbitrary offset from the solid's ends, in linear or radial dose fields. The truth (volume, V(>=d),
// Dx, mean, min, max) is computed from the analytic solid, never from sbrtkit's own code: 1-D integrals
// of closed-form cross-section areas, evaluated by composite Gauss-Legendre quadrature.

#include <functional>
#include <string>
#include <vector>

#include "sbrtkit/structure.h"
#include "sbrtkit/volume.h"

namespace sbrtkit::testing {

/// cylinder_across: a cylinder whose axis is x (across the contour stack): each plane cuts a rectangle.
enum class Shape { sphere, cylinder, cone, cylinder_across };
enum class Gradient { along_x, along_y, along_z, radial };

std::string to_string(Shape s);
std::string to_string(Gradient g);

/// A solid of revolution about the z axis through `centre` (or, for cylinder_across, a cylinder about
/// the x axis through it), extent [centre.z + z_low, centre.z + z_high].
struct Solid {
  Shape shape = Shape::sphere;
  double radius_mm = 12;  // sphere radius, cylinder radius, cone base radius
  double height_mm = 24;  // cylinder / cone height (sphere: 2 R); cylinder_across: its length along x
  PatientPoint centre{};

  double z_low() const { return -0.5 * extent(); }
  double z_high() const { return 0.5 * extent(); }
  double extent() const {
    return shape == Shape::sphere || shape == Shape::cylinder_across ? 2 * radius_mm : height_mm;
  }
  /// Cross-section radius at height z (relative to the centre); the cone's base is at z_low.
  /// cylinder_across: the half-width (along y) of the rectangle cut at height z.
  double radius_at(double z) const;
  /// Cross-section area at height z, and the part of it with x - centre.x >= a.
  double area_at(double z) const;
  double area_at_least_x(double z, double a) const;
  /// Largest |x - centre.x| of the cross-section at height z.
  double x_extent_at(double z) const;
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

/// Closed contours on planes z = z_low + phase h + k h (0 <= phase < 1), every plane where the solid
/// has a cross-section: the first and last planes fall wherever the solid's ends leave them, as in the
/// published benchmark (Nelms 2015), so half-slice caps no longer reach exactly the solid's extent.
Structure contour_solid_offset(const Solid& solid, double plane_spacing_mm, double phase, int roi_number = 1,
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
