#include "sbrtkit/contour_stack.h"

#include <algorithm>
#include <cmath>
#include <string>

namespace sbrtkit {
namespace {

constexpr const char* kContourDataTag = "(3006,0050) ContourData";

std::string roi_context(const Structure& s) {
  return "ROI " + std::to_string(s.roi_number) + " '" + s.name + "'";
}

std::string format_mm(double value) {
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%.3f mm", value);
  return buffer;
}

std::string point_text(PatientPoint p) {
  char buffer[128];
  std::snprintf(buffer, sizeof buffer, "(%.6g, %.6g, %.6g) mm", p.x, p.y, p.z);
  return buffer;
}

/// Drops consecutive duplicates and a repeated closing point (some exporters write one).
std::vector<PatientPoint> distinct_loop(const std::vector<PatientPoint>& points) {
  constexpr double kSameMm = 1e-6;
  std::vector<PatientPoint> out;
  out.reserve(points.size());
  for (const auto& p : points)
    if (out.empty() || norm(p - out.back()) > kSameMm) out.push_back(p);
  while (out.size() > 1 && norm(out.front() - out.back()) <= kSameMm) out.pop_back();
  return out;
}

/// Newell's method: a vector normal to the loop whose length is twice the loop's area.
Vec3 newell_vector(const std::vector<PatientPoint>& loop) {
  Vec3 n;
  for (std::size_t a = 0; a < loop.size(); ++a) {
    const PatientPoint& p = loop[a];
    const PatientPoint& q = loop[(a + 1) % loop.size()];
    n.x += (p.y - q.y) * (p.z + q.z);
    n.y += (p.z - q.z) * (p.x + q.x);
    n.z += (p.x - q.x) * (p.y + q.y);
  }
  return n;
}

/// Canonical sign so that the same family of planes always gets the same frame.
Vec3 canonical_normal(Vec3 n) {
  n = normalized(n);
  const double ax = std::abs(n.x), ay = std::abs(n.y), az = std::abs(n.z);
  const double dominant = az >= ax && az >= ay ? n.z : ay >= ax ? n.y : n.x;
  return dominant < 0 ? -1.0 * n : n;
}

/// In-plane axes: the patient axis least aligned with the normal, projected into the plane, is u.
/// Axial contours get u = +x, v = +y.
void in_plane_axes(Vec3 normal, Vec3& u_axis, Vec3& v_axis) {
  const Vec3 candidates[3] = {{1, 0, 0}, {0, 1, 0}, {0, 0, 1}};
  const Vec3* best = &candidates[0];
  for (const auto& c : candidates)
    if (std::abs(dot(c, normal)) < std::abs(dot(*best, normal)) - 1e-12) best = &c;
  u_axis = normalized(*best - dot(*best, normal) * normal);
  v_axis = cross(normal, u_axis);
}

double loop_area_mm2(const std::vector<PlanarPoint>& loop) {
  double twice = 0;
  for (std::size_t a = 0; a < loop.size(); ++a) {
    const PlanarPoint& p = loop[a];
    const PlanarPoint& q = loop[(a + 1) % loop.size()];
    twice += p.u * q.v - q.u * p.v;
  }
  return 0.5 * std::abs(twice);
}

struct PlacedLoop {
  double w_mm;
  std::vector<PlanarPoint> points;
};

}  // namespace

double ContourStack::nominal_volume_mm3() const {
  double volume = 0;
  for (const auto& plane : planes)
    for (const auto& loop : plane.loops) volume += loop_area_mm2(loop) * plane.thickness_mm();
  return volume;
}

bool ContourPlane::contains(double u, double v) const {
  bool inside = false;
  for (const auto& loop : loops)
    for (std::size_t a = 0, b = loop.size() - 1; a < loop.size(); b = a++) {
      const PlanarPoint& pa = loop[a];
      const PlanarPoint& pb = loop[b];
      if ((pa.v > v) != (pb.v > v) && u < pa.u + (v - pa.v) * (pb.u - pa.u) / (pb.v - pa.v)) inside = !inside;
    }
  return inside;
}

bool ContourStack::contains(PatientPoint p) const {
  const Vec3 r = p - origin;
  const double u = dot(r, u_axis), v = dot(r, v_axis), w = dot(r, normal);
  for (const auto& plane : planes)
    if (w >= plane.slab_low_mm && w < plane.slab_high_mm) return plane.contains(u, v);
  return false;
}

Expected<ContourStack> build_contour_stack(const Structure& structure, EndCap end_cap,
                                           double single_plane_thickness_mm) {
  ContourStack stack;
  std::vector<std::vector<PatientPoint>> loops;
  for (std::size_t c = 0; c < structure.contours.size(); ++c) {
    const Contour& contour = structure.contours[c];
    for (const auto& p : contour.points) {
      if (!std::isfinite(p.x) || !std::isfinite(p.y) || !std::isfinite(p.z))
        return Error::bad_value("", kContourDataTag, "finite coordinates", "NaN or infinity")
            .with_context(roi_context(structure) + ", contour " + std::to_string(c + 1));
      // Beyond it areas lose every digit (a point at 1e30 mm gave a negative volume) and sampling costs
      // grow without bound: refuse, as dicom/rtstruct.cpp does for files.
      if (!within_patient_extent(p))
        return Error::bad_value("", kContourDataTag,
                                "coordinates within the plausible patient extent (+-" +
                                    std::to_string(int(kMaxPatientCoordinateMm)) + " mm on each axis)",
                                point_text(p))
            .with_context(roi_context(structure) + ", contour " + std::to_string(c + 1));
    }
    switch (contour.type) {
      case ContourType::point: ++stack.point_contours; continue;
      case ContourType::open_planar:
      case ContourType::open_nonplanar: ++stack.open_contours; continue;
      case ContourType::closed_planar:
      case ContourType::closed_planar_xor: break;
    }
    auto loop = distinct_loop(contour.points);
    if (loop.size() < 3)
      return Error::bad_value("", kContourDataTag, "a CLOSED_PLANAR contour with at least 3 distinct points",
                              std::to_string(loop.size()) + " distinct point(s)")
          .with_context(roi_context(structure) + ", contour " + std::to_string(c + 1));
    loops.push_back(std::move(loop));
  }
  if (loops.empty()) return stack;

  // The largest loop defines the plane family; its normal is the best conditioned.
  Vec3 reference{};
  for (const auto& loop : loops) {
    const Vec3 n = newell_vector(loop);
    if (norm(n) > norm(reference)) reference = n;
  }
  if (norm(reference) < 1e-9)
    return Error::bad_value("", kContourDataTag, "closed contours enclosing an area", "collinear points only")
        .with_context(roi_context(structure));
  stack.normal = canonical_normal(reference);
  in_plane_axes(stack.normal, stack.u_axis, stack.v_axis);

  std::vector<PlacedLoop> placed;
  placed.reserve(loops.size());
  for (std::size_t c = 0; c < loops.size(); ++c) {
    double w_min = 1e300, w_max = -1e300;
    PlacedLoop out;
    for (const auto& p : loops[c]) {
      const Vec3 r = p - stack.origin;
      const double w = dot(r, stack.normal);
      w_min = std::min(w_min, w);
      w_max = std::max(w_max, w);
      out.points.push_back({dot(r, stack.u_axis), dot(r, stack.v_axis)});
    }
    if (w_max - w_min > kPlaneToleranceMm)
      return Error::unsupported("", kContourDataTag,
                                "contour " + std::to_string(c + 1) + " is not in a plane parallel to the others " +
                                    "(spread " + format_mm(w_max - w_min) + " along the common normal; " +
                                    "non-planar or mixed-orientation contours are not supported)")
          .with_context(roi_context(structure));
    out.w_mm = 0.5 * (w_min + w_max);
    placed.push_back(std::move(out));
  }

  std::stable_sort(placed.begin(), placed.end(),
                   [](const PlacedLoop& a, const PlacedLoop& b) { return a.w_mm < b.w_mm; });
  for (auto& loop : placed) {
    if (stack.planes.empty() || loop.w_mm - stack.planes.back().w_mm > kPlaneToleranceMm) {
      stack.planes.push_back(ContourPlane{loop.w_mm, 0, 0, {}});
    }
    stack.planes.back().loops.push_back(std::move(loop.points));
  }

  // Each plane owns half the gap to each neighbour; the end planes get an end cap.
  auto& planes = stack.planes;
  const std::size_t n = planes.size();
  if (n == 1) {
    const double half = 0.5 * single_plane_thickness_mm;
    planes[0].slab_low_mm = planes[0].w_mm - half;
    planes[0].slab_high_mm = planes[0].w_mm + half;
    return stack;
  }
  for (std::size_t k = 0; k < n; ++k) {
    const double below = k > 0 ? 0.5 * (planes[k].w_mm - planes[k - 1].w_mm) : 0.0;
    const double above = k + 1 < n ? 0.5 * (planes[k + 1].w_mm - planes[k].w_mm) : 0.0;
    const double cap_below = end_cap == EndCap::half ? 0.5 * (planes[1].w_mm - planes[0].w_mm) : 0.0;
    const double cap_above = end_cap == EndCap::half ? 0.5 * (planes[n - 1].w_mm - planes[n - 2].w_mm) : 0.0;
    planes[k].slab_low_mm = planes[k].w_mm - (k > 0 ? below : cap_below);
    planes[k].slab_high_mm = planes[k].w_mm + (k + 1 < n ? above : cap_above);
  }
  return stack;
}

}  // namespace sbrtkit
