#include "lesions.h"

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include <pybind11/stl.h>
#include <pybind11/stl/filesystem.h>

#include "errors.h"
#include "image.h"
#include "sbrtkit/io/response_rules_loader.h"
#include "sbrtkit/pipelines/lesions_report.h"
#include "sbrtkit/pipelines/response_report.h"
#include "sbrtkit/report/lesions_output.h"
#include "sbrtkit/report/response_output.h"

namespace sbrtkit::python {
namespace py = pybind11;
namespace {

/// A lesions report, shared so that its images outlive the Python object (views keep it alive).
struct LesionsResult {
  std::shared_ptr<const LesionsReport> report;
};

struct ResponseResult {
  std::shared_ptr<const ResponseReport> report;
};

/// Label map on the PET grid: lesion id where a lesion's voxel weight is >= 0.5 (as lesions_labels.nrrd).
std::shared_ptr<const Volume<std::uint16_t>> label_map(const LesionsReport& report) {
  auto labels = std::make_shared<Volume<std::uint16_t>>(report.pet_grid);
  for (const auto& lesion : report.lesions)
    for (std::size_t n = 0; n < lesion.voxels.index.size(); ++n)
      if (lesion.voxels.weight[n] >= 0.5f)
        labels->voxels[static_cast<std::size_t>(lesion.voxels.index[n])] = static_cast<std::uint16_t>(lesion.id);
  return labels;
}

std::optional<ThresholdMode> segmentation_mode(const std::optional<std::string>& segment) {
  if (!segment) return std::nullopt;
  if (*segment == "threshold") return ThresholdMode::absolute;
  if (*segment == "percent") return ThresholdMode::percent_of_max;
  if (*segment == "liver") return ThresholdMode::liver;
  raise(Error::bad_argument("segment", "threshold, percent or liver", *segment));
}

void bind_lesions_result(py::module_& m) {
  py::class_<LesionsResult>(m, "LesionsResult", "Per-lesion PET uptake and planned dose (`sbrtkit lesions`).")
      .def("csv", [](const LesionsResult& r) { return format_lesions_csv(*r.report); },
           "The text of lesions.csv (LesionsResult.table parses it into a DataFrame).")
      .def("json", [](const LesionsResult& r) { return format_lesions_json(*r.report); }, "The text of lesions.json.")
      .def_property_readonly("suv", [](const LesionsResult& r) {
        return view_of(std::shared_ptr<const Volume<float>>(r.report, &r.report->pet_suv));
      }, "The PET in SUV on its native grid (every number of the table was measured on it), an Image.")
      .def_property_readonly("labels", [](const LesionsResult& r) { return view_of(label_map(*r.report)); },
                             "uint16 label map on the PET grid: lesion id where its voxel weight >= 0.5, else 0.")
      .def_property_readonly("notes", [](const LesionsResult& r) { return r.report->notes; })
      .def_property_readonly("warnings", [](const LesionsResult& r) { return r.report->warnings; });
}

}  // namespace

void register_lesions(py::module_& m) {
  bind_lesions_result(m);
  py::class_<ResponseResult>(m, "ResponseResult", "Lesion response between two PET studies (`sbrtkit response`).")
      .def("csv", [](const ResponseResult& r) { return format_response_csv(*r.report); },
           "The text of response.csv (ResponseResult.table parses it into a DataFrame).")
      .def("json", [](const ResponseResult& r) { return format_response_json(*r.report); },
           "The text of response.json.")
      .def_property_readonly("baseline", [](const ResponseResult& r) {
        return LesionsResult{std::shared_ptr<const LesionsReport>(r.report, &r.report->baseline.report)};
      }, "The baseline study's lesions (table, SUV, labels).")
      .def_property_readonly("followup", [](const ResponseResult& r) {
        return LesionsResult{std::shared_ptr<const LesionsReport>(r.report, &r.report->followup.report)};
      }, "The follow-up study's lesions (table, SUV, labels).")
      .def_property_readonly("rules", [](const ResponseResult& r) { return r.report->rules_text; })
      .def_property_readonly("notes", [](const ResponseResult& r) { return r.report->notes; })
      .def_property_readonly("warnings", [](const ResponseResult& r) { return r.report->warnings; });

  m.def("lesions", [](const std::filesystem::path& plan, const std::filesystem::path& pet, const std::string& rois,
                      std::optional<std::string> segment, std::optional<std::filesystem::path> pet_ct,
                      const std::string& registration, double threshold, double percent, double seed_suv,
                      double min_volume_cc, std::optional<std::string> exclude, std::optional<double> alpha_beta,
                      std::optional<std::string> plan_uid) {
          LesionsRequest r;
          r.plan_dir = plan;
          r.plan_uid = std::move(plan_uid);
          r.pet_dir = pet;
          r.pet_ct_dir = std::move(pet_ct);
          r.registration = parse_registration_choice(registration);
          r.rois = rois;
          if (exclude) r.exclude_rois = *exclude;
          r.segment = segmentation_mode(segment);
          if (!r.segment && r.rois.empty())
            raise(Error::bad_argument("rois / segment", "ROI patterns, a segmentation, or both", "neither"));
          // The CLI's defaults and mapping (cli/lesions_command.cpp), so the same call gives the same table.
          r.segmentation.absolute_suv = threshold;
          r.segmentation.percent = percent;
          r.segmentation.seed_suv = seed_suv;
          r.segmentation.min_volume_cc = min_volume_cc;
          r.segmentation.local_background = true;
          r.segmentation.background_inner_mm = 8;
          r.segmentation.background_outer_mm = 16;
          r.mtv_percent = percent;
          r.mtv_sub_voxel = true;
          if (alpha_beta && !(*alpha_beta > 0))
            raise(Error::bad_argument("alpha_beta", "a positive a/b in Gy", std::to_string(*alpha_beta)));
          r.alpha_beta_gy = alpha_beta;
          std::optional<Expected<LesionsReport>> report;
          {
            py::gil_scoped_release release;
            report.emplace(run_lesions(r));
          }
          LesionsResult result{std::make_shared<const LesionsReport>(unwrap(std::move(*report)))};
          warn_all(result.report->warnings);
          return result;
        },
        py::arg("plan"), py::arg("pet"), py::arg("rois") = "", py::arg("segment") = py::none(),
        py::arg("pet_ct") = py::none(), py::arg("registration") = "auto", py::arg("threshold") = 4.0,
        py::arg("percent") = 41.0, py::arg("seed_suv") = 3.0, py::arg("min_volume_cc") = 0.1,
        py::arg("exclude") = py::none(), py::arg("alpha_beta") = py::none(), py::arg("plan_uid") = py::none(),
        R"doc(Per-lesion PET uptake and planned dose, as `sbrtkit lesions` (same defaults).

plan: the plan folder; pet: the PET series folder. rois: ROI lesions as comma-separated name globs or
"type:GTV"; segment: "threshold" (SUV >= threshold), "percent" (percent of each lesion's SUVmax) or "liver";
at least one of rois/segment. exclude: ROIs masking physiological uptake (default as the CLI's --exclude;
"" masks none). registration: "auto", "none", "rigid" or a Spatial Registration file.)doc");

  m.def("response", [](const std::filesystem::path& plan, const std::filesystem::path& baseline,
                       const std::filesystem::path& followup, std::optional<std::filesystem::path> rules,
                       const std::string& registration, std::optional<std::string> plan_uid) {
          ResponseRequest r;
          r.plan_dir = plan;
          r.plan_uid = std::move(plan_uid);
          r.baseline_pet_dir = baseline;
          r.followup_pet_dir = followup;
          r.registration = parse_registration_choice(registration);
          if (rules) {
            ResponseRuleSet loaded = unwrap(load_response_rules(*rules, {r.rules, r.segmentation}));
            r.rules = std::move(loaded.rules);
            r.segmentation = std::move(loaded.segmentation);
          }
          std::optional<Expected<ResponseReport>> report;
          {
            py::gil_scoped_release release;
            report.emplace(run_response(r));
          }
          ResponseResult result{std::make_shared<const ResponseReport>(unwrap(std::move(*report)))};
          warn_all(result.report->warnings);
          return result;
        },
        py::arg("plan"), py::arg("baseline"), py::arg("followup"), py::arg("rules") = py::none(),
        py::arg("registration") = "auto", py::arg("plan_uid") = py::none(),
        R"doc(Lesion response between a baseline and a follow-up PET, as `sbrtkit response` (same defaults).

baseline / followup: PET series folders (their CT next to them for registration); rules: a rules YAML file
(default thresholds: rules/response-default.yaml).)doc");
}

}  // namespace sbrtkit::python
