#pragma once
/// Exact Euclidean distances to the solid a contour stack describes: each plane's even-odd region
/// (ContourPlane::contains) extruded over its slab. One implementation for every command that asks
/// "how far from the target": qa (D2cm, distance to the PTV surface), lesions and response (signed
/// distance of a lesion centroid to the nearest PTV).

#include <memory>

#include "sbrtkit/contour_stack.h"
#include "sbrtkit/geometry.h"

namespace sbrtkit {

class StackDistance {
 public:
  explicit StackDistance(const ContourStack& stack);
  ~StackDistance();
  StackDistance(StackDistance&&) noexcept;
  StackDistance& operator=(StackDistance&&) noexcept;

  /// Distance (mm) from p to the solid, 0 inside. With stop_below_mm > 0 the search may stop early
  /// once some point of the solid is nearer than it: the result is then an upper bound below
  /// stop_below_mm (exact whenever it is >= stop_below_mm).
  double distance_mm(PatientPoint p, double stop_below_mm = 0) const;
  /// A cheap lower bound of distance_mm (distance to the stack's bounding box).
  double lower_bound_mm(PatientPoint p) const;
  /// Signed distance (mm) to the solid's surface: negative inside, positive outside, infinity for an
  /// empty stack. Inside means ContourStack::contains (half-open slabs), so a point on the face
  /// between an inside slab and an outside one, or on the top end cap, is outside at distance 0.
  double signed_distance_mm(PatientPoint p) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace sbrtkit
