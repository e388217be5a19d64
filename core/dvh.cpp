#include "sbrtkit/dvh.h"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <utility>

namespace sbrtkit {

namespace {

// A requested volume may exceed the covered volume by this fraction of it and still count as the
// whole covered volume: "100 % of V" computed as V * 100 / 100 can land a few ulp above V.
constexpr double kVolumeRoundOff = 1e-9;

}  // namespace

Dvh::Dvh(double bin_width_gy, std::vector<double> bin_volume_mm3, double outside_volume_mm3, double min_gy,
         double max_gy, double mean_gy)
    : bin_width_gy_(bin_width_gy),
      bin_mm3_(std::move(bin_volume_mm3)),
      outside_mm3_(outside_volume_mm3),
      min_gy_(min_gy),
      max_gy_(max_gy),
      mean_gy_(mean_gy) {
  assert(bin_width_gy_ > 0);
  assert(outside_mm3_ >= 0);
  above_mm3_.assign(bin_mm3_.size() + 1, 0.0);
  for (std::size_t b = bin_mm3_.size(); b-- > 0;) {
    assert(bin_mm3_[b] >= 0);
    above_mm3_[b] = above_mm3_[b + 1] + bin_mm3_[b];
  }
  covered_mm3_ = above_mm3_.front();
  if (covered_mm3_ <= 0) return;

  while (bin_mm3_[first_bin_] <= 0) ++first_bin_;
  last_bin_ = bin_mm3_.size() - 1;
  while (bin_mm3_[last_bin_] <= 0) --last_bin_;

  // The first occupied bin spans [min, its upper edge] and the last [its lower edge, max]. The extremes
  // may lie below / above those bins by any amount (the sampler also observes doses on the structure's
  // boundary, which carry no volume); the end bins then stretch to them. They cannot lie inside the
  // occupied range: floor(d / w) can put a dose sitting on a bin edge on either side of it, so only that
  // round-off is pulled back.
  const double w = bin_width_gy_;
  [[maybe_unused]] const double slack = 1e-6 * w + 1e-12 * std::abs(max_gy_);
  const double first_high = static_cast<double>(first_bin_ + 1) * w;
  const double last_low = static_cast<double>(last_bin_) * w;
  assert(min_gy_ <= first_high + slack);
  assert(max_gy_ >= last_low - slack);
  assert(min_gy_ <= max_gy_);
  min_gy_ = std::min(min_gy_, first_high);
  max_gy_ = std::max({max_gy_, last_low, min_gy_});
}

double Dvh::coverage() const {
  const double total = covered_mm3_ + outside_mm3_;
  return total > 0 ? covered_mm3_ / total : 1.0;
}

double Dvh::bin_low(std::size_t b) const {
  return b == first_bin_ ? min_gy_ : static_cast<double>(b) * bin_width_gy_;
}

double Dvh::bin_high(std::size_t b) const {
  return b == last_bin_ ? max_gy_ : static_cast<double>(b + 1) * bin_width_gy_;
}

std::size_t Dvh::bin_of(double dose_gy) const {
  const double index = std::floor(dose_gy / bin_width_gy_);
  if (index <= static_cast<double>(first_bin_)) return first_bin_;
  if (index >= static_cast<double>(last_bin_)) return last_bin_;
  return static_cast<std::size_t>(index);
}

double Dvh::volume_at_least_cc(double dose_gy) const {
  if (empty() || dose_gy <= min_gy_) return covered_mm3_ / 1000.0;
  if (dose_gy > max_gy_) return 0.0;
  const std::size_t b = bin_of(dose_gy);
  const double low = bin_low(b);
  const double high = bin_high(b);
  // Fraction of bin b's volume at or above dose_gy; a zero-width span holds all of it at `low`.
  double above_fraction = 0.0;
  if (high > low) {
    above_fraction = std::clamp((high - dose_gy) / (high - low), 0.0, 1.0);
  } else {
    above_fraction = dose_gy <= low ? 1.0 : 0.0;
  }
  return (above_mm3_[b + 1] + bin_mm3_[b] * above_fraction) / 1000.0;
}

std::optional<double> Dvh::dose_at_volume_cc(double volume_cc) const {
  if (empty() || volume_cc < 0) return std::nullopt;
  double v_mm3 = volume_cc * 1000.0;
  if (v_mm3 > covered_mm3_ * (1.0 + kVolumeRoundOff)) return std::nullopt;
  if (v_mm3 >= covered_mm3_) return min_gy_;
  if (v_mm3 <= 0) return max_gy_;

  // Highest bin b with above[b] >= v: then above[b+1] < v <= above[b], so bin b is occupied and the
  // answer lies in its span. Taking the highest such b is the flat-stretch rule (see dvh.h).
  const auto begin = above_mm3_.begin() + static_cast<std::ptrdiff_t>(first_bin_);
  const auto end = above_mm3_.begin() + static_cast<std::ptrdiff_t>(last_bin_ + 1);
  const auto past = std::partition_point(begin, end, [v_mm3](double above) { return above >= v_mm3; });
  const std::size_t b = static_cast<std::size_t>(past - above_mm3_.begin()) - 1;

  const double low = bin_low(b);
  const double high = bin_high(b);
  const double above_fraction = std::clamp((v_mm3 - above_mm3_[b + 1]) / bin_mm3_[b], 0.0, 1.0);
  return high - above_fraction * (high - low);
}

std::vector<Dvh::Point> Dvh::cumulative(double step_gy) const {
  std::vector<Point> curve;
  if (empty() || !(step_gy > 0)) return curve;
  // Samples at k * step strictly below max (a sample within 1e-9 step of max is the end point itself).
  for (std::size_t k = 0;; ++k) {
    const double dose = static_cast<double>(k) * step_gy;
    if (dose >= max_gy_ - 1e-9 * step_gy) break;
    curve.push_back({dose, volume_at_least_cc(dose)});
  }
  curve.push_back({max_gy_, 0.0});
  return curve;
}

std::vector<Dvh::Point> Dvh::differential(double step_gy) const {
  std::vector<Point> curve;
  if (empty() || !(step_gy > 0)) return curve;
  // Bins [k step, (k+1) step) up to the one holding max, so that the volumes telescope to the covered
  // volume (a DVH whose whole volume sits at exactly max needs that last bin).
  const auto count = static_cast<std::size_t>(std::floor(max_gy_ / step_gy)) + 1;
  curve.reserve(count);
  double upper_volume_cc = volume_at_least_cc(0.0);
  for (std::size_t k = 0; k < count; ++k) {
    const double next_volume_cc = volume_at_least_cc(static_cast<double>(k + 1) * step_gy);
    curve.push_back({(static_cast<double>(k) + 0.5) * step_gy, upper_volume_cc - next_volume_cc});
    upper_volume_cc = next_volume_cc;
  }
  return curve;
}

}  // namespace sbrtkit
