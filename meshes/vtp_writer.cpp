// MeshFile -> vtkPolyData (points, triangles, cell/point arrays, notes as field data) -> vtkXMLPolyDataWriter
// (ASCII) into a hidden temporary file next to the target -> rename over the target.
#include "sbrtkit/meshes/vtp_writer.h"

#include <unistd.h>
#include <vtkCellArray.h>
#include <vtkCellData.h>
#include <vtkFieldData.h>
#include <vtkFloatArray.h>
#include <vtkIntArray.h>
#include <vtkNew.h>
#include <vtkPointData.h>
#include <vtkPoints.h>
#include <vtkPolyData.h>
#include <vtkSmartPointer.h>
#include <vtkStringArray.h>
#include <vtkUnsignedCharArray.h>
#include <vtkXMLPolyDataWriter.h>

#include <system_error>

namespace sbrtkit {
namespace {

vtkSmartPointer<vtkDataArray> make_array(const MeshArray& a) {
  vtkSmartPointer<vtkDataArray> out;
  switch (a.type) {
    case MeshArray::Type::int32: out = vtkSmartPointer<vtkIntArray>::New(); break;
    case MeshArray::Type::uint8: out = vtkSmartPointer<vtkUnsignedCharArray>::New(); break;
    case MeshArray::Type::float32: out = vtkSmartPointer<vtkFloatArray>::New(); break;
  }
  out->SetName(a.name.c_str());
  out->SetNumberOfComponents(a.components);
  out->SetNumberOfTuples(static_cast<vtkIdType>(a.values.size() / std::size_t(a.components)));
  for (std::size_t n = 0; n < a.values.size(); ++n)
    out->SetComponent(static_cast<vtkIdType>(n / std::size_t(a.components)), int(n % std::size_t(a.components)),
                      a.values[n]);
  return out;
}

Status check_array(const std::filesystem::path& file, const MeshArray& a, std::size_t count, const char* per) {
  if (a.components < 1 || a.values.size() != count * std::size_t(a.components))
    return Error::bad_argument("array '" + a.name + "' of " + file.string(),
                               std::to_string(a.components) + " value(s) per " + per + " x " + std::to_string(count),
                               std::to_string(a.values.size()) + " values");
  return ok();
}

}  // namespace

Status write_vtp(const std::filesystem::path& file, const MeshFile& data) {
  namespace fs = std::filesystem;
  const SurfaceMesh& mesh = data.mesh;
  for (const auto& a : data.cell_arrays)
    if (auto st = check_array(file, a, mesh.triangles.size(), "triangle"); !st) return st;
  for (const auto& a : data.point_arrays)
    if (auto st = check_array(file, a, mesh.points.size(), "point"); !st) return st;
  const auto n_points = static_cast<std::int64_t>(mesh.points.size());
  for (const auto& t : mesh.triangles)
    for (auto v : t)
      if (v < 0 || v >= n_points)
        return Error::bad_argument("triangle of " + file.string(), "point indices 0.." + std::to_string(n_points - 1),
                                   std::to_string(v));

  vtkNew<vtkPoints> points;
  points->SetDataTypeToFloat();
  points->SetNumberOfPoints(n_points);
  for (std::int64_t n = 0; n < n_points; ++n) {
    const PatientPoint& p = mesh.points[std::size_t(n)];
    points->SetPoint(n, p.x, p.y, p.z);
  }
  vtkNew<vtkCellArray> polys;
  for (const auto& t : mesh.triangles) {
    const vtkIdType ids[3] = {t[0], t[1], t[2]};
    polys->InsertNextCell(3, ids);
  }
  vtkNew<vtkPolyData> poly;
  poly->SetPoints(points);
  poly->SetPolys(polys);
  for (const auto& a : data.cell_arrays) poly->GetCellData()->AddArray(make_array(a));
  for (const auto& a : data.point_arrays) poly->GetPointData()->AddArray(make_array(a));
  if (!data.active_cell_scalars.empty()) poly->GetCellData()->SetActiveScalars(data.active_cell_scalars.c_str());
  if (!data.notes.empty()) {
    vtkNew<vtkStringArray> notes;
    notes->SetName("notes");
    for (const auto& n : data.notes) notes->InsertNextValue(n);
    poly->GetFieldData()->AddArray(notes);
  }

  std::error_code ec;
  const fs::path folder = file.has_parent_path() ? file.parent_path() : fs::path(".");
  if (!fs::is_directory(folder, ec)) return Error::io(file.string(), "folder " + folder.string() + " does not exist");
  std::string hidden = ".";  // appended piecewise: GCC 12 warns falsely (-Wrestrict) on "." + string
  hidden += file.filename().string();
  hidden += ".tmp." + std::to_string(::getpid());
  const fs::path temporary = folder / hidden;
  vtkNew<vtkXMLPolyDataWriter> writer;
  writer->SetInputData(poly);
  writer->SetFileName(temporary.string().c_str());
  writer->SetDataModeToAscii();
  if (writer->Write() != 1 || writer->GetErrorCode() != 0) {
    fs::remove(temporary, ec);
    return Error::io(file.string(), "VTK could not write " + temporary.string() + " (disk full?)");
  }
  fs::rename(temporary, file, ec);
  if (ec) {
    fs::remove(temporary, ec);
    return Error::io(file.string(), "cannot rename the temporary file: " + ec.message());
  }
  return ok();
}

}  // namespace sbrtkit
