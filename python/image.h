#pragma once
/// sbrtkit.Image: a numpy array (index order z, y, x: array[k, j, i]) and its placement in DICOM patient
/// space (LPS, mm). The array is a view on the C++ volume where there is one (the dose of a plan, the SUV of
/// a lesions report): the volume is kept alive by the array itself, so it outlives the plan object.

#include <memory>

#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>

#include "sbrtkit/geometry.h"
#include "sbrtkit/volume.h"

namespace sbrtkit::python {

struct Image {
  pybind11::array array;  // shape (nz, ny, nx), C order
  ImageGeometry geometry;
};

/// A read-only zero-copy view on a volume owned by `owner` (the capsule of the array holds it).
template <class T>
Image view_of(std::shared_ptr<const Volume<T>> volume) {
  const auto& size = volume->geometry.size();
  const std::vector<pybind11::ssize_t> shape = {size[2], size[1], size[0]};
  const auto s = static_cast<pybind11::ssize_t>(sizeof(T));
  const std::vector<pybind11::ssize_t> strides = {size[1] * size[0] * s, size[0] * s, s};
  auto* keep = new std::shared_ptr<const Volume<T>>(volume);
  pybind11::capsule owner(keep, [](void* p) { delete static_cast<std::shared_ptr<const Volume<T>>*>(p); });
  pybind11::array_t<T> array(shape, strides, volume->voxels.data(), owner);
  // The C++ side never changes it, and other views share it: a write would be a surprise, so refuse it.
  pybind11::detail::array_proxy(array.ptr())->flags &= ~pybind11::detail::npy_api::NPY_ARRAY_WRITEABLE_;
  return Image{array, volume->geometry};
}

/// The array as a float volume (a copy), checked against the geometry's size.
Volume<float> to_float_volume(const Image& image);

void register_image(pybind11::module_& m);

}  // namespace sbrtkit::python
