#pragma once
/// C++ errors and warnings in Python: one exception class per ErrorCode (all subclasses of
/// sbrtkit.SbrtkitError), carrying the Error's fields as attributes, and warnings as sbrtkit.SbrtkitWarning
/// through Python's `warnings` module.

#include <string>
#include <utility>
#include <vector>

#include <pybind11/pybind11.h>

#include "sbrtkit/expected.h"

namespace sbrtkit::python {

/// Creates the exception and warning classes in the module (once, at import).
void register_errors(pybind11::module_& m);

/// Raises the Python exception of error.code with error.message(); never returns.
[[noreturn]] void raise(const Error& error);

template <class T>
T unwrap(Expected<T>&& value) {
  if (!value) raise(value.error());
  return std::move(value).value();
}

/// warnings.warn(text, sbrtkit.SbrtkitWarning) for each; needs the GIL. A warning filter turning them into
/// errors raises here.
void warn_all(const std::vector<std::string>& warnings, const std::string& prefix = "");

}  // namespace sbrtkit::python
