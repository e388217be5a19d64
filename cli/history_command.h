#pragma once
#include <CLI/CLI.hpp>

namespace sbrtkit::cli {

/// `sbrtkit history PATIENT_DIR --out OUT [--reference PLAN_UID] [--alpha-beta FILE] [--limits FILE]`.
void add_history_command(CLI::App& app, int& exit_code);

}  // namespace sbrtkit::cli
