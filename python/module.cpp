// The _sbrtkit extension: the pipelines of the CLI, callable from Python (python/sbrtkit/__init__.py
// re-exports it as `sbrtkit`).
#include <pybind11/pybind11.h>

#include "errors.h"
#include "image.h"
#include "lesions.h"
#include "plan.h"
#include "sbrtkit/version.h"

PYBIND11_MODULE(_sbrtkit, m) {
  m.doc() = "sbrtkit: SBRT dose and lesion geometry on DICOM-RT, the C++ engine of the sbrtkit CLI.";
  sbrtkit::python::register_errors(m);
  sbrtkit::python::register_image(m);
  sbrtkit::python::register_plan(m);
  sbrtkit::python::register_region_dvh(m);
  sbrtkit::python::register_lesions(m);
  m.attr("__version__") = sbrtkit::kVersion;
}
