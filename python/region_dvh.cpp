// sbrtkit.dvh_of: the DVH of a user's occupancy array through core's compute_region_dvh (the engine of PET
// lesions), so a researcher's own mask gets the same sampling, histogram and metrics as a structure.
#include <cmath>
#include <optional>
#include <string>
#include <vector>

#include <pybind11/numpy.h>
#include <pybind11/stl.h>

#include "errors.h"
#include "image.h"
#include "plan.h"
#include "sbrtkit/dvh_engine.h"
#include "sbrtkit/metric.h"

namespace sbrtkit::python {
namespace py = pybind11;
namespace {

struct RegionDvh {
  Dvh dvh;
  PatientPoint centroid;
  std::optional<double> prescription_gy;
};

/// Occupancy in [0, 1] per voxel of `grid`, from an array indexed [z, y, x]; zeros are left out.
LesionVoxels region_of(const py::array& mask, const ImageGeometry& grid) {
  auto values = py::array_t<float, py::array::c_style | py::array::forcecast>::ensure(mask);
  if (!values) throw py::error_already_set();
  const auto& size = grid.size();
  if (values.ndim() != 3 || values.shape(0) != size[2] || values.shape(1) != size[1] || values.shape(2) != size[0])
    raise(Error::bad_argument("mask", "an array of the dose grid's shape (nz, ny, nx) = (" + std::to_string(size[2]) +
                                          ", " + std::to_string(size[1]) + ", " + std::to_string(size[0]) +
                                          "), or an Image with its own geometry",
                              "an array of another shape"));
  LesionVoxels region;
  const float* v = values.data();
  for (py::ssize_t n = 0; n < values.size(); ++n) {
    if (!(v[n] >= 0.0f && v[n] <= 1.0f))
      raise(Error::bad_argument("mask", "occupancy in [0, 1] (1: voxel inside)",
                                std::to_string(v[n]) + " at flat index " + std::to_string(n)));
    if (v[n] > 0) {
      region.index.push_back(n);
      region.weight.push_back(v[n]);
    }
  }
  return region;
}

py::tuple curve_arrays(const std::vector<Dvh::Point>& points) {
  py::array_t<double> dose(static_cast<py::ssize_t>(points.size())), volume(static_cast<py::ssize_t>(points.size()));
  auto d = dose.mutable_unchecked<1>();
  auto v = volume.mutable_unchecked<1>();
  for (std::size_t i = 0; i < points.size(); ++i) {
    d(static_cast<py::ssize_t>(i)) = points[i].dose_gy;
    v(static_cast<py::ssize_t>(i)) = points[i].volume_cc;
  }
  return py::make_tuple(dose, volume);
}

std::optional<double> metric_of(const RegionDvh& r, const std::string& text) {
  const Metric metric = unwrap(parse_metric(text));
  const MetricResult value = evaluate(metric, r.dvh, r.prescription_gy);
  if (!value.warning.empty()) warn_all({value.warning}, text + ": ");
  return value.value;
}

}  // namespace

void register_region_dvh(py::module_& m) {
  py::class_<RegionDvh>(m, "RegionDvh", "The DVH of an occupancy array on a dose image (dvh_of).")
      .def_property_readonly("volume_cc", [](const RegionDvh& r) { return r.dvh.total_volume_cc(); },
                             "Sum of occupancy x voxel volume, inside and outside the dose grid (cc).")
      .def_property_readonly("covered_volume_cc", [](const RegionDvh& r) { return r.dvh.covered_volume_cc(); })
      .def_property_readonly("coverage", [](const RegionDvh& r) { return r.dvh.coverage(); })
      .def_property_readonly("min_gy", [](const RegionDvh& r) { return r.dvh.min_gy(); })
      .def_property_readonly("mean_gy", [](const RegionDvh& r) { return r.dvh.mean_gy(); })
      .def_property_readonly("max_gy", [](const RegionDvh& r) { return r.dvh.max_gy(); })
      .def_property_readonly("centroid", [](const RegionDvh& r) {
        return py::make_tuple(r.centroid.x, r.centroid.y, r.centroid.z);
      }, "Occupancy-weighted centroid, patient mm.")
      .def("metric", &metric_of, py::arg("metric"),
           "One TG-263 metric (\"D98%[Gy]\", \"V20Gy[cc]\", ...); None when it cannot be computed.")
      .def("metrics", [](const RegionDvh& r, const std::vector<std::string>& texts) {
             py::dict out;
             for (const auto& t : texts) out[py::str(t)] = metric_of(r, t);
             return out;
           }, py::arg("metrics"), "Several metrics: dict text -> value (None when it cannot be computed).")
      .def("curve", [](const RegionDvh& r, double step_gy) {
             if (!(step_gy > 0)) raise(Error::bad_argument("step", "a positive dose step in Gy", std::to_string(step_gy)));
             return curve_arrays(r.dvh.cumulative(step_gy));
           }, py::arg("step") = 0.01, "Cumulative DVH: (dose_gy, volume_cc) numpy arrays.");

  m.def("dvh_of", [](const py::object& mask, const Image& dose, std::optional<double> prescription_gy) {
          // The mask's grid: its own Image geometry (same patient frame as the dose), else the dose grid.
          const bool own_grid = py::isinstance<Image>(mask);
          const ImageGeometry grid = own_grid ? mask.cast<const Image&>().geometry : dose.geometry;
          const LesionVoxels region =
              region_of(own_grid ? mask.cast<const Image&>().array : mask.cast<py::array>(), grid);
          const DoseVolume dose_gy = to_float_volume(dose);
          std::optional<Expected<StructureDvh>> result;
          {
            py::gil_scoped_release release;
            const DoseField field(dose_gy);
            result.emplace(compute_region_dvh(grid, region, RigidMap{}, field));
          }
          StructureDvh dvh = unwrap(std::move(*result));
          warn_all(warning_texts(dvh.warnings));
          return RegionDvh{std::move(dvh.dvh), dvh.centroid, prescription_gy};
        },
        py::arg("mask"), py::arg("dose"), py::arg("prescription_gy") = py::none(),
        R"doc(DVH of your own region on a dose Image (Gy), with the engine of PET lesions (compute_region_dvh).

mask: a numpy occupancy array on the dose grid (same shape [z, y, x], values in [0, 1]; a boolean mask
works), or an Image with its own geometry in the dose's patient frame. Each voxel is cut into cells about
the structure sample step on a side and dose is trilinearly interpolated at each cell.
prescription_gy: for relative metrics (V100%, D95%[%]).)doc");
}

}  // namespace sbrtkit::python
