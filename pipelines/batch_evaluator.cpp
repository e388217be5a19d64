// The per-plan evaluation of `sbrtkit batch`: `sbrtkit check` (check_report.h run_check) on the plan's
// files, then the DVH metrics of every structure on the dose grid the check already read.
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <fstream>
#include <sstream>

#include "sbrtkit/pipelines/check.h"
#include "core/fnv1a64.h"
#include "sbrtkit/io/protocol_loader.h"
#include "sbrtkit/dvh_engine.h"
#include "sbrtkit/metric.h"
#include "sbrtkit/pipelines/batch.h"
#include "sbrtkit/prescription.h"
#include "sbrtkit/version.h"

namespace sbrtkit {
namespace {

std::string with_problems(std::string message, const PlanJob& job) {
  for (const auto& p : job.problems) message += "; " + p;
  return message;
}

/// What the protocol says, as text: a change to any included organ-limit file changes this too.
std::string protocol_identity(const Protocol& p) {
  std::string id = fmt::format("protocol {} {} {}\n", p.id, p.version, p.file);
  std::ifstream in(p.file, std::ios::binary);
  std::ostringstream content;
  content << in.rdbuf();
  id += fmt::format("file {:016x}\n", detail::fnv1a64(content.str()));
  auto rules = [&id](const std::vector<StructureRule>& structures) {
    for (const auto& s : structures)
      for (const auto& c : s.constraints)
        id += fmt::format("{}|{}|{}|{}|{}\n", s.name, c.text, c.limit ? *c.limit : -1.0,
                          c.minor_limit ? *c.minor_limit : -1.0, c.table ? c.table->limit.size() : 0);
  };
  rules(p.structures);
  for (const auto& v : p.by_fractions) {
    id += fmt::format("fractions {} -> {}\n", v.fractions, v.protocol_id);
    rules(v.structures);
  }
  return id;
}

void add_structure_metrics(const CheckResult& check, const std::vector<Metric>& metrics, PlanResult& out) {
  const StructureSet& set = check.inputs.structures;
  const PlanInfo* plan = check.inputs.plan ? &*check.inputs.plan : nullptr;
  const PrescriptionResolver resolver(set, plan,
                                      check.inputs.prescription_source == "--rx" ? check.inputs.prescription_gy
                                                                                 : std::nullopt);
  const DoseField field(check.inputs.dose.dose);
  DvhOptions engine;
  engine.single_plane_thickness_mm = check.inputs.single_plane_thickness_mm;
  for (const auto& s : set.structures) {
    StructureResult sr;
    sr.roi_number = s.roi_number;
    sr.name = s.name;
    sr.interpreted_type = s.interpreted_type;
    auto dvh = compute_dvh(s, field, engine);
    if (!dvh) {
      out.warnings.push_back(fmt::format("ROI {} '{}': no DVH: {}", s.roi_number, s.name, dvh.error().message()));
      out.structures.push_back(std::move(sr));
      continue;
    }
    for (const auto& w : dvh->warnings) out.warnings.push_back(fmt::format("ROI {} '{}': {}", s.roi_number, s.name, w.text));
    sr.volume_cc = dvh->dvh.total_volume_cc();
    sr.coverage = sr.volume_cc > 0 ? dvh->dvh.covered_volume_cc() / sr.volume_cc : 0;
    sr.prescription_gy = resolver.for_structure(s, dvh->centroid).prescription_gy;
    for (const auto& m : metrics) sr.metrics.push_back({m.text(), evaluate(m, dvh->dvh, sr.prescription_gy).value});
    out.structures.push_back(std::move(sr));
  }
}

PlanResult evaluate_plan(const PlanJob& job, const std::string& protocol_file, const Protocol& protocol,
                         const std::vector<Metric>& metrics, const CheckDescriber& describe) {
  PlanResult r;
  r.job = job;
  r.protocol_id = protocol.id;
  r.protocol_version = protocol.version;
  r.warnings = job.problems;
  const std::string where = job.rtplan ? " (" + job.rtplan->string() + ")" : std::string();
  if (job.link_error) {
    r.error = *job.link_error;
    return r;
  }
  if (!job.rtstruct) {
    r.error = with_problems(fmt::format("no RTSTRUCT linked to plan {}{}", job.plan_uid, where), job);
    return r;
  }
  if (job.rtdoses.empty()) {
    r.error = with_problems(fmt::format("no RTDOSE linked to plan {}{}", job.plan_uid, where), job);
    return r;
  }
  CheckRequest request;
  request.protocol = protocol_file;
  request.plan.rtstruct = *job.rtstruct;
  request.plan.rtdose = job.rtdoses.front();
  request.plan.rtplan = job.rtplan;
  auto check = run_check(request);
  if (!check) {
    r.error = with_problems(check.error().message(), job);
    return r;
  }
  const ComplianceReport& c = check->report;
  r.status = PlanStatus::evaluated;
  r.overall = to_string(c.overall);
  r.passed = c.passed;
  r.minor = c.minor;
  r.major = c.major;
  r.not_evaluable = c.not_evaluable;
  r.missing_required = c.missing_required;
  r.fractions = check->inputs.fractions;
  r.prescription_gy = check->inputs.prescription_gy;
  r.constraints = c.rows;
  r.notes = check->inputs.notes;
  r.notes.insert(r.notes.end(), c.notes.begin(), c.notes.end());
  r.warnings.insert(r.warnings.end(), check->inputs.warnings.begin(), check->inputs.warnings.end());
  r.warnings.insert(r.warnings.end(), c.warnings.begin(), c.warnings.end());
  if (describe) r.check_json = describe(*check);
  add_structure_metrics(*check, metrics, r);
  return r;
}

}  // namespace

Expected<BatchEvaluator> make_check_evaluator(const std::string& protocol_name_or_file, CheckDescriber describe,
                                              std::vector<std::string> dvh_metrics) {
  auto protocol = load_protocol(protocol_name_or_file);
  if (!protocol) return protocol.error();
  auto metrics = parse_metrics(dvh_metrics);
  if (!metrics) return metrics.error();
  BatchEvaluator e;
  e.protocol_id = protocol->id;
  e.protocol_version = protocol->version;
  e.identity = fmt::format("sbrtkit {}\nevaluator check+dvh\nmetrics {}\n{}", kVersion, fmt::join(dvh_metrics, ","),
                           protocol_identity(*protocol));
  // Each call re-reads the protocol file run_check is given (a few ms) rather than sharing one Protocol
  // across threads: the check's library entry point stays the one `sbrtkit check` uses.
  const std::string file = protocol->file.empty() ? protocol_name_or_file : protocol->file;
  e.evaluate = [file, shared = std::make_shared<const Protocol>(std::move(*protocol)),
                metrics = std::move(*metrics), describe = std::move(describe)](const PlanJob& job) {
    return evaluate_plan(job, file, *shared, metrics, describe);
  };
  return e;
}

}  // namespace sbrtkit
