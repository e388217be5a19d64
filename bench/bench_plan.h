#pragma once
// The benchmark plan of issue 2: a deterministic, thorax-and-abdomen-sized SBRT plan built in memory and
// writable as DICOM (CT series, RTSTRUCT, RTPLAN, RTDOSE in one frame of reference).
//   CT      512 x 512 x 100, 0.9765625 mm pixels, 3 mm slices (planes z = -148.5 ... 148.5 mm)
//   RTSTRUCT 30 structures contoured on every CT plane they cross, as planning systems do (closed
//           polygons of 100-400 vertices): BODY (elliptic cylinder over the 300 mm, ~20,000 cc),
//           19 organs of 10-500 cc (ellipsoids, cylinders, one ring with a hole), 5 GTVs of
//           0.1-10 cc (spheres) with their PTVs (3 or 5 mm margins)
//   RTDOSE  2.5 mm grid covering the body, origin not aligned with the CT voxels; SBRT-like dose: per
//           target a hot core, the prescription on the PTV surface, a steep then a slow radial fall-off
// Pure model plus a writer; no randomness, no clock: the same bytes every run.

#include <cstddef>
#include <filesystem>
#include <string>
#include <vector>

#include "sbrtkit/expected.h"
#include "sbrtkit/plan.h"
#include "sbrtkit/structure.h"
#include "sbrtkit/volume.h"

namespace sbrtkit::bench {

enum class StructureClass { body, organ, target };
const char* to_string(StructureClass c);

struct BenchStructureInfo {
  StructureClass structure_class = StructureClass::organ;
  double contour_volume_cc = 0;  // shoelace area of the exported polygons x 3 mm slab, summed over planes
  int planes = 0;
  int vertices_per_loop = 0;
};

struct BenchPlan {
  ImageGeometry ct_geometry;
  StructureSet structures;
  std::vector<BenchStructureInfo> info;  // same order as structures.structures
  DoseVolume dose;                       // Gy
  PlanInfo plan;
};

/// Structures, dose and plan (the CT is rendered separately: it is only needed for writing).
BenchPlan make_bench_plan();
/// The CT in HU (air, soft tissue, lung, bone), painted from the same shapes as the structures.
Volume<float> render_bench_ct(const BenchPlan& plan);

/// Bytes the memory target refers to: the dose grid as float32 and the CT as int16.
std::size_t dose_grid_bytes(const BenchPlan& plan);
std::size_t ct_bytes(const BenchPlan& plan);

/// Writes dir/ct/CT_*.dcm, dir/rtstruct.dcm, dir/rtplan.dcm, dir/rtdose.dcm (dir is created; existing
/// files of the same names are replaced).
Status write_bench_plan(const BenchPlan& plan, const std::filesystem::path& dir);

}  // namespace sbrtkit::bench
