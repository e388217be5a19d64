// `sbrtkit report` end to end on the small synthetic patient: one self-contained page (no network
// references, PNG data URIs, inline SVG), the constraint table with --protocol, bad input exits 2; and
// the page rendered in headless Chromium loads without errors and shows its plot and pictures.
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <regex>

#include "support/cached_output.h"
#include "support/cli_runner.h"
#include "support/decoded_png.h"
#include "sbrtkit/palette.h"

namespace sbrtkit {
namespace {

using testing::read_text;
using testing::run_sbrtkit;
using testing::TempDir;

/// RFC 4648 base64 decoded (the page's embedded PNGs); stops at padding.
std::string base64_decode(const std::string& in) {
  static const std::string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  unsigned bits = 0;
  int n = 0;
  for (char ch : in) {
    const auto v = alphabet.find(ch);
    if (v == std::string::npos) break;
    bits = (bits << 6) | unsigned(v);
    n += 6;
    if (n >= 8) {
      n -= 8;
      out.push_back(char((bits >> n) & 0xff));
    }
  }
  return out;
}

std::size_t count(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + what.size())) ++n;
  return n;
}

/// The small patient (4 PTVs) and its report without and with a protocol, made once for the suite.
class ReportCommand : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = std::make_unique<TempDir>();
    ASSERT_FALSE(testing::shared_small_patient().empty()) << "the sample patient could not be generated";
    plain_ = run_sbrtkit({"report", planning().string(), "-o", (dir_->path() / "report.html").string()});
    checked_ = run_sbrtkit({"report", planning().string(), "--protocol", "tg101-3fx", "-o",
                            (dir_->path() / "checked.html").string()});
  }
  static void TearDownTestSuite() { dir_.reset(); }
  static std::filesystem::path planning() { return testing::shared_small_patient() / "planning"; }

  static std::unique_ptr<TempDir> dir_;
  static testing::CommandResult plain_, checked_;
};
std::unique_ptr<TempDir> ReportCommand::dir_;
testing::CommandResult ReportCommand::plain_, ReportCommand::checked_;

TEST_F(ReportCommand, WritesOneSelfContainedPage) {
  ASSERT_EQ(plain_.exit_code, 0) << plain_.err;
  const std::string html = read_text(dir_->path() / "report.html");
  EXPECT_EQ(html.rfind("<!DOCTYPE html>", 0), 0u);
  // Nothing is fetched: no src/href to any URL, no script, no external font or stylesheet.
  EXPECT_EQ(count(html, "src=\"http"), 0u);
  EXPECT_EQ(count(html, "href="), 0u);
  EXPECT_EQ(count(html, "<script"), 0u);
  EXPECT_EQ(count(html, "@import"), 0u);
  EXPECT_EQ(count(html, "url("), 0u);
  // Every <img> is an embedded PNG: three views per PTV.
  const std::size_t ptvs = count(html, "<section class=\"target\">");
  EXPECT_GE(ptvs, 1u);
  EXPECT_EQ(count(html, "<img "), 3 * ptvs + 1);  // and the DVH plot
  EXPECT_EQ(count(html, "src=\"data:image/png;base64,iVBORw0KGgo"), 3 * ptvs + 1);  // PNG signature in base64
  // The DVH plot (a PNG drawn with Cairo) with one curve per structure of the table, each in its palette
  // colour, and the red prescription line.
  EXPECT_EQ(count(html, "<img class=\"dvh-plot\""), 1u);
  const std::size_t structures = count(html, "<span class=\"swatch\"");
  EXPECT_EQ(count(html, "data-curves=\"" + std::to_string(structures) + "\""), 1u);
  const auto at = html.find("base64,", html.find("<img class=\"dvh-plot\""));
  ASSERT_NE(at, std::string::npos);
  const auto dvh = testing::decode_png(base64_decode(html.substr(at + 7, html.find('"', at) - at - 7)));
  ASSERT_GT(dvh.width, 800);
  const auto pixels_of = [&](Rgb c) {
    int n = 0;
    for (int y = 0; y < dvh.height; ++y)
      for (int x = 0; x < dvh.width; ++x)
        n += std::abs(dvh.at(x, y)[0] - c.r) < 12 && std::abs(dvh.at(x, y)[1] - c.g) < 12 && std::abs(dvh.at(x, y)[2] - c.b) < 12;
    return n;
  };
  for (std::size_t k = 0; k < std::min<std::size_t>(structures, kQualitativePalette.size()); ++k)
    EXPECT_GT(pixels_of(qualitative_colour(k)), 40) << "no curve in palette colour " << k;
  EXPECT_GT(pixels_of(Rgb{204, 0, 0}), 40) << "no prescription line";
  // Header facts from the RTPLAN and the index.
  EXPECT_NE(html.find("Patient"), std::string::npos);
  EXPECT_NE(html.find("Fractions</th><td>3"), std::string::npos) << "fractions from the RTPLAN";
  EXPECT_NE(html.find("not checked"), std::string::npos);
  EXPECT_EQ(html.find("id=\"constraints\""), std::string::npos);
  // Radiological orientation letters around the axial picture: R on the left, L on the right.
  EXPECT_NE(html.find("<span class=\"ori-top\">A</span><span class=\"ori-left\">R</span>"), std::string::npos);
  EXPECT_NE(html.find("<span class=\"ori-right\">L</span><span class=\"ori-bottom\">P</span>"), std::string::npos);
}

