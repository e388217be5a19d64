#pragma once
/// Dose-volume histogram of one structure, built from fractional occupancy (see structure_sampler.h)
/// so that sub-cc SBRT targets keep their true volume. Doses are held in fine bins (bin_width_gy, 1 mGy
/// by default) and every query interpolates inside a bin, so no metric is read from the nearest bin.
/// Volumes refer to the part of the structure inside the dose grid ("covered"); the part outside is
/// reported separately and never silently counted as zero dose.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

namespace sbrtkit {

class Dvh {
 public:
  Dvh() = default;
  /// bin_volume_mm3[b] is the volume whose dose lies in [b*w, (b+1)*w). min/max/mean are the exact
  /// sampled extremes and volume-weighted mean of the covered part. Inside a bin the volume is taken as
  /// spread uniformly, so V(>=d) is piecewise linear; the first occupied bin spans [min_gy, its upper
  /// edge] and the last [its lower edge, max_gy] (both [min, max] when they are one bin), also when an
  /// extreme lies bins away from them (extremes observed where no volume is counted, e.g. on the
  /// structure's boundary).
  Dvh(double bin_width_gy, std::vector<double> bin_volume_mm3, double outside_volume_mm3, double min_gy,
      double max_gy, double mean_gy);

  double bin_width_gy() const { return bin_width_gy_; }
  double total_volume_cc() const { return (covered_mm3_ + outside_mm3_) / 1000.0; }
  double covered_volume_cc() const { return covered_mm3_ / 1000.0; }
  double outside_volume_cc() const { return outside_mm3_ / 1000.0; }
  /// Fraction of the structure inside the dose grid, 1 for an empty structure.
  double coverage() const;
  bool empty() const { return covered_mm3_ <= 0; }

  double min_gy() const { return min_gy_; }
  double max_gy() const { return max_gy_; }
  double mean_gy() const { return mean_gy_; }

  /// Covered volume receiving at least dose_gy (cc), linear inside a bin.
  double volume_at_least_cc(double dose_gy) const;
  /// Minimum dose received by the hottest volume_cc of the covered part: the dose d with
  /// V(>=d) = volume_cc. nullopt when volume_cc exceeds the covered volume or is negative.
  /// volume_cc == covered gives min_gy, 0 gives max_gy. Where V(>=d) is flat (empty bins between
  /// two occupied ones, V = volume_cc for every d in [a, c]) the answer is the highest such dose, c:
  /// the hottest volume_cc is exactly the material at >= c, and its coldest part sits at c (the
  /// lower edge of the next occupied bin). Lower doses in [a, c) are received by no material at all.
  /// A volume_cc above the covered volume by less than 1e-9 of it (round-off from "100 %") counts
  /// as the covered volume.
  std::optional<double> dose_at_volume_cc(double volume_cc) const;

  struct Point {
    double dose_gy;
    double volume_cc;
  };
  /// Cumulative curve sampled every step_gy from 0 to max (last point at max with volume 0).
  std::vector<Point> cumulative(double step_gy) const;
  /// Differential curve: volume (cc) per step_gy-wide dose bin, dose_gy at bin centres.
  std::vector<Point> differential(double step_gy) const;

 private:
  /// Dose range a bin really spans: the first and last occupied bins are clipped to [min, max].
  double bin_low(std::size_t b) const;
  double bin_high(std::size_t b) const;

  /// Bin holding dose_gy (floor(dose/w)), clamped to [first_bin_, last_bin_].
  std::size_t bin_of(double dose_gy) const;

  double bin_width_gy_ = 0.001;
  std::vector<double> bin_mm3_;
  std::vector<double> above_mm3_;  // above_mm3_[b] = volume in bins >= b
  std::size_t first_bin_ = 0, last_bin_ = 0;  // first and last occupied bins (valid when !empty())
  double covered_mm3_ = 0;
  double outside_mm3_ = 0;
  double min_gy_ = 0, max_gy_ = 0, mean_gy_ = 0;
};

}  // namespace sbrtkit
