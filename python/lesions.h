#pragma once
/// sbrtkit.lesions() and sbrtkit.response(): the `lesions` and `response` use cases, their tables as CSV text
/// (the Python side makes DataFrames of them) and their images (SUV, label maps) as sbrtkit.Image.

#include <pybind11/pybind11.h>

namespace sbrtkit::python {

void register_lesions(pybind11::module_& m);

}  // namespace sbrtkit::python
