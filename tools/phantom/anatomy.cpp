// Anatomy of the synthetic patient, plane by plane: painted tissue regions (for CT and PET) and the
// contoured structures (for RTSTRUCT). All sizes in mm, LPS head-first supine: +x patient left,
// +y posterior, +z superior. Levels: discs at z = -10, 30, 70, 110, 150 (L5/S1 .. L1/L2), vertebral
// bodies between them, sacrum below z = -15, femoral heads at z = -95, ischia and pubis below.
#include <algorithm>
#include <cmath>
#include <numbers>

#include "sbrtkit/phantom/phantom.h"

namespace sbrtkit::phantom {

namespace {

constexpr double kPi = std::numbers::pi;
constexpr double kDeg = kPi / 180.0;

/// splitmix64: a tiny, portable generator (std distributions are implementation-defined).
class Rng {
 public:
  explicit Rng(std::uint64_t seed) : state_(seed * 0x9E3779B97F4A7C15ull + 0x1234567ull) {}
  std::uint64_t next() {
    std::uint64_t z = (state_ += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  /// Uniform in [-1, 1).
  double symmetric() { return static_cast<double>(next() >> 11) * 0x1.0p-52 - 1.0; }

 private:
  std::uint64_t state_;
};

double gauss_bump(double z, double mu, double sigma) {
  const double t = (z - mu) / sigma;
  return std::exp(-t * t);
}
double clamp01(double t) { return std::clamp(t, 0.0, 1.0); }

Loop ellipse(double cx, double cy, double a, double b, double angle_rad = 0, bool hole = false) {
  Loop l;
  l.kind = Loop::Kind::ellipse;
  l.cx = cx;
  l.cy = cy;
  l.a = a;
  l.b = b;
  l.angle_rad = angle_rad;
  l.hole = hole;
  return l;
}

/// Cross-section of an axis-aligned ellipsoid on plane z; nullopt when it misses the plane or would
/// be thinner than min_semi_mm.
std::optional<Loop> ellipsoid_section(double cx, double cy, double cz, double a, double b, double c, double z,
                                      double min_semi_mm = 0.5) {
  const double u = (z - cz) / c;
  if (u * u >= 1) return std::nullopt;
  const double s = std::sqrt(1 - u * u);
  if (std::min(a, b) * s < min_semi_mm) return std::nullopt;
  return ellipse(cx, cy, a * s, b * s);
}

std::optional<Loop> star_section(const StarBody& body, double z, double min_radius_mm = 0.3) {
  const double r0 = body.mean_radius_at(z);
  if (r0 < min_radius_mm) return std::nullopt;
  Loop l;
  l.kind = Loop::Kind::star;
  const PatientPoint c = body.centre_at(z);
  l.cx = c.x;
  l.cy = c.y;
  l.r0 = r0;
  l.harmonics = &body.harmonics;
  return l;
}

// ---- Anatomical profiles -------------------------------------------------------------------------

struct BodySection {
  double cx, cy, a, b;
};
BodySection body_section(const Model& m, double z) {
  return {0.0, -5.0, 172 + 12 * gauss_bump(z, -80, 60) + m.body_jitter_a_mm,
          112 + 6 * gauss_bump(z, -60, 80) + m.body_jitter_b_mm};
}

constexpr double kSacrumTop = -15, kSacrumBottom = -110;
double sacrum_t(double z) { return clamp01((kSacrumTop - z) / (kSacrumTop - kSacrumBottom)); }
double sacrum_y(double z) { return 52 + 35 * sacrum_t(z); }
double sacrum_half_width(double z) { return 55 * (1 - 0.65 * sacrum_t(z)); }
double sacrum_half_depth(double z) { return 24 * (1 - 0.45 * sacrum_t(z)); }

/// Centre y of the spinal / sacral canal.
double canal_y(double z) {
  const double sacral = sacrum_y(z) + 0.45 * sacrum_half_depth(z);
  if (z >= 5) return 68;
  if (z <= kSacrumTop) return sacral;
  const double w = (z - kSacrumTop) / (5 - kSacrumTop);
  return w * 68 + (1 - w) * (sacrum_y(kSacrumTop) + 0.45 * sacrum_half_depth(kSacrumTop));
}

constexpr double kConusZ = 145;       // cord above, cauda equina below
constexpr double kThecalSacEndZ = -50;  // cauda equina ends at S2

bool in_disc(double z) {
  for (double d : {-10.0, 30.0, 70.0, 110.0, 150.0})
    if (std::abs(z - d) < 5) return true;
  return false;
}

struct Tube {
  double x, y, r, z_low, z_high;
};
constexpr std::array<Tube, 5> kBowel = {{{-80, -60, 13, -55, 150},
                                         {-38, -75, 12, -45, 160},
                                         {2, -62, 13, -50, 170},
                                         {42, -78, 12, -40, 160},
                                         {78, -52, 12, -50, 140}}};
std::optional<Loop> bowel_section(const Model& m, std::size_t j, double z) {
  const Tube& t = kBowel[j];
  if (z < t.z_low || z > t.z_high) return std::nullopt;
  const double phase = m.bowel_phase[j];
  return ellipse(t.x + 4 * std::sin(z / 25 + phase), t.y + 4 * std::cos(z / 31 + phase), t.r, t.r);
}

constexpr double kBladderX = 0, kBladderY = -45, kBladderZ = -95;
constexpr double kBladderA = 45, kBladderB = 38, kBladderC = 34, kBladderWallMm = 3;

constexpr double kRectumLow = -150, kRectumHigh = -35, kRectumR = 15;
double rectum_y(double z) { return 28 - 0.3 * (z + 60); }

constexpr double kFemurHeadX = 92, kFemurHeadY = 2, kFemurHeadZ = -95, kFemurHeadR = 24;

struct PlexusSide {
  double x, y;
};
constexpr double kPlexusLow = -70, kPlexusHigh = -5;
PlexusSide plexus_centre(double side, double z) {
  return {side * (30 + 0.5 * (-5 - z)), sacrum_y(z) - sacrum_half_depth(z) - 6};
}

void add_bone(std::vector<PaintLoop>& out, const Loop& outer, double cortex_mm) {
  out.push_back({outer, Tissue::cortical_bone});
  if (outer.a > cortex_mm + 0.5 && outer.b > cortex_mm + 0.5) {
    Loop inner = outer;
    inner.a -= cortex_mm;
    inner.b -= cortex_mm;
    out.push_back({inner, Tissue::marrow});
  }
}

}  // namespace

// ---- Tissue properties -------------------------------------------------------------------------

std::int16_t hounsfield(Tissue t) {
  switch (t) {
    case Tissue::air: return -1000;
    case Tissue::fat: return -100;
    case Tissue::soft_tissue: return 40;
    case Tissue::muscle: return 50;
    case Tissue::urine: return 10;
    case Tissue::cortical_bone: return 1000;
    case Tissue::marrow: return 250;
    case Tissue::disc: return 80;
    case Tissue::csf: return 15;
    case Tissue::cord: return 35;
    case Tissue::bowel: return 30;
    case Tissue::bowel_gas: return -950;
    case Tissue::rectum: return 25;
    case Tissue::kidney: return 35;
    case Tissue::sclerotic_lesion: return 700;
    case Tissue::node: return 45;
    case Tissue::count: break;
  }
  return 0;
}

double background_suv(Tissue t) {
  // PSMA-like physiological uptake: urinary excretion into the bladder, high renal and moderate
  // small-bowel uptake, low soft-tissue and marrow background.
  switch (t) {
    case Tissue::air: return 0.0;
    case Tissue::fat: return 0.25;
    case Tissue::soft_tissue: return 0.6;
    case Tissue::muscle: return 0.7;
    case Tissue::urine: return 45.0;
    case Tissue::cortical_bone: return 0.4;
    case Tissue::marrow: return 1.0;
    case Tissue::disc: return 0.4;
    case Tissue::csf: return 0.2;
    case Tissue::cord: return 0.3;
    case Tissue::bowel: return 6.0;
    case Tissue::bowel_gas: return 0.0;
    case Tissue::rectum: return 1.5;
    case Tissue::kidney: return 30.0;
    case Tissue::sclerotic_lesion: return 1.0;  // lesion uptake comes from the PET lesion list
    case Tissue::node: return 0.6;
    case Tissue::count: break;
  }
  return 0;
}

// ---- Model --------------------------------------------------------------------------------------

Model build_model(std::uint64_t seed) {
  Model m;
  m.seed = seed;
  Rng rng(seed);
  m.body_jitter_a_mm = 3 * rng.symmetric();
  m.body_jitter_b_mm = 2 * rng.symmetric();
  for (auto& p : m.bowel_phase) p = 0.5 * rng.symmetric();

  // Target centres sit half-way between planes of every grid size (z = -150 + 15 m + 7.5 is a
  // mid-point of 1, 3 and 5 mm grids), jittered by at most 0.5 mm, so the smallest target always
  // crosses at least two planes.
  struct Spec {
    const char* key;
    const char* site;
    double x, y, z, radius, half_length, tilt_x, tilt_y, margin, rx, hot, r50;
    std::array<double, 3> amp;
  };
  const std::array<Spec, 3> specs = {{
      // L3 vertebral body, posterior half: its PTV reaches the front of the cauda equina.
      {"L3", "bone", -4, 50.5, 97.5, 11, 9.5, 0.10, 0.05, 3, 30, 1.20, 3.6, {0.12, 0.08, 0.05}},
      // Left external iliac node, medial to the psoas, a centimetre from a bowel loop; PTV < 1 cc.
      {"Node_L", "lymph_node", 60, -25, -22.5, 3.6, 5.0, 0.0, 0.05, 2, 24, 1.22, 4.5, {0.08, 0.05, 0.03}},
      // Right ischium.
      {"Ischium_R", "bone", -52, 42, -112.5, 8, 8, -0.08, 0.0, 3, 27, 1.15, 4.0, {0.10, 0.07, 0.04}},
  }};
  for (const auto& s : specs) {
    Target t;
    t.key = s.key;
    t.site = s.site;
    t.gtv_name = std::string("GTV_") + s.key;
    t.ptv_name = std::string("PTV_") + s.key;
    t.gtv.centre = {s.x + 1.0 * rng.symmetric(), s.y + 0.5 * rng.symmetric(), s.z + 0.5 * rng.symmetric()};
    t.gtv.tilt_x = s.tilt_x;
    t.gtv.tilt_y = s.tilt_y;
    t.gtv.radius_mm = s.radius * (1 + 0.03 * rng.symmetric());
    t.gtv.half_length_mm = s.half_length * (1 + 0.03 * rng.symmetric());
    for (int n = 0; n < 3; ++n) {
      Harmonic h;
      h.order = n + 2;
      h.amplitude = s.amp[static_cast<std::size_t>(n)] * (1 + 0.2 * rng.symmetric());
      h.phase_rad = 2 * kPi * 0.5 * (1 + rng.symmetric());
      t.gtv.harmonics.push_back(h);
    }
    t.margin_mm = s.margin;
    t.ptv = t.gtv.expanded(s.margin);
    t.prescription_gy = s.rx;
    t.fractions = 3;
    t.hot_spot = s.hot;
    t.r50 = s.r50;
    t.rho100 = 1 + kDefaultRxMarginMm / t.ptv.radius_mm;
    t.solve_profile();
    m.targets.push_back(t);
  }
  return m;
}

// ---- Painting -----------------------------------------------------------------------------------

std::vector<PaintLoop> paint_list(const Model& m, double z) {
  std::vector<PaintLoop> out;
  out.reserve(64);
  const BodySection body = body_section(m, z);
  out.push_back({ellipse(body.cx, body.cy, body.a, body.b), Tissue::fat});
  out.push_back({ellipse(body.cx, body.cy + 2, body.a - 16, body.b - 14), Tissue::soft_tissue});
  out.push_back({ellipse(0, -40, std::min(body.a - 40, 125.0), 55), Tissue::fat});  // visceral fat

  for (double side : {-1.0, 1.0}) {
    if (z < 10) out.push_back({ellipse(side * 100, 62, 55, 36, side * 15 * kDeg), Tissue::muscle});  // gluteal
    if (z > -40) {
      const double s = 12 + 8 * clamp01((180 - z) / 200);
      out.push_back({ellipse(side * (38 + 0.1 * (180 - z)), 30 - 0.1 * (180 - z), s, 0.8 * s), Tissue::muscle});
    }
    if (auto k = ellipsoid_section(side * 85, 45, 150, 28, 22, 55, z)) out.push_back({*k, Tissue::kidney});
  }

  for (std::size_t j = 0; j < kBowel.size(); ++j) {
    if (auto b = bowel_section(m, j, z)) {
      out.push_back({*b, Tissue::bowel});
      if (j == 2) out.push_back({ellipse(b->cx, b->cy - 3, 5, 4), Tissue::bowel_gas});
    }
  }

  if (auto outer = ellipsoid_section(kBladderX, kBladderY, kBladderZ, kBladderA, kBladderB, kBladderC, z)) {
    out.push_back({*outer, Tissue::soft_tissue});
    if (outer->a > kBladderWallMm + 1 && outer->b > kBladderWallMm + 1)
      out.push_back({ellipse(outer->cx, outer->cy, outer->a - kBladderWallMm, outer->b - kBladderWallMm), Tissue::urine});
  }
  if (z >= kRectumLow && z <= kRectumHigh) {
    out.push_back({ellipse(0, rectum_y(z), kRectumR, kRectumR), Tissue::rectum});
    if (z > -80 && z < -50) out.push_back({ellipse(0, rectum_y(z) - 2, 5, 4), Tissue::bowel_gas});
  }

  // Lumbar spine.
  if (z >= kSacrumTop) {
    const double cy = canal_y(z);
    if (in_disc(z)) {
      out.push_back({ellipse(0, 40, 24, 17), Tissue::disc});
    } else {
      add_bone(out, ellipse(0, 40, 24, 17), 2);
      for (double side : {-1.0, 1.0}) add_bone(out, ellipse(side * 32, cy - 8, 16, 5), 1.5);  // transverse
      add_bone(out, ellipse(0, cy + 24, 4, 12), 1.5);  // spinous process
      add_bone(out, ellipse(0, cy, 18, 14), 2);        // neural arch
    }
    out.push_back({ellipse(0, cy, 11, 8), Tissue::csf});
  }
  // Sacrum and coccyx.
  if (z < kSacrumTop && z >= kSacrumBottom) {
    add_bone(out, ellipse(0, sacrum_y(z), sacrum_half_width(z), sacrum_half_depth(z)), 2);
    if (z >= -60) {
      const double t = sacrum_t(z);
      out.push_back({ellipse(0, canal_y(z), 10 * (1 - 0.5 * t), 6 * (1 - 0.5 * t)), Tissue::csf});
    }
  }
  // Cord and cauda equina in the canal.
  if (auto cord = structure_loops(m, 2, z); !cord.empty()) out.push_back({cord.front(), Tissue::cord});
  if (auto cauda = structure_loops(m, 3, z); !cauda.empty()) out.push_back({cauda.front(), Tissue::cord});

  for (double side : {-1.0, 1.0}) {
    // Iliac wings: plates from the sacro-iliac joint (posteromedial) to the anterior superior spine.
    if (z >= -55 && z <= 60) add_bone(out, ellipse(side * 90, 25, 50, 6, -side * 45 * kDeg), 2);
    // Acetabulum, joint space and femoral head.
    const double dz = z - kFemurHeadZ;
    if (z >= kFemurHeadZ - 10 && std::abs(dz) < 31) {
      const double r = std::sqrt(31.0 * 31.0 - dz * dz);
      add_bone(out, ellipse(side * kFemurHeadX, kFemurHeadY, r, r), 2);
    }
    if (std::abs(dz) < 26) {
      const double r = std::sqrt(26.0 * 26.0 - dz * dz);
      out.push_back({ellipse(side * kFemurHeadX, kFemurHeadY, r, r), Tissue::soft_tissue});
    }
    for (const auto& head : structure_loops(m, side < 0 ? 10 : 9, z)) add_bone(out, head, 2);
    // Femoral neck, greater trochanter, shaft.
    if (z <= -100 && z > -125)
      add_bone(out, ellipse(side * (92 + 0.8 * (-95 - z)), 5, 14, 14), 3);
    if (auto gt = ellipsoid_section(side * 122, 12, -112, 20, 20, 20, z)) add_bone(out, *gt, 2);
    if (z <= -125) add_bone(out, ellipse(side * 118, 10, 14, 14), 5);
    // Ischium and superior pubic ramus.
    if (z <= -100) add_bone(out, ellipse(side * 52, 38 + 0.3 * (-100 - z), 12, 17), 2);
    if (z >= -140 && z <= -105) add_bone(out, ellipse(side * 38, -62, 32, 9, -side * 20 * kDeg), 2);
  }
  // Sacral plexus (nerve tissue, not distinguishable on CT).
  for (const auto& p : structure_loops(m, 4, z)) out.push_back({p, Tissue::soft_tissue});

  // Metastases: sclerotic bone lesions, a soft-tissue node.
  for (std::size_t i = 0; i < m.targets.size(); ++i) {
    const Target& t = m.targets[i];
    if (auto g = star_section(t.gtv, z)) out.push_back({*g, t.site == "bone" ? Tissue::sclerotic_lesion : Tissue::node});
  }
  return out;
}

Tissue tissue_at(const Model& m, PatientPoint p) {
  const auto list = paint_list(m, p.z);
  for (auto it = list.rbegin(); it != list.rend(); ++it)
    if (it->loop.contains(p.x, p.y)) return it->tissue;
  return Tissue::air;
}

// ---- Structures ---------------------------------------------------------------------------------

std::vector<StructureDef> structure_defs(const Model& m) {
  std::vector<StructureDef> defs = {
      {1, "BODY", "EXTERNAL", {0, 255, 0}, "elliptic cylinder, radii varying with z"},
      {2, "SpinalCord", "ORGAN", {255, 255, 0}, "ellipse 5 x 4 mm above the conus (z >= 145)"},
      {3, "CaudaEquina", "ORGAN", {255, 200, 0}, "thecal sac contents from the conus down to S2 (z = -50)"},
      {4, "SacralPlexus", "ORGAN", {255, 128, 0}, "bilateral: two loops per plane"},
      {5, "Rectum", "ORGAN", {128, 64, 0}, "solid"},
      {6, "Bladder", "ORGAN", {255, 255, 128}, "solid (wall and contents)"},
      {7, "Bladder_Wall", "ORGAN", {200, 200, 80},
       "ring: outer loop and a hole 3 mm inside it; solid on planes where the hole would vanish"},
      {8, "Bowel", "ORGAN", {160, 82, 45}, "five disjoint loops (small bowel) per plane"},
      {9, "Femur_Head_L", "ORGAN", {0, 128, 255}, "sphere R 24 mm, circles per plane"},
      {10, "Femur_Head_R", "ORGAN", {0, 200, 255}, "sphere R 24 mm, circles per plane"},
  };
  int roi = 11;
  const std::array<std::array<int, 3>, 3> gtv_colors = {{{255, 0, 0}, {255, 0, 128}, {200, 0, 0}}};
  const std::array<std::array<int, 3>, 3> ptv_colors = {{{255, 0, 255}, {128, 0, 255}, {255, 100, 255}}};
  for (std::size_t i = 0; i < m.targets.size(); ++i) {
    const Target& t = m.targets[i];
    defs.push_back({roi++, t.gtv_name, "GTV", gtv_colors[i % 3], "star-shaped loops, ellipsoidal profile"});
    defs.push_back({roi++, t.ptv_name, "PTV", ptv_colors[i % 3],
                    "GTV expanded radially per plane (approximation of a 3-D margin)"});
  }
  return defs;
}

std::vector<Loop> structure_loops(const Model& m, int roi, double z) {
  std::vector<Loop> out;
  switch (roi) {
    case 1: {
      const BodySection b = body_section(m, z);
      out.push_back(ellipse(b.cx, b.cy, b.a, b.b));
      break;
    }
    case 2:
      if (z >= kConusZ) out.push_back(ellipse(0, canal_y(z), 5, 4));
      break;
    case 3:
      if (z < kConusZ && z >= kThecalSacEndZ) {
        const double g = z >= kSacrumTop ? 1.0 : 1 - 0.4 * (kSacrumTop - z) / (kSacrumTop - kThecalSacEndZ);
        out.push_back(ellipse(0, canal_y(z), 8 * g, 6 * g));
      }
      break;
    case 4:
      if (z >= kPlexusLow && z <= kPlexusHigh)
        for (double side : {-1.0, 1.0}) {
          const PlexusSide p = plexus_centre(side, z);
          out.push_back(ellipse(p.x, p.y, 7, 4, -side * 25 * kDeg));
        }
      break;
    case 5:
      if (z >= kRectumLow && z <= kRectumHigh) out.push_back(ellipse(0, rectum_y(z), kRectumR, kRectumR));
      break;
    case 6:
    case 7:
      if (auto outer = ellipsoid_section(kBladderX, kBladderY, kBladderZ, kBladderA, kBladderB, kBladderC, z)) {
        out.push_back(*outer);
        if (roi == 7 && outer->a > kBladderWallMm + 1 && outer->b > kBladderWallMm + 1)
          out.push_back(ellipse(outer->cx, outer->cy, outer->a - kBladderWallMm, outer->b - kBladderWallMm, 0, true));
      }
      break;
    case 8:
      for (std::size_t j = 0; j < kBowel.size(); ++j)
        if (auto b = bowel_section(m, j, z)) out.push_back(*b);
      break;
    case 9:
    case 10: {
      const double side = roi == 9 ? 1.0 : -1.0;
      if (auto h = ellipsoid_section(side * kFemurHeadX, kFemurHeadY, kFemurHeadZ, kFemurHeadR, kFemurHeadR,
                                     kFemurHeadR, z, 1.0))
        out.push_back(*h);
      break;
    }
    default: {
      const int index = roi - 11;
      if (index < 0 || index >= 2 * static_cast<int>(m.targets.size())) break;
      const Target& t = m.targets[static_cast<std::size_t>(index / 2)];
      if (auto s = star_section(index % 2 == 0 ? t.gtv : t.ptv, z)) out.push_back(*s);
      break;
    }
  }
  return out;
}

}  // namespace sbrtkit::phantom
