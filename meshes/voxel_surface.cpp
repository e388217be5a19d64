// Voxel set -> vtkImageData indicator (padded by one voxel, so the surface closes) -> discrete flying edges
// at label 1 -> windowed-sinc smoothing -> points mapped from index space to patient coordinates by the
// grid (which owns the index <-> patient conversion, orientation and spacing included).
#include <vtkCellArray.h>
#include <vtkDiscreteFlyingEdges3D.h>
#include <vtkIdList.h>
#include <vtkImageData.h>
#include <vtkNew.h>
#include <vtkPoints.h>
#include <vtkPolyData.h>
#include <vtkWindowedSincPolyDataFilter.h>

#include <algorithm>
#include <string>

#include "sbrtkit/meshes/surface_mesh.h"

namespace sbrtkit {

Expected<SurfaceMesh> voxel_surface(const ImageGeometry& grid, const std::vector<std::int64_t>& voxels,
                                    const SurfaceOptions& options) {
  SurfaceMesh mesh;
  if (voxels.empty()) return mesh;
  const auto& size = grid.size();
  const std::int64_t count = grid.voxel_count();
  std::int64_t lo[3] = {size[0], size[1], size[2]}, hi[3] = {-1, -1, -1};
  for (auto n : voxels) {
    if (n < 0 || n >= count)
      return Error::bad_argument("voxel index", "an index inside the grid (0.." + std::to_string(count - 1) + ")",
                                 std::to_string(n));
    const VoxelIndex x = grid.index_of(n);
    const std::int64_t v[3] = {x.i, x.j, x.k};
    for (int a = 0; a < 3; ++a) lo[a] = std::min(lo[a], v[a]), hi[a] = std::max(hi[a], v[a]);
  }
  // Index space with one voxel of padding on every side; origin at the padded corner.
  int dims[3];
  for (int a = 0; a < 3; ++a) dims[a] = static_cast<int>(hi[a] - lo[a] + 3);
  vtkNew<vtkImageData> image;
  image->SetDimensions(dims);
  image->SetOrigin(double(lo[0] - 1), double(lo[1] - 1), double(lo[2] - 1));
  image->SetSpacing(1, 1, 1);
  image->AllocateScalars(VTK_UNSIGNED_CHAR, 1);
  auto* cells = static_cast<unsigned char*>(image->GetScalarPointer());
  std::fill(cells, cells + std::size_t(dims[0]) * dims[1] * dims[2], 0);
  for (auto n : voxels) {
    const VoxelIndex x = grid.index_of(n);
    const std::int64_t i = x.i - lo[0] + 1, j = x.j - lo[1] + 1, k = x.k - lo[2] + 1;
    cells[i + dims[0] * (j + std::int64_t(dims[1]) * k)] = 1;
  }
  vtkNew<vtkDiscreteFlyingEdges3D> surface;
  surface->SetInputData(image);
  surface->SetValue(0, 1);
  surface->ComputeNormalsOff();
  surface->ComputeGradientsOff();
  surface->ComputeScalarsOff();
  surface->Update();
  vtkPolyData* result = surface->GetOutput();
  vtkNew<vtkWindowedSincPolyDataFilter> smoother;
  if (options.smoothing_iterations > 0) {
    smoother->SetInputData(result);
    smoother->SetNumberOfIterations(options.smoothing_iterations);
    smoother->SetPassBand(0.1);
    smoother->NormalizeCoordinatesOn();
    smoother->BoundarySmoothingOff();
    smoother->FeatureEdgeSmoothingOff();
    smoother->NonManifoldSmoothingOn();
    smoother->Update();
    result = smoother->GetOutput();
  }
  vtkPoints* points = result->GetPoints();
  if (!points) return mesh;
  mesh.points.reserve(static_cast<std::size_t>(points->GetNumberOfPoints()));
  for (vtkIdType p = 0; p < points->GetNumberOfPoints(); ++p) {
    double x[3];
    points->GetPoint(p, x);
    mesh.points.push_back(grid.to_patient(IndexPoint{x[0], x[1], x[2]}));
  }
  vtkCellArray* polys = result->GetPolys();
  vtkNew<vtkIdList> ids;
  for (polys->InitTraversal(); polys->GetNextCell(ids);) {
    if (ids->GetNumberOfIds() != 3) continue;
    mesh.triangles.push_back({ids->GetId(0), ids->GetId(1), ids->GetId(2)});
  }
  // Orientation: flying edges orients triangles consistently; make them face outward (positive volume),
  // also when the grid's axes are left-handed (a feet-first or mirrored series).
  if (enclosed_volume_mm3(mesh) < 0)
    for (auto& t : mesh.triangles) std::swap(t[1], t[2]);
  return mesh;
}

double enclosed_volume_mm3(const SurfaceMesh& mesh) {
  double six_v = 0;
  for (const auto& t : mesh.triangles) {
    const PatientPoint& a = mesh.points[t[0]];
    const PatientPoint& b = mesh.points[t[1]];
    const PatientPoint& c = mesh.points[t[2]];
    six_v += a.x * (b.y * c.z - b.z * c.y) - a.y * (b.x * c.z - b.z * c.x) + a.z * (b.x * c.y - b.y * c.x);
  }
  return six_v / 6;
}

}  // namespace sbrtkit
