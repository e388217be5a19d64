#pragma once
#include <CLI/CLI.hpp>

namespace sbrtkit::cli {

/// Registers `sbrtkit serve` (a DICOM Storage SCP, receiver.h); exit 0 after SIGINT/SIGTERM, 2 for bad
/// arguments or a port that cannot be bound.
void add_serve_command(CLI::App& app, int& exit_code);

}  // namespace sbrtkit::cli
