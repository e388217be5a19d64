// NRRD label map: a text header and raw little-endian unsigned shorts, i fastest (NRRD's order too).
#include <fmt/format.h>

#include <cstring>

#include "sbrtkit/pipelines/lesions_report.h"
#include "sbrtkit/pipelines/output_file.h"

namespace sbrtkit {

Status write_label_map_nrrd(const std::filesystem::path& file, const LesionsReport& rep) {
  const ImageGeometry& g = rep.pet_grid;
  std::vector<std::uint16_t> labels(static_cast<std::size_t>(g.voxel_count()), 0);
  for (const auto& l : rep.lesions)
    for (std::size_t q = 0; q < l.voxels.index.size(); ++q)
      if (l.voxels.weight[q] >= 0.5f && labels[l.voxels.index[q]] == 0)
        labels[l.voxels.index[q]] = static_cast<std::uint16_t>(l.id);
  auto dir = [&](int a) {
    const Vec3 s = g.step(a);
    return fmt::format("({:.10g},{:.10g},{:.10g})", s.x, s.y, s.z);
  };
  std::string out = "NRRD0004\n# sbrtkit lesions label map: label = lesion id (see lesions.csv)\n";
  out += "type: unsigned short\ndimension: 3\nspace: left-posterior-superior\n";
  out += fmt::format("sizes: {} {} {}\n", g.size()[0], g.size()[1], g.size()[2]);
  out += fmt::format("space directions: {} {} {}\n", dir(0), dir(1), dir(2));
  out += "kinds: domain domain domain\nendian: little\nencoding: raw\n";
  out += fmt::format("space origin: ({:.10g},{:.10g},{:.10g})\n\n", g.origin().x, g.origin().y, g.origin().z);
  const std::size_t header = out.size();
  out.resize(header + labels.size() * 2);
  for (std::size_t n = 0; n < labels.size(); ++n) {  // little endian whatever the host
    out[header + 2 * n] = static_cast<char>(labels[n] & 0xFF);
    out[header + 2 * n + 1] = static_cast<char>(labels[n] >> 8);
  }
  return write_file_atomically(file, out);
}

}  // namespace sbrtkit
