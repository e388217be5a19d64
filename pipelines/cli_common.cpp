#include "cli_common.h"

#include <cstdio>

#include "sbrtkit/pipelines/output_file.h"

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
