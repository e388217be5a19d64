// The response lesions as one VTK XML PolyData file: one smoothed closed surface per lesion (voxel_surface,
// meshes/), in the planning frame; cell data: status code, row number, RGB colour. meshes/ writes the file
// (vtkXMLPolyDataWriter, atomically); this file only gathers the surfaces and their arrays.
#include <fmt/format.h>

#include "response_voxels.h"
#include "sbrtkit/meshes/surface_mesh.h"
#include "sbrtkit/meshes/vtp_writer.h"
#include "sbrtkit/pipelines/response_report.h"

namespace sbrtkit {

Status write_status_vtp(const std::filesystem::path& file, const ResponseReport& rep) {
  MeshFile out;
  MeshArray status{"status", MeshArray::Type::int32, 1, {}};
  MeshArray lesion{"lesion", MeshArray::Type::int32, 1, {}};
  MeshArray colour{"colour", MeshArray::Type::uint8, 3, {}};
  for (const auto& v : response_voxels(rep)) {
    if (!v.grid || v.index.empty()) continue;
    auto mesh = voxel_surface(*v.grid, v.index);
    if (!mesh) return mesh.error().with_context("surface of lesion " + v.name);
    const StatusRgb c = status_colour(v.status);
    const auto first = static_cast<std::int64_t>(out.mesh.points.size());
    for (const PatientPoint& q : mesh->points) out.mesh.points.push_back(v.to_planning.apply(q));
    for (const auto& t : mesh->triangles) {
      out.mesh.triangles.push_back({first + t[0], first + t[1], first + t[2]});
      status.values.push_back(static_cast<int>(v.status));
      lesion.values.push_back(v.row + 1);
      colour.values.insert(colour.values.end(), {double(c.r), double(c.g), double(c.b)});
    }
  }
  out.cell_arrays = {std::move(status), std::move(lesion), std::move(colour)};
  out.active_cell_scalars = "status";
  std::string codes = "sbrtkit response lesion surfaces, planning frame (LPS, mm); status codes:";
  for (int s = 1; s <= kResponseStatusCount; ++s)
    codes += fmt::format(" {}={}", s, status_name(static_cast<ResponseStatus>(s)));
  out.notes.push_back(codes);
  return write_vtp(file, out);
}

}  // namespace sbrtkit
