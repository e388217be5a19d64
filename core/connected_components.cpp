// 26-connected component labelling: one raster pass with union-find over the 13 neighbours already
// visited, then a second pass that numbers components in the order their first voxel is met.
#include <numeric>

#include "sbrtkit/lesion.h"

namespace sbrtkit {
namespace {

std::int32_t find_root(std::vector<std::int32_t>& parent, std::int32_t a) {
  while (parent[a] != a) {
    parent[a] = parent[parent[a]];
    a = parent[a];
  }
  return a;
}

void unite(std::vector<std::int32_t>& parent, std::int32_t a, std::int32_t b) {
  a = find_root(parent, a);
  b = find_root(parent, b);
  // The smaller provisional label (met first in raster order) stays the root.
  if (a < b)
    parent[b] = a;
  else if (b < a)
    parent[a] = b;
}

}  // namespace

Components connected_components(const MaskVolume& mask) {
  const auto& g = mask.geometry;
  const std::int64_t nx = g.size()[0], ny = g.size()[1], nz = g.size()[2];
  Components out{LabelVolume(g, 0), 0};
  std::vector<std::int32_t> parent{0};  // provisional labels, 0 unused
  auto& lab = out.labels.voxels;
  for (std::int64_t k = 0; k < nz; ++k)
    for (std::int64_t j = 0; j < ny; ++j)
      for (std::int64_t i = 0; i < nx; ++i) {
        const std::int64_t n = i + nx * (j + ny * k);
        if (!mask.voxels[n]) continue;
        std::int32_t label = 0;
        // Neighbours earlier in raster order: the whole slice k-1 (9), row j-1 of slice k (3), (i-1, j, k).
        for (std::int64_t dk = -1; dk <= 0; ++dk)
          for (std::int64_t dj = -1; dj <= 1; ++dj)
            for (std::int64_t di = -1; di <= 1; ++di) {
              if (dk == 0 && (dj > 0 || (dj == 0 && di >= 0))) continue;
              const std::int64_t a = i + di, b = j + dj, c = k + dk;
              if (a < 0 || b < 0 || c < 0 || a >= nx || b >= ny) continue;
              const std::int32_t l = lab[a + nx * (b + ny * c)];
              if (!l) continue;
              if (!label)
                label = l;
              else if (l != label)
                unite(parent, label, l);
            }
        if (!label) {
          label = static_cast<std::int32_t>(parent.size());
          parent.push_back(label);
        }
        lab[n] = label;
      }
  std::vector<std::int32_t> final_label(parent.size(), 0);
  for (auto& l : lab) {
    if (!l) continue;
    const std::int32_t r = find_root(parent, l);
    if (!final_label[r]) final_label[r] = ++out.count;
    l = final_label[r];
  }
  return out;
}

}  // namespace sbrtkit
