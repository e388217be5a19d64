#pragma once
/// A SurfaceMesh as a VTK XML PolyData file (.vtp, ASCII) for 3-D viewers (ParaView, 3D Slicer), written by
/// VTK's vtkXMLPolyDataWriter in meshes/; this header has no VTK in it. The file appears whole or not at
/// all: VTK writes a temporary file in the target's folder, which is then renamed over the target.
///
///   MeshFile f{mesh};
///   f.cell_arrays.push_back({"status", MeshArray::Type::int32, 1, status_per_triangle});
///   f.active_cell_scalars = "status";
///   auto written = write_vtp("lesions.vtp", f);

#include <filesystem>
#include <string>
#include <vector>

#include "sbrtkit/expected.h"
#include "sbrtkit/meshes/surface_mesh.h"

namespace sbrtkit {

/// One named data array over the mesh's triangles (cell data) or points (point data).
struct MeshArray {
  enum class Type { int32, uint8, float32 };
  std::string name;
  Type type = Type::int32;
  int components = 1;          // 3 for an RGB colour
  std::vector<double> values;  // components values per cell (or point), tuple after tuple
};

struct MeshFile {
  SurfaceMesh mesh;  // points are written as Float32, triangles as polygons
  std::vector<MeshArray> cell_arrays, point_arrays;
  std::string active_cell_scalars;  // the cell array viewers colour by ("" for none)
  /// Free text kept in the file's field data as the string array "notes" (what the codes mean, the frame).
  std::vector<std::string> notes;
};

/// Errors: an array whose size is not components x the number of cells (points), a triangle index outside
/// the points, a folder that does not exist, or a failed write or rename (file named).
Status write_vtp(const std::filesystem::path& file, const MeshFile& data);

}  // namespace sbrtkit
