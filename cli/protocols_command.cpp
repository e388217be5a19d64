#include "protocols_command.h"

#include <fmt/format.h>

#include <cstdio>
#include <memory>

#include "cli_common.h"
#include "sbrtkit/io/protocol_loader.h"

namespace sbrtkit::cli {
namespace {

std::string fraction_list(const std::vector<int>& f) {
  if (f.empty()) return "any";
  std::string out;
  for (int n : f) out += (out.empty() ? "" : ",") + std::to_string(n);
  return out;
}

std::string describe(const Protocol& p) {
  std::string out;
  out += fmt::format("protocol  {}\nname      {}\nversion   {}\nsource    {}\nfile      {}\nfractions {}\n", p.id, p.name,
                     p.version, p.source, p.file, fraction_list(p.fractions));
  if (!p.description.empty()) out += "about     " + p.description + "\n";
  if (p.prescription_gy)
    out += fmt::format("default Rx {:g} Gy{}\n", *p.prescription_gy,
                       p.prescription_fractions ? fmt::format(" in {} fx", *p.prescription_fractions) : "");
  if (p.eqd2)
    out += fmt::format("EQD2      for other fractionations: a/b {:g} Gy (default), limits written for {} fx\n",
                       p.eqd2->alpha_beta_gy, p.eqd2->reference_fractions);
  for (const auto& v : p.by_fractions)
    out += fmt::format("organs    {} fx: {} ({} structures)\n", v.fractions, v.protocol_id, v.structures.size());
  for (const auto& rule : p.structures) {
    std::string match;
    for (const auto& a : rule.aliases) match += (match.empty() ? "" : ", ") + a;
    for (const auto& r : rule.patterns) match += (match.empty() ? "/" : ", /") + r.text() + "/";
    out += fmt::format("\n{} [{}{}]{}{}\n", rule.name, rule.role == StructureRole::target ? "target" : "organ",
                       rule.required ? ", required" : "", match.empty() ? "" : "  also: " + match,
                       rule.alpha_beta_gy ? fmt::format("  a/b {:g} Gy", *rule.alpha_beta_gy) : "");
    for (const auto& c : rule.constraints) {
      out += "  " + c.text;
      if (c.minor_limit) out += fmt::format("   (minor deviation up to {:g})", *c.minor_limit);
      if (c.table) out += fmt::format("   (limits by PTV volume, {} rows)", c.table->ptv_cc.size());
      if (c.unconfirmed) out += "   [unconfirmed]";
      if (!c.note.empty()) out += "   # " + c.note;
      out += "\n";
    }
  }
  for (const auto& n : p.notes) out += "note: " + n + "\n";
  return out;
}

}  // namespace

void add_protocols_command(CLI::App& app, int& exit_code) {
  auto name = std::make_shared<std::string>();
  CLI::App* cmd = app.add_subcommand("protocols", "list the bundled constraint protocols");
  CLI::App* show = cmd->add_subcommand("show", "print one protocol (bundled id or YAML file), validating it");
  show->add_option("NAME", *name, "protocol id or file")->required();
  show->callback([name, &exit_code] {
    auto p = load_protocol(*name);
    if (!p) {
      exit_code = report_error("protocols", p.error());
      return;
    }
    exit_code = emit("protocols", std::nullopt, describe(*p));
  });
  cmd->callback([cmd, show, &exit_code] {
    if (show->parsed()) return;
    (void)cmd;
    auto dir = bundled_protocols_dir();
    if (!dir) {
      exit_code = report_error("protocols", dir.error());
      return;
    }
    auto listing = list_bundled_protocols();
    if (!listing) {
      exit_code = report_error("protocols", listing.error());
      return;
    }
    std::string out = fmt::format("bundled protocols in {}\n\n{:<20} {:<9} {:<9} {}\n", dir->string(), "ID", "VERSION",
                                  "FRACTIONS", "NAME");
    for (const auto& p : listing->protocols)
      out += fmt::format("{:<20} {:<9} {:<9} {}\n", p.id, p.version, fraction_list(p.fractions), p.name);
    for (const auto& e : listing->broken) std::fprintf(stderr, "sbrtkit protocols: error: %s\n", e.message().c_str());
    exit_code = emit("protocols", std::nullopt, out);
    if (!listing->broken.empty()) exit_code = kExitBadInput;
  });
}

}  // namespace sbrtkit::cli
