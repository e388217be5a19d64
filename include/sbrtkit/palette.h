#pragma once
/// Colours that mean the same thing in every picture and file sbrtkit writes: one qualitative,
/// colour-blind-safe palette for lesions and DVH curves (Paul Tol's "muted" scheme, nine colours that
/// stay apart for deuteranopes, protanopes and tritanopes, and from a grey image), and the conversion of
/// an sRGB colour into the CIELab PCS values that DICOM SEG's RecommendedDisplayCIELabValue holds.
///
///   Rgb c = qualitative_colour(lesion.id - 1);               // lesion 1 is rose, 2 indigo, ...
///   std::array<std::uint16_t, 3> lab = dicom_cielab(srgb_to_cielab(c));

#include <array>
#include <cstddef>
#include <cstdint>

#include "sbrtkit/slice_render.h"

namespace sbrtkit {

/// Tol's muted palette (https://personal.sron.nl/~pault/, "muted"): rose, indigo, sand, green, cyan,
/// wine, teal, olive, purple. Index k >= 9 repeats from the start; pictures print the lesion id next to
/// the colour, so a repeated colour never leaves a lesion unnamed.
inline constexpr std::array<Rgb, 9> kQualitativePalette = {
    Rgb{204, 102, 119}, Rgb{51, 34, 136},  Rgb{221, 204, 119}, Rgb{17, 119, 51},  Rgb{136, 204, 238},
    Rgb{136, 34, 85},   Rgb{68, 170, 153}, Rgb{153, 153, 51},  Rgb{170, 68, 153}};

Rgb qualitative_colour(std::size_t k);

/// The colour of lesion `id` (1-based) in pictures, SEG and RTSTRUCT: qualitative_colour(id - 1).
Rgb lesion_colour(int id);

/// CIE 1976 L*a*b* relative to the D50 white, the ICC profile connection space DICOM names for
/// RecommendedDisplayCIELabValue (PS3.3 C.10.7.1.1): sRGB decoded with its transfer curve (IEC 61966-2-1)
/// and taken to XYZ(D50) by the ICC sRGB profile's Bradford-adapted matrix.
struct CieLab {
  double l = 0, a = 0, b = 0;
};
CieLab srgb_to_cielab(Rgb colour);

/// DICOM's 16-bit encoding of a CIELab triplet (PS3.3 C.10.7.1.1): L* 0..100 -> 0..65535,
/// a* and b* -128..127 -> 0..65535, rounded to the nearest integer and clamped.
std::array<std::uint16_t, 3> dicom_cielab(CieLab lab);

}  // namespace sbrtkit
