#include "cli_common.h"

#include <cstdio>
#include <cstdlib>

#include "io/output_file.h"

namespace sbrtkit::cli {

int report_error(const std::string& command, const Error& error) {
  std::fprintf(stderr, "sbrtkit %s: error: %s\n", command.c_str(), error.message().c_str());
  return kExitBadInput;
}

int emit(const std::string& command, const std::optional<std::string>& output, const std::string& text) {
  if (!output) {
    std::fwrite(text.data(), 1, text.size(), stdout);
    return kExitOk;
  }
  if (auto written = write_file_atomically(*output, text); !written) return report_error(command, written.error());
  return kExitOk;
}

PlanInputRequest PlanSourceArguments::request() const {
  PlanInputRequest r;
  if (!directory.empty()) r.directory = directory;
  if (!plan_uid.empty()) r.plan_uid = plan_uid;
  if (!rtstruct.empty()) r.rtstruct = rtstruct;
  if (!rtdose.empty()) r.rtdose = rtdose;
  if (!rtplan.empty()) r.rtplan = rtplan;
  if (rx_gy != 0) r.rx_gy = rx_gy;
  if (fractions != 0) r.fractions = fractions;
  return r;
}

void add_plan_source_options(CLI::App* command, PlanSourceArguments& a, const std::string& positional,
                             bool with_fractions) {
  // Appended piecewise: GCC 12 warns falsely (-Wrestrict) on "literal" + string + "literal".
  auto instead = [&](const char* what) {
    std::string help = what;
    help += " (instead of ";
    help += positional;
    help += ")";
    return help;
  };
  command->add_option(positional, a.directory, "folder with the plan's DICOM files (indexed recursively)");
  command->add_option("--plan-uid", a.plan_uid, "RTPLAN SOP instance UID, when the folder holds several plans");
  command->add_option("--plan", a.plan_uid, "deprecated spelling of --plan-uid (kept for one release)")
      ->each([](const std::string&) {
        std::fprintf(stderr, "sbrtkit: warning: --plan UID is deprecated, use --plan-uid UID\n");
      });
  command->add_option("--rtstruct", a.rtstruct, instead("RTSTRUCT file"));
  command->add_option("--rtdose", a.rtdose, instead("RTDOSE file"));
  command->add_option("--rtplan", a.rtplan, instead("RTPLAN file, for prescriptions and fractions"));
  command->add_option("--rx", a.rx_gy, "prescription dose in Gy for every target (overrides the RTPLAN's)")
      ->check(CLI::Validator(
          [](std::string& text) {
            char* end = nullptr;
            const double v = std::strtod(text.c_str(), &end);
            return end && *end == '\0' && v > 0 && v < 1000 ? std::string()
                                                              : "expected a dose in Gy above 0 (and below 1000), found " + text;
          },
          "GY > 0"));
  if (with_fractions)
    command->add_option("--fractions", a.fractions, "number of fractions (overrides the RTPLAN's)")
        ->check(CLI::Range(1, 100).description("a number of fractions from 1 to 100"));
}

Expected<std::string> PlanFolderArguments::resolve() const {
  if (!folder.empty() && !deprecated_folder.empty())
    return Error::bad_argument("--plan", "the plan folder once (first argument)", "both the argument and --plan");
  if (folder.empty() && deprecated_folder.empty())
    return Error::bad_argument("PLAN_DIR", "the plan folder as first argument", "none");
  return folder.empty() ? deprecated_folder : folder;
}

void add_plan_folder_options(CLI::App* command, PlanFolderArguments& a) {
  command->add_option("plan_dir", a.folder, "plan folder (RTSTRUCT, RTPLAN, RTDOSE, planning CT)");
  command->add_option("--plan", a.deprecated_folder, "deprecated: the plan folder, now the first argument")
      ->each([](const std::string&) {
        std::fprintf(stderr, "sbrtkit: warning: --plan DIR is deprecated, give the plan folder as first argument\n");
      });
  command->add_option("--plan-uid", a.plan_uid, "RTPLAN SOP instance UID when the folder holds several plans");
}

std::vector<std::string> split_list(const std::string& comma_separated) {
  std::vector<std::string> items;
  std::string current;
  auto flush = [&] {
    const auto first = current.find_first_not_of(" \t");
    const auto last = current.find_last_not_of(" \t");
    if (first != std::string::npos) items.push_back(current.substr(first, last - first + 1));
    current.clear();
  };
  for (char c : comma_separated) {
    if (c == ',')
      flush();
    else
      current += c;
  }
  flush();
  return items;
}

}  // namespace sbrtkit::cli
