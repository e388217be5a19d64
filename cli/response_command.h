#pragma once
#include <CLI/CLI.hpp>

namespace sbrtkit::cli {

/// `sbrtkit response --plan DIR --baseline PET_DIR --followup PET_DIR [--rules FILE] --out DIR`.
void add_response_command(CLI::App& app, int& exit_code);

}  // namespace sbrtkit::cli
