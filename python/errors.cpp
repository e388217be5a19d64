#include "errors.h"

#include <array>

namespace sbrtkit::python {
namespace py = pybind11;
namespace {

struct ErrorClass {
  ErrorCode code;
  const char* name;
  const char* doc;
};
constexpr std::array<ErrorClass, 8> kClasses = {{
    {ErrorCode::io, "IoError", "A file is missing, unreadable or truncated."},
    {ErrorCode::not_dicom, "NotDicomError", "A file is not DICOM at all."},
    {ErrorCode::missing_tag, "MissingTagError", "A required DICOM attribute is absent or empty."},
    {ErrorCode::bad_value, "BadValueError", "An attribute is present but its value is unusable."},
    {ErrorCode::unsupported, "UnsupportedError", "Valid DICOM that sbrtkit does not handle."},
    {ErrorCode::inconsistent, "InconsistentError", "Objects that do not belong together (frame of reference, UIDs)."},
    {ErrorCode::bad_argument, "BadArgumentError", "An argument of the call is unusable."},
    {ErrorCode::bad_metric, "BadMetricError", "A DVH metric string that does not parse."},
}};

// Owned by the module for the interpreter's life (pybind11's pattern for exception objects).
PyObject* g_classes[kClasses.size()] = {};
PyObject* g_warning = nullptr;

}  // namespace

void register_errors(py::module_& m) {
  PyObject* base = PyErr_NewExceptionWithDoc("sbrtkit.SbrtkitError",
      "Base of every sbrtkit error. Attributes: file, tag, expected, found, detail (as the C++ Error).",
      PyExc_RuntimeError, nullptr);
  m.add_object("SbrtkitError", py::handle(base));
  for (std::size_t i = 0; i < kClasses.size(); ++i) {
    const std::string qualified = std::string("sbrtkit.") + kClasses[i].name;
    g_classes[i] = PyErr_NewExceptionWithDoc(qualified.c_str(), kClasses[i].doc, base, nullptr);
    m.add_object(kClasses[i].name, py::handle(g_classes[i]));
  }
  g_warning = PyErr_NewExceptionWithDoc("sbrtkit.SbrtkitWarning", "A warning of the C++ engine.",
                                        PyExc_UserWarning, nullptr);
  m.add_object("SbrtkitWarning", py::handle(g_warning));
}

void raise(const Error& error) {
  PyObject* type = g_classes[0];
  for (std::size_t i = 0; i < kClasses.size(); ++i)
    if (kClasses[i].code == error.code) type = g_classes[i];
  py::object exception = py::reinterpret_borrow<py::object>(type)(error.message());
  exception.attr("file") = error.file;
  exception.attr("tag") = error.tag;
  exception.attr("expected") = error.expected;
  exception.attr("found") = error.found;
  exception.attr("detail") = error.detail;
  PyErr_SetObject(type, exception.ptr());
  throw py::error_already_set();
}

void warn_all(const std::vector<std::string>& warnings, const std::string& prefix) {
  for (const auto& w : warnings)
    if (PyErr_WarnEx(g_warning, (prefix + w).c_str(), 2) != 0) throw py::error_already_set();
}

}  // namespace sbrtkit::python
