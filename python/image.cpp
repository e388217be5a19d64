#include "image.h"

#include <array>
#include <cmath>
#include <string>

#include <pybind11/stl.h>

#include "errors.h"
#include "sbrtkit/expected.h"

namespace sbrtkit::python {
namespace py = pybind11;
namespace {

std::string triple(const std::array<double, 3>& v) {
  return "(" + std::to_string(v[0]) + ", " + std::to_string(v[1]) + ", " + std::to_string(v[2]) + ")";
}

/// Geometry of a user's array: direction columns are the patient directions of i (x), j (y), k (z).
ImageGeometry geometry_of(const py::array& array, std::array<double, 3> origin, std::array<double, 3> spacing,
                          std::array<std::array<double, 3>, 3> direction) {
  if (array.ndim() != 3)
    raise(Error::bad_argument("array", "a 3-D array indexed [z, y, x]", std::to_string(array.ndim()) + " dimensions"));
  for (double s : spacing)
    if (!(s > 0) || !std::isfinite(s)) raise(Error::bad_argument("spacing", "three positive mm values", triple(spacing)));
  for (double o : origin)
    if (!std::isfinite(o)) raise(Error::bad_argument("origin", "three finite mm values", triple(origin)));
  std::array<Vec3, 3> axes;
  for (int a = 0; a < 3; ++a) axes[a] = {direction[0][a], direction[1][a], direction[2][a]};
  for (int a = 0; a < 3; ++a)
    for (int b = 0; b < 3; ++b) {
      const double expected = a == b ? 1.0 : 0.0;
      if (!(std::abs(dot(axes[a], axes[b]) - expected) < 1e-6))
        raise(Error::bad_argument("direction", "an orthonormal 3x3 matrix (columns: directions of x, y, z index)",
                                  "columns " + std::to_string(a) + " and " + std::to_string(b) + " have dot product " +
                                      std::to_string(dot(axes[a], axes[b]))));
    }
  return ImageGeometry({array.shape(2), array.shape(1), array.shape(0)}, {origin[0], origin[1], origin[2]},
                       {spacing[0], spacing[1], spacing[2]}, axes);
}

py::array_t<double> direction_of(const ImageGeometry& g) {
  py::array_t<double> d({3, 3});
  auto r = d.mutable_unchecked<2>();
  for (int a = 0; a < 3; ++a) {
    r(0, a) = g.axes()[a].x;
    r(1, a) = g.axes()[a].y;
    r(2, a) = g.axes()[a].z;
  }
  return d;
}

py::array_t<double> affine_of(const ImageGeometry& g) {
  py::array_t<double> m({4, 4});
  auto r = m.mutable_unchecked<2>();
  for (int a = 0; a < 3; ++a) {
    const Vec3 s = g.step(a);
    r(0, a) = s.x;
    r(1, a) = s.y;
    r(2, a) = s.z;
    r(3, a) = 0;
  }
  r(0, 3) = g.origin().x;
  r(1, 3) = g.origin().y;
  r(2, 3) = g.origin().z;
  r(3, 3) = 1;
  return m;
}

}  // namespace

Volume<float> to_float_volume(const Image& image) {
  auto values = py::array_t<float, py::array::c_style | py::array::forcecast>::ensure(image.array);
  if (!values) throw py::error_already_set();
  const auto& size = image.geometry.size();
  if (values.ndim() != 3 || values.shape(0) != size[2] || values.shape(1) != size[1] || values.shape(2) != size[0])
    raise(Error::bad_argument("Image.array", "the shape of the image's geometry", "another shape"));
  Volume<float> volume(image.geometry);
  std::copy(values.data(), values.data() + values.size(), volume.voxels.begin());
  return volume;
}

void register_image(py::module_& m) {
  py::class_<Image>(m, "Image", R"doc(
A 3-D image placed in DICOM patient space (LPS, mm).

``array`` is a numpy array indexed ``array[z, y, x]`` (``[k, j, i]``: slice, row, column), the order of
SimpleITK's GetArrayFromImage and of DICOM pixel data. ``origin`` is the centre of voxel (0, 0, 0),
``spacing`` is (x, y, z) in mm, ``direction`` is 3x3 with column a the patient direction in which index
a grows (a = 0: x/i, 1: y/j, 2: z/k), as ITK's GetDirection. ``affine`` is the 4x4 matrix mapping
(i, j, k, 1) to (x, y, z, 1) in patient mm: ``affine[:3, :3] = direction * spacing``, ``affine[:3, 3] = origin``
(nibabel's convention, in LPS rather than RAS).

Images returned by sbrtkit are read-only views on the engine's memory; the array keeps that memory alive
by itself (deleting the plan does not invalidate it).)doc")
      .def(py::init([](py::array array, std::array<double, 3> origin, std::array<double, 3> spacing,
                       std::array<std::array<double, 3>, 3> direction) {
             ImageGeometry g = geometry_of(array, origin, spacing, direction);
             return Image{array, g};
           }),
           py::arg("array"), py::arg("origin") = std::array<double, 3>{0, 0, 0},
           py::arg("spacing") = std::array<double, 3>{1, 1, 1},
           py::arg("direction") = std::array<std::array<double, 3>, 3>{{{1, 0, 0}, {0, 1, 0}, {0, 0, 1}}},
           "Wraps a user's array [z, y, x] with its geometry (the array is referenced, not copied).")
      .def_readonly("array", &Image::array, "The voxels, indexed [z, y, x].")
      .def_property_readonly("shape", [](const Image& i) {
        const auto& s = i.geometry.size();
        return py::make_tuple(s[2], s[1], s[0]);
      }, "(nz, ny, nx), the shape of array.")
      .def_property_readonly("size", [](const Image& i) {
        const auto& s = i.geometry.size();
        return py::make_tuple(s[0], s[1], s[2]);
      }, "(nx, ny, nz), in ITK's order.")
      .def_property_readonly("origin", [](const Image& i) {
        const auto& o = i.geometry.origin();
        return py::make_tuple(o.x, o.y, o.z);
      }, "Patient position (x, y, z) of the centre of voxel (0, 0, 0), mm.")
      .def_property_readonly("spacing", [](const Image& i) {
        const auto& s = i.geometry.spacing_mm();
        return py::make_tuple(s.x, s.y, s.z);
      }, "Voxel spacing (x, y, z), mm.")
      .def_property_readonly("direction", [](const Image& i) { return direction_of(i.geometry); },
                             "3x3; column a is the patient direction of index axis a (x, y, z).")
      .def_property_readonly("affine", [](const Image& i) { return affine_of(i.geometry); },
                             "4x4 index (i, j, k, 1) -> patient (x, y, z, 1) in mm, LPS.")
      .def("__repr__", [](const Image& i) {
        const auto& s = i.geometry.size();
        const auto& sp = i.geometry.spacing_mm();
        return "<sbrtkit.Image shape=(" + std::to_string(s[2]) + ", " + std::to_string(s[1]) + ", " +
               std::to_string(s[0]) + ") spacing=" + triple({sp.x, sp.y, sp.z}) + ">";
      });
}

}  // namespace sbrtkit::python
