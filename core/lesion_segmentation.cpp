// Threshold segmentation of PET lesions: absolute / liver-based thresholds cut the whole image once;
// the %-of-SUVmax rule is applied per local-maximum region, hottest first, each growing from its own
// maximum voxel so that a hot lesion's threshold never decides a cooler one's extent.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <numeric>

#include "sbrtkit/lesion.h"
#include "voxel_neighbours.h"
#include "number_text.h"

namespace sbrtkit {
namespace {

/// Measured values in notes and messages: 4 significant digits.
std::string fmt(double v) { return detail::number_text(v, 4); }

// Voxels of one label, ascending.
std::vector<LesionVoxels> split_labels(const Components& c) {
  std::vector<LesionVoxels> out(static_cast<std::size_t>(c.count));
  for (std::size_t n = 0; n < c.labels.voxels.size(); ++n)
    if (const auto l = c.labels.voxels[n]) {
      out[l - 1].index.push_back(static_cast<std::int64_t>(n));
      out[l - 1].weight.push_back(1.f);
    }
  return out;
}

std::int64_t argmax(const Volume<float>& suv, const LesionVoxels& v) {
  std::int64_t best = v.index.front();
  for (auto n : v.index)
    if (suv.voxels[n] > suv.voxels[best]) best = n;  // strict: ties keep the lower index
  return best;
}

// Voxels 26-connected to `seed` with SUV >= threshold, not excluded and not yet taken.
// `seen` holds the number of the growth that last visited each voxel (one allocation for all seeds).
LesionVoxels grow(const Volume<float>& suv, const MaskVolume* exclude, const std::vector<std::uint8_t>& taken,
                  std::vector<std::uint32_t>& seen, std::uint32_t stamp, std::int64_t seed, double threshold) {
  const auto& g = suv.geometry;
  std::vector<std::int64_t> stack{seed}, found;
  seen[seed] = stamp;
  while (!stack.empty()) {
    const std::int64_t n = stack.back();
    stack.pop_back();
    found.push_back(n);
    detail::for_each_neighbour26(g, n, [&](std::int64_t m) {
      if (seen[m] == stamp || taken[m] || suv.voxels[m] < threshold || (exclude && exclude->voxels[m])) return;
      seen[m] = stamp;
      stack.push_back(m);
    });
  }
  std::sort(found.begin(), found.end());
  return {found, std::vector<float>(found.size(), 1.f)};
}

}  // namespace

LiverReference liver_reference(const Volume<float>& suv, const LesionVoxels& liver) {
  double w = 0, s = 0, s2 = 0;
  for (std::size_t n = 0; n < liver.index.size(); ++n) {
    const double x = suv.voxels[liver.index[n]], q = liver.weight[n];
    w += q;
    s += q * x;
    s2 += q * x * x;
  }
  LiverReference r;
  if (w <= 0) return r;
  r.mean_suv = s / w;
  r.sd_suv = std::sqrt(std::max(0.0, s2 / w - r.mean_suv * r.mean_suv));
  r.volume_cc = w * suv.geometry.voxel_volume_mm3() / 1000.0;
  return r;
}

Expected<Segmentation> segment_lesions(const Volume<float>& suv, const MaskVolume* exclude,
                                       const SegmentationOptions& o, std::optional<LiverReference> liver) {
  const auto& g = suv.geometry;
  if (exclude && !exclude->geometry.same_grid(g, 1e-3))
    return Error::bad_argument("exclude mask", "the PET grid", "a different grid");
  if (!(o.min_volume_cc >= 0)) return Error::bad_argument("--min-volume", "a volume >= 0 cc", fmt(o.min_volume_cc));
  const double voxel_cc = g.voxel_volume_mm3() / 1000.0;
  Segmentation out;
  auto excluded = [&](std::size_t n) { return exclude && exclude->voxels[n]; };

  // One global threshold: absolute or liver-based.
  auto global = [&](double threshold) {
    MaskVolume mask(g, 0);
    for (std::size_t n = 0; n < suv.voxels.size(); ++n) mask.voxels[n] = suv.voxels[n] >= threshold && !excluded(n);
    for (auto& v : split_labels(connected_components(mask))) {
      out.lesions.push_back(std::move(v));
      out.threshold_suv.push_back(threshold);
      out.background_suv.push_back(0);
    }
  };

  if (o.mode == ThresholdMode::absolute) {
    if (!(o.absolute_suv > 0)) return Error::bad_argument("--threshold", "an SUV > 0", fmt(o.absolute_suv));
    global(o.absolute_suv);
    out.notes.push_back("absolute threshold SUV >= " + fmt(o.absolute_suv));
  } else if (o.mode == ThresholdMode::liver) {
    if (!liver || liver->volume_cc <= 0)
      return Error::bad_argument("--liver-roi", "a liver reference region with volume", "none");
    const double t = o.liver_factor * liver->mean_suv + o.liver_sd_factor * liver->sd_suv;
    if (!(t > 0)) return Error::bad_argument("--liver-roi", "a liver SUV giving a positive threshold", fmt(t));
    global(t);
    out.notes.push_back("liver-based threshold " + fmt(o.liver_factor) + " x mean " + fmt(liver->mean_suv) + " + " +
                        fmt(o.liver_sd_factor) + " x SD " + fmt(liver->sd_suv) + " = SUV " + fmt(t));
  } else {
    if (!(o.percent > 0 && o.percent <= 100))
      return Error::bad_argument("--percent", "a percentage in (0, 100]", fmt(o.percent));
    if (!(o.seed_suv > 0)) return Error::bad_argument("--seed-suv", "an SUV > 0", fmt(o.seed_suv));
    if (o.local_background && !(o.background_inner_mm >= 0 && o.background_outer_mm > o.background_inner_mm))
      return Error::bad_argument("--background-shell", "inner >= 0 mm and outer > inner",
                                 fmt(o.background_inner_mm) + "," + fmt(o.background_outer_mm));
    MaskVolume seeds(g, 0);
    for (std::size_t n = 0; n < suv.voxels.size(); ++n) seeds.voxels[n] = suv.voxels[n] >= o.seed_suv && !excluded(n);
    auto regions = split_labels(connected_components(seeds));
    std::vector<std::int64_t> peak(regions.size());
    for (std::size_t r = 0; r < regions.size(); ++r) peak[r] = argmax(suv, regions[r]);
    std::vector<std::size_t> order(regions.size());
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
      return suv.voxels[peak[a]] > suv.voxels[peak[b]];
    });
    std::vector<std::uint8_t> taken(suv.voxels.size(), 0);
    std::vector<std::uint32_t> seen(suv.voxels.size(), 0);
    std::uint32_t stamp = 0;
    // Not background: every seed region (lesions, the hot rim of a masked organ) and the excluded voxels.
    MaskVolume not_background = seeds;
    if (exclude)
      for (std::size_t n = 0; n < suv.voxels.size(); ++n) not_background.voxels[n] |= exclude->voxels[n];
    const double p = o.percent / 100.0;
    std::size_t without_shell = 0;
    for (std::size_t r : order) {
      const double peak_suv = suv.voxels[peak[r]];
      if (taken[peak[r]]) {
        out.notes.push_back("a local maximum of SUV " + fmt(peak_suv) + " lies inside a hotter lesion");
        continue;
      }
      auto v = grow(suv, exclude, taken, seen, ++stamp, peak[r], p * peak_suv);
      double background = 0;
      if (o.local_background) {
        // The shell is measured around the plain percent cut, which contains the final lesion.
        const auto b = shell_background(suv, v.index, &not_background, o.background_inner_mm, o.background_outer_mm);
        if (!b) ++without_shell;
        background = std::max(0.0, b.value_or(0.0));
        if (background >= peak_suv) {
          out.notes.push_back("a local maximum of SUV " + fmt(peak_suv) + " is not above its background " +
                              fmt(background) + ": not a lesion");
          continue;
        }
        v = grow(suv, exclude, taken, seen, ++stamp, peak[r], background + p * (peak_suv - background));
      }
      for (auto n : v.index) taken[n] = 1;
      out.lesions.push_back(std::move(v));
      out.threshold_suv.push_back(background + p * (peak_suv - background));
      out.background_suv.push_back(background);
    }
    if (o.local_background) {
      out.notes.push_back(fmt(o.percent) + "% of (SUVmax - B) above the local background B (median SUV " +
                          fmt(o.background_inner_mm) + "-" + fmt(o.background_outer_mm) +
                          " mm around the lesion), seeds at SUV >= " + fmt(o.seed_suv));
      if (without_shell)
        out.notes.push_back(std::to_string(without_shell) + " lesion(s) without background voxels around them: B = 0");
    } else {
      out.notes.push_back(fmt(o.percent) + "% of each lesion's SUVmax (no background correction), seeds at SUV >= " +
                          fmt(o.seed_suv));
    }
  }

  // Minimum volume, then the documented order: decreasing SUVmax, ties by first voxel.
  std::vector<std::size_t> keep;
  for (std::size_t l = 0; l < out.lesions.size(); ++l) {
    if (double(out.lesions[l].index.size()) * voxel_cc < o.min_volume_cc)
      ++out.rejected_small;
    else
      keep.push_back(l);
  }
  std::stable_sort(keep.begin(), keep.end(), [&](std::size_t a, std::size_t b) {
    const std::int64_t pa = argmax(suv, out.lesions[a]), pb = argmax(suv, out.lesions[b]);
    if (suv.voxels[pa] != suv.voxels[pb]) return suv.voxels[pa] > suv.voxels[pb];
    return out.lesions[a].index.front() < out.lesions[b].index.front();
  });
  Segmentation sorted;
  for (auto l : keep) {
    sorted.lesions.push_back(std::move(out.lesions[l]));
    sorted.threshold_suv.push_back(out.threshold_suv[l]);
    sorted.background_suv.push_back(out.background_suv[l]);
  }
  sorted.rejected_small = out.rejected_small;
  sorted.notes = std::move(out.notes);
  if (sorted.rejected_small)
    sorted.notes.push_back(std::to_string(sorted.rejected_small) + " region(s) below " + fmt(o.min_volume_cc) +
                           " cc left out");
  return sorted;
}

}  // namespace sbrtkit
