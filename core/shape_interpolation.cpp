#include "shape_interpolation.h"

#include <algorithm>
#include <cmath>

namespace sbrtkit::detail {
namespace {

bool in_intervals(const std::vector<Interval>& intervals, double u) {
  const auto it = std::upper_bound(intervals.begin(), intervals.end(), u,
                                   [](double x, const Interval& iv) { return x < iv.end; });
  return it != intervals.end() && u >= it->begin;
}

/// Zero of f between x0 and x1 where f(x0) and f(x1) have opposite signs: regula falsi with the
/// Illinois modification (superlinear on the nearly linear f met here, never leaves the bracket).
// f is a blend of two distance fields, nearly linear along a row over one crossing, so a few steps
// usually reach the tolerance; near a polygon's corner it has kinks where regula falsi is slow, and
// stopping early there costs accuracy (measured: rectangles of a cylinder across the stack), hence the
// generous bound.
constexpr int kMaxIterations = 60;

template <class F>
double root(const F& f, double x0, double f0, double x1, double f1, double tolerance_mm) {
  int side = 0;
  for (int it = 0; it < kMaxIterations && x1 - x0 > tolerance_mm; ++it) {
    const double x = (f1 - f0) != 0 ? x1 - f1 * (x1 - x0) / (f1 - f0) : 0.5 * (x0 + x1);
    const double fx = f(x);
    if (std::abs(fx) < 0.25 * tolerance_mm) return x;  // |f| is a distance: nearer than that to the surface
    if ((fx < 0) == (f0 < 0)) {
      x0 = x, f0 = fx;
      if (side == -1) f1 *= 0.5;
      side = -1;
    } else {
      x1 = x, f1 = fx;
      if (side == 1) f0 *= 0.5;
      side = 1;
    }
  }
  return 0.5 * (x0 + x1);
}

/// Appends the parts of [x0, x1] where f <= 0 (f0, f1: f at the ends), probing f at `pieces` equal steps and solving each sign
/// change (features narrower than one probe step between two same-sign probes are not seen).
template <class F>
void zero_set(const F& f, double x0, double f0, double x1, double f1, int pieces, double tolerance_mm,
              std::vector<Interval>& out) {
  double xa = x0, fa = f0;
  double start = fa <= 0 ? x0 : NAN;
  for (int i = 1; i <= pieces; ++i) {
    const double xb = i == pieces ? x1 : x0 + (x1 - x0) * i / pieces;
    const double fb = i == pieces ? f1 : f(xb);
    if ((fa <= 0) != (fb <= 0)) {
      const double x = root(f, xa, fa, xb, fb, tolerance_mm);
      if (fa <= 0) {
        out.push_back({start, x});
      } else {
        start = x;
      }
    }
    xa = xb, fa = fb;
  }
  if (fa <= 0) out.push_back({start, x1});
}

/// The part of [x0, x1] where f <= 0 for an f that is >= 0 at both ends (an end plane's section
/// eroded towards the cap). When f <= 0 at the middle, walks in from each end towards it with doubling
/// steps, so that the distance queries stay near the contour where they are cheap, and solves each
/// crossing; otherwise (eroded in the middle, e.g. a row along a rectangle's long edge) probes the whole
/// interval at `probes` steps.
template <class F>
void eroded_interval(const F& f, double x0, double x1, double step_mm, int probes, double tolerance_mm,
                     std::vector<Interval>& out) {
  const double mid = 0.5 * (x0 + x1), f_mid = f(mid);
  if (f_mid > 0) {
    zero_set(f, x0, f(x0), x1, f(x1), probes, tolerance_mm, out);
    return;
  }
  auto walk = [&](double from, double towards) {
    double xa = from, fa = f(from);
    const double dir = towards > from ? 1 : -1;
    for (double d = step_mm;; d *= 2) {
      const bool last = d >= std::abs(towards - from);
      const double xb = last ? towards : from + dir * d, fb = last ? f_mid : f(xb);
      if (fb <= 0) return fa <= 0 ? xa : root(f, xa, fa, xb, fb, tolerance_mm);
      xa = xb, fa = fb;
    }
  };
  out.push_back({walk(x0, mid), walk(x1, mid)});
}

void append_merged(std::vector<Interval>& out, Interval iv) {
  if (!(iv.end > iv.begin)) return;
  if (!out.empty() && iv.begin <= out.back().end + 1e-12)
    out.back().end = std::max(out.back().end, iv.end);
  else
    out.push_back(iv);
}

}  // namespace

ShapeSampler::ShapeSampler(const ContourStack& stack, const DoseVolume& dose, double step_mm, EndCap end_cap)
    : stack_(stack), slab_(stack, dose, step_mm), step_mm_(step_mm) {
  const auto& planes = stack.planes;
  const std::size_t n = planes.size();
  for (const auto& plane : planes) distance_.emplace_back(plane);
  auto add_band = [&](std::size_t lower, int cap, double w0, double w1) {
    if (!(w1 > w0)) return;
    bands_.push_back({lower, cap, w0, w1, std::max(1, int(std::ceil((w1 - w0) / step_mm - 1e-9)))});
  };
  if (end_cap == EndCap::half) add_band(0, -1, planes[0].w_mm - 0.5 * (planes[1].w_mm - planes[0].w_mm), planes[0].w_mm);
  for (std::size_t a = 0; a + 1 < n; ++a) add_band(a, 0, planes[a].w_mm, planes[a + 1].w_mm);
  if (end_cap == EndCap::half)
    add_band(n - 1, 1, planes[n - 1].w_mm, planes[n - 1].w_mm + 0.5 * (planes[n - 1].w_mm - planes[n - 2].w_mm));
  for (std::size_t b = 0; b < bands_.size(); ++b)
    for (int m = 0; m < bands_[b].sub_slabs; ++m) tasks_.push_back({b, m});
}

void ShapeSampler::intervals(std::size_t band_index, double v, double w, std::vector<Interval>& out) const {
  out.clear();
  const ShapeBand& band = bands_[band_index];
  // Scratch reused between rows of one thread (tasks run concurrently).
  thread_local std::vector<double> crossings, breaks;
  thread_local std::vector<Interval> in_a, in_b, pieces;
  const std::size_t a = band.lower;
  const std::size_t b = band.cap == 0 ? a + 1 : (band.cap < 0 ? a + 1 : a - 1);  // b: the neighbour plane
  slab_.rows(a).intervals(v, crossings, in_a);
  slab_.rows(b).intervals(v, crossings, in_b);
  const PlaneDistance& da = distance_[a];
  const PlaneDistance& db = distance_[b];
  const double wa = stack_.planes[a].w_mm, wb = stack_.planes[b].w_mm;
  const int max_probes = 32;
  // Surface positions to a hundredth of the sample step: a volume error ~1e-2 step per boundary
  // crossing (1e-4 of a 24 mm sphere's width), far below the sampling's own stratification error.
  const double tolerance_mm = 1e-2 * step_mm_;

  if (band.cap == 0) {
    const double t = std::clamp((w - wa) / (wb - wa), 0.0, 1.0);
    // Breakpoints of both rows' intervals: between two, membership in each section is constant.
    breaks.clear();
    for (const auto& iv : in_a) breaks.insert(breaks.end(), {iv.begin, iv.end});
    for (const auto& iv : in_b) breaks.insert(breaks.end(), {iv.begin, iv.end});
    std::sort(breaks.begin(), breaks.end());
    for (std::size_t i = 0; i + 1 < breaks.size(); ++i) {
      const double x0 = breaks[i], x1 = breaks[i + 1];
      if (!(x1 > x0)) continue;
      const double mid = 0.5 * (x0 + x1);
      const bool ia = in_intervals(in_a, mid), ib = in_intervals(in_b, mid);
      if (ia && ib) {
        append_merged(out, {x0, x1});
      } else if (ia != ib) {
        const double sa = ia ? -1 : 1, sb = ib ? -1 : 1;
        auto f = [&](double u) { return (1 - t) * sa * da.distance_mm(u, v) + t * sb * db.distance_mm(u, v); };
        // At a breakpoint one section's edge is crossed: that distance is 0 and needs no query.
        auto f_at_break = [&](double u) {
          const bool on_a = in_intervals(in_a, u - 1e-9) != in_intervals(in_a, u + 1e-9);
          return on_a ? t * sb * db.distance_mm(u, v) : (1 - t) * sa * da.distance_mm(u, v);
        };
        // The usual piece runs from one section's edge to the other's: f changes sign once. Pieces
        // bounded by the same section on both sides (a branch, a section absent on one plane) are probed.
        const bool one_crossing = in_intervals(in_a, x0 - 1e-9) != in_intervals(in_a, x1 + 1e-9);
        const int probes = one_crossing ? 1 : std::clamp(int(std::ceil((x1 - x0) / step_mm_)), 2, max_probes);
        pieces.clear();
        zero_set(f, x0, f_at_break(x0), x1, f_at_break(x1), probes, tolerance_mm, pieces);
        for (const auto& iv : pieces) append_merged(out, iv);
      }
    }
    return;
  }
  // End cap: the section of the end plane, eroded by the extrapolated shrink of the distance field.
  const double gap = std::abs(wb - wa);
  const double e = std::abs(w - wa);
  for (const auto& iv : in_a) {
    auto f = [&](double u) {
      const double sd_a = -da.distance_mm(u, v);  // inside the end plane's section throughout
      const double sd_b = (in_intervals(in_b, u) ? -1 : 1) * db.distance_mm(u, v);
      return sd_a + e * std::max(0.0, (sd_a - sd_b) / gap);
    };
    pieces.clear();
    eroded_interval(f, iv.begin, iv.end, step_mm_,
                    std::clamp(int(std::ceil((iv.end - iv.begin) / step_mm_)), 2, max_probes), tolerance_mm, pieces);
    for (const auto& p : pieces) append_merged(out, p);
  }
}

}  // namespace sbrtkit::detail
