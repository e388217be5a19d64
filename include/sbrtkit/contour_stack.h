#pragma once
/// A structure's closed planar contours, brought into the structure's own plane frame: (u, v) in-plane,
/// w along the common plane normal, all in mm. Each plane owns a slab of w (half the gap to each
/// neighbour; end caps beyond the first and last planes), so the stack describes a solid.
/// Contours on any family of parallel planes are supported (axial, sagittal, coronal or oblique);
/// contours that do not share one normal are rejected with an error.

#include <cstddef>
#include <string>
#include <vector>

#include "sbrtkit/dvh_engine.h"
#include "sbrtkit/expected.h"
#include "sbrtkit/geometry.h"
#include "sbrtkit/structure.h"

namespace sbrtkit {

struct PlanarPoint {
  double u = 0, v = 0;
};

struct ContourPlane {
  double w_mm = 0;          // plane position along the normal
  double slab_low_mm = 0;   // the w range this plane represents
  double slab_high_mm = 0;
  /// Closed loops without a repeated closing point; combined by the even-odd rule, so a loop inside
  /// another is a hole and overlapping loops XOR (DICOM's rule for several loops on one plane).
  std::vector<std::vector<PlanarPoint>> loops;

  double thickness_mm() const { return slab_high_mm - slab_low_mm; }
  /// Even-odd test of an in-plane point against the loops: the one inside test behind every solid
  /// query (ContourStack::contains, StackDistance). A point exactly on an edge may fall either side.
  bool contains(double u, double v) const;
};

struct ContourStack {
  PatientPoint origin;  // (u, v, w) = (0, 0, 0)
  Vec3 u_axis, v_axis, normal;
  std::vector<ContourPlane> planes;  // ascending w
  std::size_t open_contours = 0;     // OPEN_PLANAR / OPEN_NONPLANAR: listed, no volume
  std::size_t point_contours = 0;    // POINT: listed, no volume

  PatientPoint to_patient(double u, double v, double w) const {
    return origin + (u * u_axis + v * v_axis + w * normal);
  }
  /// Sum over planes of |loop area| x slab thickness: an upper bound of the volume used to size the
  /// sampling (exact when loops do not overlap and holes are counted; good enough for step choice).
  double nominal_volume_mm3() const;
  /// True when p lies in the solid the stack stands for: inside the slab of a plane and inside that
  /// plane's loops by the even-odd rule. Slabs are half-open, [slab_low_mm, slab_high_mm): a point on
  /// the boundary between two slabs belongs to the upper plane, and the top end cap's face is outside,
  /// so that abutting slabs never count a point twice.
  bool contains(PatientPoint p) const;
};

/// Tolerance for planarity (mm): coordinates exported with two decimals are off by up to 0.005 mm,
/// and some systems round to 0.01 mm in patient axes that are not the plane axes.
inline constexpr double kPlaneToleranceMm = 0.05;

/// Errors name the ROI: fewer than 3 distinct points in a closed contour, non-finite coordinates,
/// a contour that is not planar or not parallel to the others.
Expected<ContourStack> build_contour_stack(const Structure& structure, EndCap end_cap,
                                           double single_plane_thickness_mm);

}  // namespace sbrtkit
