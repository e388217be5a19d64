// VTK XML PolyData (ASCII) of the response lesions: voxel-face surfaces in the planning frame, one quad
// per lesion voxel face that borders a non-lesion voxel; cell data: status code, row number, RGB colour.
#include <fmt/format.h>

#include <unordered_set>

#include "response_voxels.h"
#include "sbrtkit/pipelines/output_file.h"
#include "sbrtkit/pipelines/response_report.h"

namespace sbrtkit {

Status write_status_vtp(const std::filesystem::path& file, const ResponseReport& rep) {
  std::string points, connectivity, offsets, status, lesion, colour;
  std::size_t n_points = 0, n_cells = 0;
  for (const auto& v : response_voxels(rep)) {
    if (!v.grid || v.index.empty()) continue;
    const ImageGeometry& g = *v.grid;
    const std::int64_t nx = g.size()[0], ny = g.size()[1];
    const std::unordered_set<std::int64_t> in(v.index.begin(), v.index.end());
    const StatusRgb c = status_colour(v.status);
    for (std::int64_t n : v.index) {
      const std::int64_t i = n % nx, j = (n / nx) % ny, k = n / (nx * ny);
      for (int axis = 0; axis < 3; ++axis)
        for (int side = -1; side <= 1; side += 2) {
          VoxelIndex nb{i, j, k};
          (axis == 0 ? nb.i : axis == 1 ? nb.j : nb.k) += side;
          if (g.contains(nb) && in.count(g.linear_index(nb))) continue;
          // The face's four corners, counter-clockwise seen from outside.
          const int a1 = (axis + 1) % 3, a2 = (axis + 2) % 3;
          const double corners[4][2] = {{-0.5, -0.5}, {0.5, -0.5}, {0.5, 0.5}, {-0.5, 0.5}};
          for (int q = 0; q < 4; ++q) {
            const int qq = side > 0 ? q : 3 - q;
            double d[3] = {0, 0, 0};
            d[axis] = 0.5 * side;
            d[a1] = corners[qq][0];
            d[a2] = corners[qq][1];
            const PatientPoint p =
                v.to_planning.apply(g.to_patient(IndexPoint{double(i) + d[0], double(j) + d[1], double(k) + d[2]}));
            points += fmt::format("{:.3f} {:.3f} {:.3f}\n", p.x, p.y, p.z);
            connectivity += fmt::format("{} ", n_points++);
          }
          offsets += fmt::format("{} ", n_points);
          status += fmt::format("{} ", static_cast<int>(v.status));
          lesion += fmt::format("{} ", v.row + 1);
          colour += fmt::format("{} {} {} ", c.r, c.g, c.b);
          ++n_cells;
        }
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
