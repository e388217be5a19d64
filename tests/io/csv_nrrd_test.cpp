// io/csv.h and io/nrrd_writer.h against hand-written expectations: RFC 4180 cells, and an NRRD label map
// whose header and little-endian payload are spelled out here byte by byte.
#include <gtest/gtest.h>

#include <fstream>
#include <iterator>

#include "sbrtkit/io/csv.h"
#include "sbrtkit/io/nrrd_writer.h"
#include "support/cli_runner.h"

namespace sbrtkit {
namespace {

TEST(CsvCell, QuotesOnlyWhatRfc4180Needs) {
  EXPECT_EQ(csv_cell("PTV_L3"), "PTV_L3");
  EXPECT_EQ(csv_cell(""), "");
  EXPECT_EQ(csv_cell("PTV, boost"), "\"PTV, boost\"");
  EXPECT_EQ(csv_cell("say \"hi\""), "\"say \"\"hi\"\"\"");
  EXPECT_EQ(csv_cell("line\nbreak"), "\"line\nbreak\"");
  EXPECT_EQ(csv_cell("carriage\rreturn"), "\"carriage\rreturn\"");
}

TEST(NrrdWriter, HeaderAndLittleEndianLabels) {
  testing::TempDir dir;
  const ImageGeometry g({2, 1, 2}, {-1.5, 2, 10}, {1, 2, 4}, {Vec3{1, 0, 0}, Vec3{0, 1, 0}, Vec3{0, 0, 1}});
  const std::vector<std::uint16_t> labels = {1, 0, 258, 7};
  ASSERT_TRUE(write_nrrd_labels(dir / "a.nrrd", g, labels, {.comments = {"test"}, .key_values = {{"k", "v"}}}));
  std::ifstream in(dir / "a.nrrd", std::ios::binary);
  const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const std::string header =
      "NRRD0004\n# test\ntype: unsigned short\ndimension: 3\nspace: left-posterior-superior\nsizes: 2 1 2\n"
      "space directions: (1,0,0) (0,2,0) (0,0,4)\nkinds: domain domain domain\nendian: little\nencoding: raw\n"
      "space origin: (-1.5,2,10)\nk:=v\n\n";
  ASSERT_EQ(bytes.size(), header.size() + 8);
  EXPECT_EQ(bytes.substr(0, header.size()), header);
  EXPECT_EQ(bytes.substr(header.size()), std::string("\x01\x00\x00\x00\x02\x01\x07\x00", 8));
  // Label count not matching the grid: an error naming the file, nothing written.
  const std::vector<std::uint8_t> three = {1, 2, 3};
  auto bad = write_nrrd_labels(dir / "b.nrrd", g, three);
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().message().find("b.nrrd"), std::string::npos);
  EXPECT_FALSE(std::filesystem::exists(dir / "b.nrrd"));
}

}  // namespace
}  // namespace sbrtkit