TEST_F(ReportCommand, ProtocolAddsTheConstraintTableAndVerdict) {
  // The phantom's L3 lesion is built to fail TG-101's cauda equina limit: a major deviation, exit 1,
  // and the page is still written.
  EXPECT_EQ(checked_.exit_code, 1) << checked_.err;
  const std::string html = read_text(dir_->path() / "checked.html");
  EXPECT_NE(html.find("id=\"constraints\""), std::string::npos);
  EXPECT_NE(html.find("<span class=\"verdict major\" id=\"verdict\">major</span>"), std::string::npos);
  EXPECT_GE(count(html, "<tr class=\"pass\">"), 1u);
  EXPECT_GE(count(html, "<tr class=\"major\">"), 1u);
  EXPECT_NE(html.find("CaudaEquina"), std::string::npos);
}

TEST_F(ReportCommand, BadInputExitsWithTwoAndWritesNothing) {
  const auto out = dir_->path() / "none.html";
  const auto missing = run_sbrtkit({"report", (dir_->path() / "nowhere").string(), "-o", out.string()});
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_NE(missing.err.find("nowhere"), std::string::npos) << missing.err;
  const auto protocol = run_sbrtkit({"report", planning().string(), "--protocol", "no-such-protocol", "-o", out.string()});
  EXPECT_EQ(protocol.exit_code, 2);
  EXPECT_NE(protocol.err.find("no-such-protocol"), std::string::npos) << protocol.err;
  EXPECT_EQ(run_sbrtkit({"report", planning().string()}).exit_code, 2);  // -o is required
  EXPECT_FALSE(std::filesystem::exists(out));
}

TEST_F(ReportCommand, ExplicitFilesWithACtFolder) {
  const auto out = dir_->path() / "explicit.html";
  const auto r = run_sbrtkit({"report", "--rtstruct", (planning() / "rtstruct.dcm").string(), "--rtdose",
                              (planning() / "rtdose.dcm").string(), "--rtplan", (planning() / "rtplan.dcm").string(),
                              "--ct", (planning() / "ct").string(), "-o", out.string()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::string html = read_text(out);
  EXPECT_EQ(count(html, "<img "), 3 * count(html, "<section class=\"target\">") + 1);  // + the DVH plot
  EXPECT_NE(html.find("<tr><th>CT</th><td>CT "), std::string::npos) << "the CT series is described";
  // A CT folder that is not one: bad input.
  const auto bad = run_sbrtkit({"report", "--rtstruct", (planning() / "rtstruct.dcm").string(), "--rtdose",
                                (planning() / "rtdose.dcm").string(), "--ct", (dir_->path() / "nowhere").string(), "-o",
                                (dir_->path() / "bad.html").string()});
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_FALSE(std::filesystem::exists(dir_->path() / "bad.html"));
}

// ---- Headless Chromium ----

constexpr const char* kChromium = "/usr/bin/chromium";

struct Browser {
  int exit_code = -1;
  std::string dom, log;
};

Browser run_chromium(const std::filesystem::path& page, const std::filesystem::path& scratch) {
  const auto profile = scratch / "profile";
  std::filesystem::create_directories(profile);
  const auto dom = scratch / "dom.html", log = scratch / "chromium.log";
  const std::string command = std::string(kChromium) +
                              " --headless --no-sandbox --disable-gpu --disable-quic --no-first-run"
                              " --disable-background-networking --disable-component-update --disable-sync"
                              " --disable-extensions --mute-audio --enable-logging=stderr --v=0"
                              " --virtual-time-budget=5000 --window-size=1280,2000 --user-data-dir=" +
                              profile.string() + " --dump-dom file://" + page.string() + " > " + dom.string() + " 2> " +
                              log.string();
  Browser b;
  b.exit_code = std::system(command.c_str());
  b.dom = read_text(dom);
  b.log = read_text(log);
  return b;
}

/// Test-only probe appended to a copy of the report: records script errors and failed resource loads
/// (capturing listener installed first), then on load writes what the page shows into a <pre>.
constexpr const char* kErrorTrap = R"(<script>
window.__errors = [];
window.addEventListener('error', e => window.__errors.push(e.message || ('failed to load ' + (e.target && (e.target.tagName || '')))), true);
</script>)";
constexpr const char* kProbe = R"(<script>
window.addEventListener('load', () => {
  const images = [...document.images];
  let decoded = 0, varied = 0;
  for (const img of images) {
    if (!(img.complete && img.naturalWidth > 0)) continue;
    decoded++;
    try {
      const c = document.createElement('canvas');
      c.width = img.naturalWidth; c.height = img.naturalHeight;
      const g = c.getContext('2d');
      g.drawImage(img, 0, 0);
      const d = g.getImageData(0, 0, c.width, c.height).data;
      let lo = 765, hi = 0, coloured = 0;
      for (let k = 0; k < d.length; k += 4) {
        const s = d[k] + d[k + 1] + d[k + 2];
        lo = Math.min(lo, s); hi = Math.max(hi, s);
        if (Math.max(d[k], d[k + 1], d[k + 2]) - Math.min(d[k], d[k + 1], d[k + 2]) > 40) coloured++;
      }
      if (hi - lo > 300 && coloured > 100) varied++;
    } catch (err) { window.__errors.push('canvas: ' + err.message); }
  }
  const dvh = document.querySelector('img.dvh-plot');
  const box = dvh ? dvh.getBoundingClientRect() : {width: 0, height: 0};
  const dvh_natural = dvh ? dvh.naturalWidth : 0, dvh_attr = dvh ? Number(dvh.getAttribute('width')) : 0;
  const pre = document.createElement('pre');
  pre.id = 'probe';
  pre.textContent = JSON.stringify({images: images.length, decoded, varied, dvh_width: box.width,
                                    dvh_height: box.height, dvh_natural, dvh_attr, errors: window.__errors});
  document.body.appendChild(pre);
});
</script>)";

