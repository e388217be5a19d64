// VTK XML PolyData (ASCII) of the response lesions: one smoothed closed surface per lesion (voxel_surface,
// meshes/), in the planning frame; cell data: status code, row number, RGB colour.
#include <fmt/format.h>

#include "response_voxels.h"
#include "io/output_file.h"
#include "sbrtkit/pipelines/response_report.h"
#include "sbrtkit/meshes/surface_mesh.h"

namespace sbrtkit {

Status write_status_vtp(const std::filesystem::path& file, const ResponseReport& rep) {
  std::string points, connectivity, offsets, status, lesion, colour;
  std::size_t n_points = 0, n_cells = 0;
  for (const auto& v : response_voxels(rep)) {
    if (!v.grid || v.index.empty()) continue;
    auto mesh = voxel_surface(*v.grid, v.index);
    if (!mesh) return mesh.error().with_context("surface of lesion " + v.name);
    const StatusRgb c = status_colour(v.status);
    const std::size_t first = n_points;
    for (const PatientPoint& q : mesh->points) {
      const PatientPoint p = v.to_planning.apply(q);
      points += fmt::format("{:.3f} {:.3f} {:.3f}\n", p.x, p.y, p.z);
      ++n_points;
    }
    for (const auto& t : mesh->triangles) {
      connectivity += fmt::format("{} {} {} ", first + std::size_t(t[0]), first + std::size_t(t[1]), first + std::size_t(t[2]));
      offsets += fmt::format("{} ", 3 * (++n_cells));
      status += fmt::format("{} ", static_cast<int>(v.status));
      lesion += fmt::format("{} ", v.row + 1);
      colour += fmt::format("{} {} {} ", c.r, c.g, c.b);
    }
  }
  std::string out = "<?xml version=\"1.0\"?>\n<!-- sbrtkit response lesion surfaces, planning frame (LPS, mm); status codes:";
  for (int s = 1; s <= kResponseStatusCount; ++s)
    out += fmt::format(" {}={}", s, status_name(static_cast<ResponseStatus>(s)));
  out += " -->\n<VTKFile type=\"PolyData\" version=\"0.1\" byte_order=\"LittleEndian\">\n<PolyData>\n";
  out += fmt::format("<Piece NumberOfPoints=\"{}\" NumberOfVerts=\"0\" NumberOfLines=\"0\" NumberOfStrips=\"0\" NumberOfPolys=\"{}\">\n",
                     n_points, n_cells);
  out += "<Points>\n<DataArray type=\"Float32\" NumberOfComponents=\"3\" format=\"ascii\">\n" + points +
         "</DataArray>\n</Points>\n";
  out += "<CellData Scalars=\"status\">\n";
  out += "<DataArray type=\"Int32\" Name=\"status\" format=\"ascii\">\n" + status + "\n</DataArray>\n";
  out += "<DataArray type=\"Int32\" Name=\"lesion\" format=\"ascii\">\n" + lesion + "\n</DataArray>\n";
  out += "<DataArray type=\"UInt8\" Name=\"colour\" NumberOfComponents=\"3\" format=\"ascii\">\n" + colour +
         "\n</DataArray>\n</CellData>\n";
  out += "<Polys>\n<DataArray type=\"Int64\" Name=\"connectivity\" format=\"ascii\">\n" + connectivity +
         "\n</DataArray>\n<DataArray type=\"Int64\" Name=\"offsets\" format=\"ascii\">\n" + offsets +
         "\n</DataArray>\n</Polys>\n</Piece>\n</PolyData>\n</VTKFile>\n";
  return write_file_atomically(file, out);
}

}  // namespace sbrtkit
