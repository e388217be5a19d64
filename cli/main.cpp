// sbrtkit command-line entry point: registers the subcommands and maps outcomes to exit codes.
#include <CLI/CLI.hpp>

#include <cstdio>
#include <string>

#include "batch_command.h"
#include "check_command.h"
#include "cli_common.h"
#include "dvh_command.h"
#include "history_command.h"
#include "lesions_command.h"
#include "merge_command.h"
#include "phantom_command.h"
#include "protocols_command.h"
#include "qa_command.h"
#include "report_command.h"
#include "response_command.h"
#include "serve_command.h"
#include "sbrtkit/phantom/phantom.h"
#include "sbrtkit/version.h"

int main(int argc, char** argv) {
  CLI::App app{"sbrtkit: SBRT dose and lesion-geometry processing on DICOM-RT"};
  app.require_subcommand(1);
  app.set_version_flag("--version", std::string("sbrtkit ") + sbrtkit::kVersion + " (" + sbrtkit::phantom::kGeneratorVersion + ")");
  int exit_code = sbrtkit::cli::kExitOk;
  sbrtkit::cli::add_dvh_command(app, exit_code);
  sbrtkit::cli::add_phantom_command(app, exit_code);
  sbrtkit::cli::add_qa_command(app, exit_code);
  sbrtkit::cli::add_check_command(app, exit_code);
  sbrtkit::cli::add_protocols_command(app, exit_code);
  sbrtkit::cli::add_batch_command(app, exit_code);
  sbrtkit::cli::add_merge_command(app, exit_code);
  sbrtkit::cli::add_report_command(app, exit_code);
  sbrtkit::cli::add_lesions_command(app, exit_code);
  sbrtkit::cli::add_response_command(app, exit_code);
  sbrtkit::cli::add_history_command(app, exit_code);
  sbrtkit::cli::add_serve_command(app, exit_code);
  // An unknown command is an error that lists the commands (CLI11 would print the main help for
  // `sbrtkit nosuch --help` and exit 0, so a script could not tell a missing command).
  if (argc > 1 && argv[1][0] != '-') {
    std::string known;
    bool found = false;
    for (const CLI::App* sub : app.get_subcommands([](CLI::App*) { return true; })) {
      known += (known.empty() ? "" : ", ") + sub->get_name();
      found = found || sub->get_name() == argv[1];
    }
    if (!found) {
      std::fprintf(stderr, "sbrtkit: error: unknown command '%s'; the commands are: %s\n", argv[1], known.c_str());
      return sbrtkit::cli::kExitBadInput;
    }
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? 0 : sbrtkit::cli::kExitBadInput;
  }
  return exit_code;
}