TEST_F(ReportCommand, RendersInHeadlessChromiumWithoutErrors) {
  if (!std::filesystem::exists(kChromium))
    GTEST_SKIP() << kChromium << " not found: install the Debian package `chromium` (scripts/bootstrap.sh) to render "
                                 "the report in a browser";
  ASSERT_EQ(checked_.exit_code, 1) << checked_.err;
  std::string html = read_text(dir_->path() / "checked.html");
  const std::size_t images = count(html, "<img ");

  // 1. The page as written: loads, and the browser logs no console message (no script, no fetch).
  const Browser plain = run_chromium(dir_->path() / "checked.html", dir_->path() / "chromium-plain");
  ASSERT_EQ(plain.exit_code, 0) << plain.log;
  EXPECT_NE(plain.dom.find("class=\"dvh-plot\""), std::string::npos) << plain.log;
  EXPECT_EQ(plain.log.find("CONSOLE"), std::string::npos) << plain.log;
  EXPECT_EQ(plain.log.find("net::ERR"), std::string::npos) << plain.log;

  // 2. A probed copy: every image decodes and shows structure (CT contrast and colour; the DVH plot's
  //    text and curves), the DVH plot is shown from a PNG of twice its layout width (sharp on dense screens),
  //    and no error event fired.
  const auto head = html.find("<head>");
  ASSERT_NE(head, std::string::npos);
  html.insert(head + 6, kErrorTrap);
  html.insert(html.rfind("</body>"), kProbe);
  const auto probed = dir_->path() / "probed.html";
  std::ofstream(probed) << html;
  const Browser b = run_chromium(probed, dir_->path() / "chromium-probe");
  ASSERT_EQ(b.exit_code, 0) << b.log;
  std::smatch m;
  ASSERT_TRUE(std::regex_search(b.dom, m, std::regex("<pre id=\"probe\">([^<]*)</pre>"))) << b.dom.substr(0, 2000);
  std::string text = m[1].str();
  for (const auto& [entity, c] : {std::pair{"&quot;", "\""}, std::pair{"&amp;", "&"}})
    for (auto at = text.find(entity); at != std::string::npos; at = text.find(entity)) text.replace(at, std::strlen(entity), c);
  const auto probe = nlohmann::json::parse(text);
  EXPECT_EQ(probe["images"], images);
  EXPECT_EQ(probe["decoded"], images);
  EXPECT_EQ(probe["varied"], images) << "a slice picture is blank or grey only";
  EXPECT_GT(probe["dvh_width"].get<double>(), 400);
  EXPECT_GT(probe["dvh_height"].get<double>(), 300);
  EXPECT_EQ(probe["dvh_natural"].get<double>(), 2 * probe["dvh_attr"].get<double>());
  EXPECT_TRUE(probe["errors"].empty()) << probe["errors"].dump();
}

}  // namespace
}  // namespace sbrtkit
