#include "plan.h"

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <pybind11/numpy.h>
#include <pybind11/stl.h>
#include <pybind11/stl/filesystem.h>

#include "errors.h"
#include "image.h"
#include "sbrtkit/pipelines/check.h"
#include "sbrtkit/pipelines/dvh_report.h"
#include "sbrtkit/pipelines/plan_inputs.h"
#include "sbrtkit/pipelines/qa.h"
#include "sbrtkit/report/check_output.h"
#include "sbrtkit/report/qa_output.h"

namespace sbrtkit::python {
namespace py = pybind11;
namespace {

/// What load_plan read, and how to read it again: the pipelines take a request, not loaded inputs, so
/// plan.dvh()/qa()/check() run the very use case the CLI runs on the same files (identical numbers).
struct Plan {
  PlanInputRequest request;
  std::shared_ptr<const PlanInputs> inputs;
};

struct DvhResult {
  DvhReport report;
};

std::optional<std::filesystem::path> path_item(const py::dict& files, const char* key) {
  if (!files.contains(key) || files[key].is_none()) return std::nullopt;
  return files[key].cast<std::filesystem::path>();
}

PlanInputRequest request_of(const py::object& folder_or_files, std::optional<std::string> plan_uid,
                            std::optional<double> rx_gy, std::optional<int> fractions) {
  PlanInputRequest request;
  if (py::isinstance<py::dict>(folder_or_files)) {
    const auto files = folder_or_files.cast<py::dict>();
    for (auto item : files) {
      const auto key = py::str(item.first).cast<std::string>();
      if (key != "rtstruct" && key != "rtdose" && key != "rtplan")
        raise(Error::bad_argument("load_plan files", "keys rtstruct, rtdose, rtplan", key));
    }
    request.rtstruct = path_item(files, "rtstruct");
    request.rtdose = path_item(files, "rtdose");
    request.rtplan = path_item(files, "rtplan");
  } else {
    request.directory = folder_or_files.cast<std::filesystem::path>();
  }
  request.plan_uid = std::move(plan_uid);
  request.rx_gy = rx_gy;
  request.fractions = fractions;
  return request;
}

void copy_source(const PlanInputRequest& from, DvhRequest& to) {
  to.directory = from.directory;
  to.plan_uid = from.plan_uid;
  to.rtstruct = from.rtstruct;
  to.rtdose = from.rtdose;
  to.rtplan = from.rtplan;
  to.rx_gy = from.rx_gy;
}

py::array_t<double> column(const std::vector<Dvh::Point>& points, bool dose) {
  py::array_t<double> out(static_cast<py::ssize_t>(points.size()));
  auto r = out.mutable_unchecked<1>();
  for (std::size_t i = 0; i < points.size(); ++i)
    r(static_cast<py::ssize_t>(i)) = dose ? points[i].dose_gy : points[i].volume_cc;
  return out;
}

const StructureReport& find_structure(const DvhReport& report, const py::object& roi) {
  const std::string key = py::isinstance<py::int_>(roi) ? std::to_string(roi.cast<int>()) : roi.cast<std::string>();
  for (const auto& s : report.structures)
    if (s.name == key || std::to_string(s.roi_number) == key) return s;
  raise(Error::bad_argument("roi", "the name or number of a structure of this DVH result", key));
}

py::object dvh_frame(const DvhReport& report) {
  py::object pandas = py::module_::import("pandas");
  py::dict columns;
  std::vector<std::string> order;
  if (!report.structures.empty())
    for (const auto& m : report.structures.front().metrics) order.push_back(m.key);
  for (std::size_t c = 0; c < order.size(); ++c) {
    py::list values;
    for (const auto& s : report.structures)
      values.append(c < s.metrics.size() && s.metrics[c].value ? py::cast(*s.metrics[c].value) : py::cast(NAN));
    columns[py::str(order[c])] = values;
  }
  py::list names;
  for (const auto& s : report.structures) names.append(s.name);
  py::object index = pandas.attr("Index")(names, py::arg("name") = "roi");
  return pandas.attr("DataFrame")(columns, py::arg("index") = index, py::arg("columns") = order);
}

}  // namespace

void register_plan(py::module_& m) {
  py::class_<DvhResult>(m, "DvhResult", "DVH metrics of a plan's structures (what `sbrtkit dvh` computes).")
      .def("to_pandas", [](const DvhResult& r) { return dvh_frame(r.report); },
           "One row per ROI (index: ROI name), one column per metric (its TG-263 text); NaN where a metric "
           "cannot be computed (null in the CLI's JSON).")
      .def("curve", [](const DvhResult& r, const py::object& roi) {
             const StructureReport& s = find_structure(r.report, roi);
             return py::make_tuple(column(s.cumulative, true), column(s.cumulative, false));
           }, py::arg("roi"),
           "Cumulative DVH of a structure (name or ROI number): (dose_gy, volume_cc) numpy arrays, volume "
           "receiving at least each dose, at the curve_step given to dvh() (the CLI's --dvh-curves).")
      .def_property_readonly("rois", [](const DvhResult& r) {
        std::vector<std::string> n;
        for (const auto& s : r.report.structures) n.push_back(s.name);
        return n;
      })
      .def_property_readonly("roi_numbers", [](const DvhResult& r) {
        std::vector<int> n;
        for (const auto& s : r.report.structures) n.push_back(s.roi_number);
        return n;
      })
      .def_property_readonly("volume_cc", [](const DvhResult& r) {
        py::dict d;
        for (const auto& s : r.report.structures) d[py::str(s.name)] = s.volume_cc;
        return d;
      }, "Structure volume (cc) by ROI name.")
      .def_property_readonly("coverage", [](const DvhResult& r) {
        py::dict d;
        for (const auto& s : r.report.structures) d[py::str(s.name)] = s.coverage;
        return d;
      }, "Fraction of each structure's volume inside the dose grid.")
      .def_property_readonly("prescription_gy", [](const DvhResult& r) { return r.report.prescription_gy; })
      .def_property_readonly("notes", [](const DvhResult& r) { return r.report.notes; });

  py::class_<Plan>(m, "Plan", "A plan's structures, dose and prescription, as read by load_plan().")
      .def_property_readonly("rtstruct_file", [](const Plan& p) { return p.inputs->rtstruct_file; })
      .def_property_readonly("rtdose_file", [](const Plan& p) { return p.inputs->rtdose_file; })
      .def_property_readonly("rtplan_file", [](const Plan& p) { return p.inputs->rtplan_file; })
      .def_property_readonly("prescription_gy", [](const Plan& p) { return p.inputs->prescription_gy; })
      .def_property_readonly("prescription_source", [](const Plan& p) { return p.inputs->prescription_source; })
      .def_property_readonly("fractions", [](const Plan& p) { return p.inputs->fractions; })
      .def_property_readonly("patient_id", [](const Plan& p) { return p.inputs->patient_id; })
      .def_property_readonly("patient_name", [](const Plan& p) { return p.inputs->patient_name; })
      .def_property_readonly("plan_uid", [](const Plan& p) { return p.inputs->plan_uid; })
      .def_property_readonly("notes", [](const Plan& p) { return p.inputs->notes; })
      .def_property_readonly("warnings", [](const Plan& p) { return p.inputs->warnings; })
      .def_property_readonly("structures", [](const Plan& p) {
        py::list out;
        for (const auto& s : p.inputs->structures.structures)
          out.append(py::dict(py::arg("roi_number") = s.roi_number, py::arg("name") = s.name,
                              py::arg("interpreted_type") = s.interpreted_type));
        return out;
      }, "The RTSTRUCT's ROIs: dicts with roi_number, name, interpreted_type, in file order.")
      .def_property_readonly("dose", [](const Plan& p) {
        return view_of(std::shared_ptr<const DoseVolume>(p.inputs, &p.inputs->dose.dose));
      }, "The dose grid in Gy as an Image (read-only zero-copy view; it keeps the plan's memory alive).")
      .def("dvh", [](const Plan& p, std::optional<std::vector<std::string>> rois,
                     std::optional<std::vector<std::string>> metrics, const std::string& end_cap,
                     double curve_step_gy, bool require_full_coverage) {
             DvhRequest request;
             copy_source(p.request, request);
             if (rois) request.rois = *rois;
             if (metrics) request.metrics = *metrics;
             if (end_cap != "half" && end_cap != "none") raise(Error::bad_argument("end_cap", "half or none", end_cap));
             request.engine.end_cap = end_cap == "none" ? EndCap::none : EndCap::half;
             if (!(curve_step_gy > 0))
               raise(Error::bad_argument("curve_step", "a positive dose step in Gy", std::to_string(curve_step_gy)));
             request.with_curves = true;
             request.curve_step_gy = curve_step_gy;
             request.require_full_coverage = require_full_coverage;
             std::optional<Expected<DvhReport>> report;
             {
               py::gil_scoped_release release;
               report.emplace(run_dvh(request));
             }
             DvhResult result{unwrap(std::move(*report))};
             warn_all(result.report.warnings);
             for (const auto& s : result.report.structures)
               warn_all(s.warnings, std::to_string(s.roi_number) + " " + s.name + ": ");
             return result;
           },
           py::arg("rois") = py::none(), py::arg("metrics") = py::none(), py::arg("end_cap") = "half",
           py::arg("curve_step") = 0.01, py::arg("require_full_coverage") = false,
           R"doc(DVH metrics of the plan's structures, the numbers of `sbrtkit dvh --format json`.

rois: names or ROI numbers (default: every ROI). metrics: TG-263 strings such as "D95%[Gy]",
"V20Gy[cc]", "D0.03cc[Gy]" (default: Volume, Min, Mean, Max, D98%, D95%, D50%, D2%, D0.03cc).
end_cap: "half" or "none" (extent beyond the outer contours). Structure warnings go to warnings.warn.)doc")
      .def("qa_csv", [](const Plan& p, std::optional<std::vector<std::string>> targets, std::optional<std::string> body,
                    std::optional<double> alpha_beta) {
             QaRequest request{p.request, targets.value_or(std::vector<std::string>{}), body, alpha_beta};
             std::optional<Expected<QaResult>> result;
             {
               py::gil_scoped_release release;
               result.emplace(run_qa(request));
             }
             const QaResult qa = unwrap(std::move(*result));
             return format_qa_csv(qa);
           },
           py::arg("targets") = py::none(), py::arg("body") = py::none(), py::arg("alpha_beta") = py::none(),
           "The text of `sbrtkit qa --format csv` (Plan.qa() parses it into a DataFrame).")
      .def("check_csv", [](const Plan& p, const std::string& protocol) {
             CheckRequest request{p.request, protocol};
             std::optional<Expected<CheckResult>> result;
             {
               py::gil_scoped_release release;
               result.emplace(run_check(request));
             }
             const CheckResult check = unwrap(std::move(*result));
             return format_check_csv(check);
           },
           py::arg("protocol"),
           "The text of `sbrtkit check --format csv` (Plan.check() parses it into a DataFrame).");

  m.def("load_plan", [](const py::object& folder_or_files, std::optional<std::string> plan_uid,
                        std::optional<double> rx, std::optional<int> fractions) {
          Plan plan{request_of(folder_or_files, std::move(plan_uid), rx, fractions), nullptr};
          std::optional<Expected<PlanInputs>> inputs;
          {
            py::gil_scoped_release release;
            inputs.emplace(load_plan_inputs(plan.request));
          }
          plan.inputs = std::make_shared<const PlanInputs>(unwrap(std::move(*inputs)));
          warn_all(plan.inputs->warnings);
          return plan;
        },
        py::arg("folder_or_files"), py::arg("plan_uid") = py::none(), py::arg("rx") = py::none(),
        py::arg("fractions") = py::none(),
        R"doc(Reads a plan: a folder (indexed; with several plans, plan_uid chooses) or a dict of explicit files
{"rtstruct": ..., "rtdose": ..., "rtplan": ...} (rtplan optional). rx (Gy) and fractions override the
RTPLAN's. Problems raise a subclass of SbrtkitError naming the file and tag; warnings go to warnings.warn.)doc");
}

}  // namespace sbrtkit::python
