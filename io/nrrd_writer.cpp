#include "sbrtkit/io/nrrd_writer.h"

#include <fmt/format.h>

#include "io/output_file.h"

namespace sbrtkit {

std::string nrrd_header(const ImageGeometry& g, const char* nrrd_type, const NrrdHeaderText& text) {
  auto dir = [&](int a) {
    const Vec3 s = g.step(a);
    return fmt::format("({:.10g},{:.10g},{:.10g})", s.x, s.y, s.z);
  };
  std::string out = "NRRD0004\n";
  for (const auto& c : text.comments) out += "# " + c + "\n";
  out += fmt::format("type: {}\ndimension: 3\nspace: left-posterior-superior\n", nrrd_type);
  out += fmt::format("sizes: {} {} {}\n", g.size()[0], g.size()[1], g.size()[2]);
  out += fmt::format("space directions: {} {} {}\n", dir(0), dir(1), dir(2));
  out += "kinds: domain domain domain\nendian: little\nencoding: raw\n";
  out += fmt::format("space origin: ({:.10g},{:.10g},{:.10g})\n", g.origin().x, g.origin().y, g.origin().z);
  for (const auto& [key, value] : text.key_values) out += key + ":=" + value + "\n";
  return out + "\n";
}

namespace {

template <class Label>
Status write_labels(const std::filesystem::path& file, const ImageGeometry& grid, std::span<const Label> labels,
                    const char* nrrd_type, const NrrdHeaderText& text) {
  if (static_cast<std::int64_t>(labels.size()) != grid.voxel_count())
    return Error::inconsistent(file.string(), "labels",
                               fmt::format("{} labels for a grid of {} voxels", labels.size(), grid.voxel_count()));
  std::string out = nrrd_header(grid, nrrd_type, text);
  const std::size_t header = out.size();
  out.resize(header + labels.size() * sizeof(Label));
  for (std::size_t n = 0; n < labels.size(); ++n)  // little endian whatever the host
    for (std::size_t b = 0; b < sizeof(Label); ++b)
      out[header + sizeof(Label) * n + b] = static_cast<char>((labels[n] >> (8 * b)) & 0xFF);
  return write_file_atomically(file, out);
}

}  // namespace

Status write_nrrd_labels(const std::filesystem::path& file, const ImageGeometry& grid,
                         std::span<const std::uint8_t> labels, const NrrdHeaderText& text) {
  return write_labels(file, grid, labels, "unsigned char", text);
}
Status write_nrrd_labels(const std::filesystem::path& file, const ImageGeometry& grid,
                         std::span<const std::uint16_t> labels, const NrrdHeaderText& text) {
  return write_labels(file, grid, labels, "unsigned short", text);
}

}  // namespace sbrtkit
