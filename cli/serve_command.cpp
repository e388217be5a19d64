#include "serve_command.h"

#include <signal.h>

#include <atomic>
#include <memory>

#include "cli_common.h"
#include "sbrtkit/receiver/receiver.h"

namespace sbrtkit::cli {
namespace {

std::atomic<bool> g_stop{false};
extern "C" void on_stop_signal(int) { g_stop = true; }

struct ServeArguments {
  ServeOptions options;
  std::string out;
  int port = 11112;
  std::vector<std::string> allow;
  std::string protocol;
  double max_object_mb = 2048;
};

int run(const ServeArguments& a) {
  ServeOptions o = a.options;
  o.out_dir = a.out;
  if (a.port < 1 || a.port > 65535)
    return report_error("serve", Error::bad_argument("--port", "a TCP port 1-65535", std::to_string(a.port)));
  o.port = static_cast<std::uint16_t>(a.port);
  if (!a.protocol.empty()) o.protocol = a.protocol;
  if (!(a.max_object_mb > 0))
    return report_error("serve", Error::bad_argument("--max-object-mb", "a size in MB > 0", std::to_string(a.max_object_mb)));
  o.max_object_bytes = static_cast<std::uint64_t>(a.max_object_mb * 1024 * 1024);
  for (const auto& text : a.allow) {
    auto peer = parse_allowed_peer(text);
    if (!peer) return report_error("serve", peer.error());
    o.allow.push_back(*peer);
  }
  auto receiver = Receiver::create(o);
  if (!receiver) return report_error("serve", receiver.error());
  struct sigaction action {};
  action.sa_handler = on_stop_signal;
  sigemptyset(&action.sa_mask);
  sigaction(SIGINT, &action, nullptr);
  sigaction(SIGTERM, &action, nullptr);
  signal(SIGPIPE, SIG_IGN);  // a peer that vanishes must not kill the server
  auto status = (*receiver)->run(g_stop);
  if (!status) return report_error("serve", status.error());
  return kExitOk;
}

}  // namespace

void add_serve_command(CLI::App& app, int& exit_code) {
  auto args = std::make_shared<ServeArguments>();
  CLI::App* cmd = app.add_subcommand(
      "serve", "DICOM Storage SCP: receive plans (C-STORE) and run check, qa and report on every complete plan");
  cmd->footer(
      "Example:\n"
      "  sbrtkit serve --out spool --protocol tg101-3fx &\n"
      "  echoscu -aec SBRTKIT 127.0.0.1 11112\n"
      "  storescu -aec SBRTKIT -aet PLANNING +sd +r 127.0.0.1 11112 patient/\n"
      "Results appear in spool/results/<patient>/<plan UID>/ (check.json, qa.json, report.html) and\n"
      "spool/results.sqlite once the plan is complete and the study has been quiet for --idle-seconds.");
  cmd->add_option("--out", args->out, "output folder: incoming/ (the spool), results/, results.sqlite")->required();
  cmd->add_option("--port", args->port, "TCP port (default 11112)");
  cmd->add_option("--ae-title", args->options.ae_title, "called AE title the senders must use (default SBRTKIT)");
  cmd->add_option("--bind", args->options.bind_address, "IPv4 address to listen on (default 127.0.0.1)");
  cmd->add_option("--allow", args->allow, "calling AE titles allowed to send, AE or AE@HOST (default: any)");
  cmd->add_option("--protocol", args->protocol, "bundled protocol id or YAML file for check.json (default: none)");
  cmd->add_option("--idle-seconds", args->options.idle_seconds,
                  "a plan is processed once its study received nothing for this long (default 5)");
  cmd->add_option("--max-associations", args->options.max_associations, "concurrent associations (default 8)");
  cmd->add_option("--max-object-mb", args->max_object_mb, "larger objects are refused with status A700 (default 2048)");
  cmd->callback([args, &exit_code] { exit_code = run(*args); });
}

}  // namespace sbrtkit::cli
