// connected_components: hand-made label patterns. The implementation is 26-connected (faces, edges and
// corners join); each pattern below says what 6-connectivity (faces only) would give instead, so a
// change of connectivity shows up as a count that differs from the hand count.
#include <gtest/gtest.h>

#include <set>

#include "sbrtkit/lesion.h"

namespace sbrtkit {
namespace {

MaskVolume empty_mask(std::int64_t nx, std::int64_t ny, std::int64_t nz) {
  return MaskVolume(ImageGeometry({nx, ny, nz}, PatientPoint{}, Vec3{1, 1, 1}, {Vec3{1, 0, 0}, Vec3{0, 1, 0}, Vec3{0, 0, 1}}),
                    0);
}

int count_of(const MaskVolume& m) { return connected_components(m).count; }

TEST(ConnectedComponents, EmptyAndFullMasks) {
  MaskVolume m = empty_mask(4, 3, 2);
  const Components none = connected_components(m);
  EXPECT_EQ(none.count, 0);
  for (auto l : none.labels.voxels) EXPECT_EQ(l, 0);
  for (auto& v : m.voxels) v = 1;
  const Components all = connected_components(m);
  EXPECT_EQ(all.count, 1);
  for (auto l : all.labels.voxels) EXPECT_EQ(l, 1);
}

TEST(ConnectedComponents, FaceEdgeAndCornerContactsAllJoin) {
  // Two voxels sharing a face: one component under both 6 and 26 connectivity.
  MaskVolume face = empty_mask(3, 3, 3);
  face.at(0, 0, 0) = face.at(1, 0, 0) = 1;
  EXPECT_EQ(count_of(face), 1);
  // Sharing an edge only (diagonal in one plane): 6-connectivity would give 2; here 1.
  MaskVolume edge = empty_mask(3, 3, 3);
  edge.at(0, 0, 0) = edge.at(1, 1, 0) = 1;
  EXPECT_EQ(count_of(edge), 1);
  // Edge contact across slices (j and k differ).
  MaskVolume edge_jk = empty_mask(3, 3, 3);
  edge_jk.at(1, 0, 0) = edge_jk.at(1, 1, 1) = 1;
  EXPECT_EQ(count_of(edge_jk), 1);
  // Corner only (all three indices differ): 6 -> 2, 18 -> 2, 26 -> 1.
  MaskVolume corner = empty_mask(3, 3, 3);
  corner.at(0, 0, 0) = corner.at(1, 1, 1) = 1;
  EXPECT_EQ(count_of(corner), 1);
  // The anti-diagonal corner, whose later voxel sees the earlier one at di = +1 (the neighbour the raster
  // pass must look at in the previous slice, not only di <= 0).
  MaskVolume anti = empty_mask(3, 3, 3);
  anti.at(2, 0, 0) = anti.at(1, 1, 1) = 1;
  EXPECT_EQ(count_of(anti), 1);
  MaskVolume anti_row = empty_mask(3, 3, 3);
  anti_row.at(2, 0, 1) = anti_row.at(1, 1, 1) = 1;  // di = +1, dj = -1, same slice
  EXPECT_EQ(count_of(anti_row), 1);
}

TEST(ConnectedComponents, OneVoxelGapSeparates) {
  // Voxels two apart along any axis or diagonal never touch.
  MaskVolume m = empty_mask(5, 5, 5);
  m.at(0, 0, 0) = 1;
  m.at(2, 0, 0) = 1;  // gap of one along i
  m.at(0, 2, 0) = 1;  // along j
  m.at(0, 0, 2) = 1;  // along k
  m.at(2, 2, 2) = 1;  // along the diagonal
  m.at(4, 4, 4) = 1;
  EXPECT_EQ(count_of(m), 6);
}

TEST(ConnectedComponents, DiagonalStaircaseAndLabelOrder) {
  // A staircase (0,0,0), (1,1,1), (2,2,2), (3,3,3): one component only through corners (6-connectivity: 4).
  // Labels follow the raster order (k, then j, then i) of each component's first voxel: (0,0,0) comes
  // before the bar at k = 0, j = 4, so the staircase is 1 and the bar 2; a lone voxel in slice 4 is 3.
  MaskVolume m = empty_mask(5, 5, 5);
  for (int t = 0; t < 4; ++t) m.at(t, t, t) = 1;
  for (int i = 0; i < 3; ++i) m.at(i, 4, 0) = 1;
  m.at(0, 0, 4) = 1;
  const Components c = connected_components(m);
  EXPECT_EQ(c.count, 3);
  for (int t = 0; t < 4; ++t) EXPECT_EQ(c.labels.at(t, t, t), 1);
  for (int i = 0; i < 3; ++i) EXPECT_EQ(c.labels.at(i, 4, 0), 2);
  EXPECT_EQ(c.labels.at(0, 0, 4), 3);
  // Unset voxels keep label 0.
  EXPECT_EQ(c.labels.at(4, 0, 0), 0);
}

TEST(ConnectedComponents, BranchesMetApartMergeIntoOneLabel) {
  // A "V" in one slice: two arms start on row j = 0 at i = 0 and i = 6 (two provisional labels) and meet
  // by diagonal steps at (3, 3). Then a "W" across slices: arms that only join in the last slice.
  MaskVolume v = empty_mask(7, 4, 1);
  for (int t = 0; t <= 3; ++t) v.at(t, t, 0) = v.at(6 - t, t, 0) = 1;
  const Components cv = connected_components(v);
  EXPECT_EQ(cv.count, 1);
  std::set<std::int32_t> labels;
  for (auto l : cv.labels.voxels)
    if (l) labels.insert(l);
  EXPECT_EQ(labels, (std::set<std::int32_t>{1}));

  MaskVolume w = empty_mask(9, 1, 3);
  for (int i : {0, 4, 8}) w.at(i, 0, 0) = w.at(i, 0, 1) = 1;  // three pillars
  for (int i = 0; i <= 8; ++i) w.at(i, 0, 2) = 1;            // joined by the top row
  EXPECT_EQ(count_of(w), 1);
  w.at(4, 0, 2) = 0;  // a gap in the top row above the middle pillar, whose top (4,0,1) still touches
                      // (3,0,2) and (5,0,2) through edges: one component.
  EXPECT_EQ(count_of(w), 1);
  w.at(3, 0, 2) = w.at(5, 0, 2) = 0;  // now the middle pillar is cut off, and so are the two halves
  EXPECT_EQ(count_of(w), 3);
}

TEST(ConnectedComponents, GeometryIsKept) {
  MaskVolume m = empty_mask(2, 3, 4);
  m.at(1, 2, 3) = 1;
  const Components c = connected_components(m);
  EXPECT_EQ(c.labels.geometry.size(), m.geometry.size());
  EXPECT_EQ(c.labels.voxels.size(), m.voxels.size());
  EXPECT_EQ(c.labels.at(1, 2, 3), 1);
}

}  // namespace
}  // namespace sbrtkit
