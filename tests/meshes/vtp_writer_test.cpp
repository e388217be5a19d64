// write_vtp (meshes/): a hand-made tetrahedron with cell and point arrays is read back with VTK's own
// vtkXMLPolyDataReader, an independent parser of the format: points, triangles and every array value
// must come back as written; bad arrays and missing folders are errors that leave no file behind.
#include "sbrtkit/meshes/vtp_writer.h"

#include <gtest/gtest.h>
#include <vtkCellArray.h>
#include <vtkCellData.h>
#include <vtkDataArray.h>
#include <vtkFieldData.h>
#include <vtkIdList.h>
#include <vtkNew.h>
#include <vtkPointData.h>
#include <vtkPolyData.h>
#include <vtkStringArray.h>
#include <vtkXMLPolyDataReader.h>

#include <filesystem>
#include <fstream>

#include "support/cli_runner.h"

namespace sbrtkit {
namespace {

/// Tetrahedron (0,0,0), (10,0,0), (0,20,0), (0,0,30) + an offset that needs Float32's 7 digits.
MeshFile tetrahedron() {
  MeshFile f;
  f.mesh.points = {{-100.25, 50.5, 12.125}, {-90.25, 50.5, 12.125}, {-100.25, 70.5, 12.125}, {-100.25, 50.5, 42.125}};
  f.mesh.triangles = {{0, 2, 1}, {0, 1, 3}, {0, 3, 2}, {1, 2, 3}};
  f.cell_arrays.push_back({"status", MeshArray::Type::int32, 1, {1, 2, 3, 7}});
  f.cell_arrays.push_back({"colour", MeshArray::Type::uint8, 3, {255, 0, 0, 0, 255, 0, 0, 0, 255, 12, 34, 56}});
  f.point_arrays.push_back({"distance_mm", MeshArray::Type::float32, 1, {0.5, -1.25, 2.75, 1e-3}});
  f.active_cell_scalars = "status";
  f.notes = {"status codes: 1=a 2=b", "planning frame"};
  return f;
}

vtkSmartPointer<vtkPolyData> read_back(const std::filesystem::path& file) {
  vtkNew<vtkXMLPolyDataReader> reader;
  reader->SetFileName(file.string().c_str());
  reader->Update();
  return reader->GetOutput();
}

TEST(VtpWriter, ReadsBackWithVtkPointsCellsAndArrays) {
  testing::TempDir dir;
  const auto file = dir / "mesh.vtp";
  const MeshFile f = tetrahedron();
  ASSERT_TRUE(write_vtp(file, f));
  const auto poly = read_back(file);
  ASSERT_NE(poly, nullptr);
  ASSERT_EQ(poly->GetNumberOfPoints(), 4);
  for (vtkIdType n = 0; n < 4; ++n) {
    double p[3];
    poly->GetPoint(n, p);
    // Float32 in the file: 24 bits of mantissa, about 1e-5 mm at 100 mm (the values here are exact in it).
    EXPECT_NEAR(p[0], f.mesh.points[n].x, 1e-5);
    EXPECT_NEAR(p[1], f.mesh.points[n].y, 1e-5);
    EXPECT_NEAR(p[2], f.mesh.points[n].z, 1e-5);
  }
  ASSERT_EQ(poly->GetNumberOfPolys(), 4);
  ASSERT_EQ(poly->GetNumberOfCells(), 4);
  vtkNew<vtkIdList> ids;
  for (vtkIdType c = 0; c < 4; ++c) {
    poly->GetCellPoints(c, ids);
    ASSERT_EQ(ids->GetNumberOfIds(), 3);
    for (int e = 0; e < 3; ++e) EXPECT_EQ(ids->GetId(e), f.mesh.triangles[c][e]) << "cell " << c;
  }
  vtkDataArray* status = poly->GetCellData()->GetArray("status");
  ASSERT_NE(status, nullptr);
  EXPECT_EQ(status->GetDataType(), VTK_INT);
  EXPECT_EQ(poly->GetCellData()->GetScalars(), status);  // the active scalars viewers colour by
  const double codes[4] = {1, 2, 3, 7};
  for (vtkIdType c = 0; c < 4; ++c) EXPECT_EQ(status->GetComponent(c, 0), codes[c]);
  vtkDataArray* colour = poly->GetCellData()->GetArray("colour");
  ASSERT_NE(colour, nullptr);
  EXPECT_EQ(colour->GetDataType(), VTK_UNSIGNED_CHAR);
  ASSERT_EQ(colour->GetNumberOfComponents(), 3);
  for (vtkIdType c = 0; c < 4; ++c)
    for (int k = 0; k < 3; ++k) EXPECT_EQ(colour->GetComponent(c, k), f.cell_arrays[1].values[3 * c + k]);
  vtkDataArray* distance = poly->GetPointData()->GetArray("distance_mm");
  ASSERT_NE(distance, nullptr);
  EXPECT_EQ(distance->GetDataType(), VTK_FLOAT);
  for (vtkIdType n = 0; n < 4; ++n) EXPECT_FLOAT_EQ(float(distance->GetComponent(n, 0)), float(f.point_arrays[0].values[n]));
  auto* notes = vtkStringArray::SafeDownCast(poly->GetFieldData()->GetAbstractArray("notes"));
  ASSERT_NE(notes, nullptr);
  ASSERT_EQ(notes->GetNumberOfValues(), 2);
  EXPECT_EQ(notes->GetValue(0), "status codes: 1=a 2=b");
  EXPECT_EQ(notes->GetValue(1), "planning frame");
  // Only the target is left in the folder: the temporary file was renamed.
  int entries = 0;
  for ([[maybe_unused]] const auto& e : std::filesystem::directory_iterator(dir.path())) ++entries;
  EXPECT_EQ(entries, 1);
}

TEST(VtpWriter, EmptyMeshIsAValidFile) {
  testing::TempDir dir;
  MeshFile f;
  f.cell_arrays.push_back({"status", MeshArray::Type::int32, 1, {}});
  ASSERT_TRUE(write_vtp(dir / "empty.vtp", f));
  const auto poly = read_back(dir / "empty.vtp");
  EXPECT_EQ(poly->GetNumberOfPoints(), 0);
  EXPECT_EQ(poly->GetNumberOfCells(), 0);
}

TEST(VtpWriter, BadInputIsAnErrorAndLeavesTheOldFile) {
  testing::TempDir dir;
  const auto file = dir / "mesh.vtp";
  { std::ofstream(file) << "old"; }
  MeshFile f = tetrahedron();
  f.cell_arrays[1].values.pop_back();  // 11 colour values for 4 triangles x 3
  auto st = write_vtp(file, f);
  ASSERT_FALSE(st);
  EXPECT_NE(st.error().message().find("colour"), std::string::npos) << st.error().message();
  EXPECT_EQ(testing::read_text(file), "old");
  f = tetrahedron();
  f.mesh.triangles.push_back({0, 1, 4});  // point 4 does not exist
  f.cell_arrays.clear();
  st = write_vtp(file, f);
  ASSERT_FALSE(st);
  EXPECT_NE(st.error().message().find("0..3"), std::string::npos) << st.error().message();
  EXPECT_EQ(testing::read_text(file), "old");
  st = write_vtp(dir / "no" / "such" / "mesh.vtp", tetrahedron());
  ASSERT_FALSE(st);
  EXPECT_NE(st.error().message().find("does not exist"), std::string::npos) << st.error().message();
}

}  // namespace
}  // namespace sbrtkit
