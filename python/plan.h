#pragma once
/// sbrtkit.Plan (load_plan), its DVH result, and DVHs of a user's own occupancy array (dvh_of).

#include <pybind11/pybind11.h>

namespace sbrtkit::python {

void register_plan(pybind11::module_& m);
void register_region_dvh(pybind11::module_& m);

}  // namespace sbrtkit::python
