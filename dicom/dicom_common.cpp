#include "dicom_common.h"
#include "dicom_text.h"

#include <dcmtk/oflog/oflog.h>
#include <fmt/format.h>

#include <algorithm>
#include <bit>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <mutex>

namespace sbrtkit::detail {

static_assert(std::endian::native == std::endian::little,
              "pixel words are reinterpreted in host order: little-endian hosts only");

std::string tag_text(const DcmTagKey& key) {
  DcmTag tag(key);
  const char* name = tag.getTagName();
  return fmt::format("({:04X},{:04X}) {}", key.getGroup(), key.getElement(),
                     name && std::strcmp(name, DcmTag_ERROR_TagName) != 0 ? name : "Unknown");
}

void quiet_dcmtk() {
  static std::once_flag once;
  std::call_once(once, [] { OFLog::configure(OFLogger::OFF_LOG_LEVEL); });
}

bool looks_like_dicom(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) return false;
  char head[132] = {};
  in.read(head, sizeof head);
  const auto got = in.gcount();
  if (got == 132 && std::memcmp(head + 128, "DICM", 4) == 0) return true;
  if (got < 8) return false;
  const unsigned group = static_cast<unsigned char>(head[0]) | (static_cast<unsigned char>(head[1]) << 8);
  return group >= 0x0002 && group <= 0x0008;
}

Expected<LoadedDicom> load_dicom(const std::filesystem::path& file, bool headers_only) {
  quiet_dcmtk();
  const std::string path = file.string();
  std::error_code ec;
  if (!std::filesystem::is_regular_file(file, ec)) return Error::io(path, "no such file");
  if (!looks_like_dicom(file))
    return Error::not_dicom(path, "no 'DICM' marker at byte 128 and no DICOM tag at the start of the file");
  LoadedDicom out;
  out.format = std::make_unique<DcmFileFormat>();
  out.path = path;
  const OFCondition cond =
      headers_only ? out.format->loadFileUntilTag(path.c_str(), EXS_Unknown, EGL_noChange, 4096,
                                                  ERM_autoDetect, DCM_PixelData)
                   : out.format->loadFile(path.c_str());
  if (cond.bad()) {
    // DCMTK keeps what it parsed: the stream broke inside the deepest last element (whose value DCMTK
    // inserts before reading it, e.g. PixelData) or right after it.
    std::string where;
    DcmItem* item = out.format->getDataset();
    while (item && item->card() > 0) {
      DcmElement* last = item->getElement(item->card() - 1);
      if (!last) break;
      where += tag_text(last->getTag());
      auto* seq = dynamic_cast<DcmSequenceOfItems*>(last);
      if (!seq || seq->card() == 0) break;
      where += fmt::format(" item {} > ", seq->card());
      item = seq->getItem(seq->card() - 1);
    }
    return Error{ErrorCode::io, path, where, "", "",
                 std::string("the DICOM stream breaks at or right after this attribute (truncated or corrupt file): ") +
                     cond.text()};
  }
  out.dataset = out.format->getDataset();
  if (!out.dataset || out.dataset->card() == 0) return Error::not_dicom(path, "empty DICOM dataset");
  return out;
}

namespace {

std::string trim(std::string s) {
  const auto not_space = [](unsigned char c) { return c != ' ' && c != '\0' && c != '\t'; };
  s.erase(s.begin(), std::find_if(s.begin(), s.end(), not_space));
  s.erase(std::find_if(s.rbegin(), s.rend(), not_space).base(), s.end());
  return s;
}

std::vector<std::string> split_values(const std::string& s) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (true) {
    const std::size_t end = s.find('\\', start);
    out.push_back(trim(s.substr(start, end == std::string::npos ? std::string::npos : end - start)));
    if (end == std::string::npos) break;
    start = end + 1;
  }
  return out;
}

}  // namespace

bool ItemView::has(const DcmTagKey& key) const { return item_ && item_->tagExistsWithValue(key); }

namespace {

// The SpecificCharacterSet in force for `item`: its own, else the nearest enclosing item's (a sequence
// item may override the dataset's, PS3.5 7.5.3).
std::string character_set_of(DcmItem* item) {
  for (DcmItem* at = item; at; at = at->getParentItem()) {
    OFString value;
    if (at->findAndGetOFStringArray(DCM_SpecificCharacterSet, value, OFFalse).good())
      return std::string(value.c_str(), value.length());
  }
  return {};
}

}  // namespace

std::string ItemView::string(const DcmTagKey& key) const {
  OFString value;
  if (!item_ || item_->findAndGetOFStringArray(key, value).bad()) return {};
  // Decoded to UTF-8 here so that no writer downstream ever sees raw Latin-1 or stray bytes.
  return trim(dicom_text_to_utf8(std::string_view(value.c_str(), value.length()), character_set_of(item_)));
}

Expected<std::string> ItemView::required_string(const DcmTagKey& key) const {
  std::string v = string(key);
  if (v.empty()) return missing(key);
  return v;
}

Expected<std::vector<double>> ItemView::numbers(const DcmTagKey& key) const {
  std::vector<double> out;
  DcmElement* el = nullptr;
  if (!item_ || item_->findAndGetElement(key, el).bad() || !el || el->getLength() == 0) return out;
  const unsigned long vm = el->getVM();
  switch (el->ident()) {
    case EVR_FD: case EVR_FL: case EVR_US: case EVR_SS: case EVR_UL: case EVR_SL: {
      for (unsigned long i = 0; i < vm; ++i) {
        double v = 0;
        OFCondition c = EC_Normal;
        switch (el->ident()) {
          case EVR_FD: { Float64 x; c = el->getFloat64(x, i); v = x; break; }
          case EVR_FL: { Float32 x; c = el->getFloat32(x, i); v = x; break; }
          case EVR_US: { Uint16 x; c = el->getUint16(x, i); v = x; break; }
          case EVR_SS: { Sint16 x; c = el->getSint16(x, i); v = x; break; }
          case EVR_UL: { Uint32 x; c = el->getUint32(x, i); v = x; break; }
          default: { Sint32 x; c = el->getSint32(x, i); v = x; break; }
        }
        if (c.bad()) return bad(key, "a number", fmt::format("unreadable value {}", i + 1));
        if (!std::isfinite(v)) return bad(key, "finite numbers", fmt::format("{} at value {}", v, i + 1));
        out.push_back(v);
      }
      return out;
    }
    default: break;
  }
  // Raw access: DCMTK's getOFStringArray re-determines the value multiplicity per value for DS, which
  // is quadratic in the number of values (seconds for a structure set with long ContourData).
  char* raw = nullptr;
  Uint32 raw_length = 0;
  if (el->getString(raw, raw_length).bad()) return bad(key, "numbers", "unreadable value");
  const auto parts = split_values(raw ? std::string(raw, raw_length) : std::string());
  out.reserve(parts.size());
  for (std::size_t i = 0; i < parts.size(); ++i) {
    const std::string& p = parts[i];
    double v = 0;
    const char* first = p.data();
    if (!p.empty() && p[0] == '+') ++first;
    const auto [ptr, ec] = std::from_chars(first, p.data() + p.size(), v);
    if (p.empty() || ec != std::errc() || ptr != p.data() + p.size())
      return bad(key, "decimal numbers", fmt::format("'{}' at value {}", p, i + 1));
    if (!std::isfinite(v)) return bad(key, "finite numbers", fmt::format("'{}' at value {}", p, i + 1));
    out.push_back(v);
  }
  return out;
}

Expected<std::vector<double>> ItemView::required_numbers(const DcmTagKey& key, std::size_t count) const {
  auto v = numbers(key);
  if (!v) return v.error();
  if (v->empty()) return missing(key);
  if (count != 0 && v->size() != count)
    return bad(key, fmt::format("{} values", count), fmt::format("{} values", v->size()));
  return v;
}

Expected<std::optional<double>> ItemView::optional_number(const DcmTagKey& key) const {
  auto v = numbers(key);
  if (!v) return v.error();
  if (v->empty()) return std::optional<double>{};
  return std::optional<double>{v->front()};
}

Expected<double> ItemView::required_number(const DcmTagKey& key) const {
  auto v = required_numbers(key);
  if (!v) return v.error();
  return v->front();
}

Expected<std::optional<long>> ItemView::optional_integer(const DcmTagKey& key) const {
  auto v = optional_number(key);
  if (!v) return v.error();
  if (!*v) return std::optional<long>{};
  const double x = **v;
  if (x != std::floor(x) || std::abs(x) > 2147483647.0) return bad(key, "an integer", fmt::format("{}", x));
  return std::optional<long>{static_cast<long>(x)};
}

Expected<long> ItemView::required_integer(const DcmTagKey& key) const {
  auto v = optional_integer(key);
  if (!v) return v.error();
  if (!*v) return missing(key);
  return **v;
}

std::vector<ItemView> ItemView::sequence(const DcmTagKey& key) const {
  std::vector<ItemView> out;
  DcmSequenceOfItems* seq = nullptr;
  if (!item_ || item_->findAndGetSequence(key, seq).bad() || !seq) return out;
  for (unsigned long i = 0; i < seq->card(); ++i)
    out.emplace_back(seq->getItem(i), file_, fmt::format("{}{} item {} > ", context_, tag_text(key), i + 1));
  return out;
}

Status check_object_kind(const ItemView& ds, const std::string& modality,
                         const std::vector<std::string>& sop_classes, const std::string& kind) {
  const std::string found_modality = ds.string(DCM_Modality);
  if (found_modality.empty()) return ds.missing(DCM_Modality);
  if (found_modality != modality) return ds.bad(DCM_Modality, modality + " (" + kind + ")", found_modality);
  const std::string sop_class = ds.string(DCM_SOPClassUID);
  if (sop_class.empty()) return ds.missing(DCM_SOPClassUID);
  if (std::find(sop_classes.begin(), sop_classes.end(), sop_class) == sop_classes.end()) {
    std::string list;
    for (const auto& s : sop_classes) list += (list.empty() ? "" : " or ") + s;
    return ds.bad(DCM_SOPClassUID, kind + " " + list, sop_class);
  }
  return ok();
}

Expected<ImagePlane> read_image_plane(const ItemView& ds) {
  auto iop = ds.required_numbers(DCM_ImageOrientationPatient, 6);
  if (!iop) return iop.error();
  auto ipp = ds.required_numbers(DCM_ImagePositionPatient, 3);
  if (!ipp) return ipp.error();
  auto spacing = ds.required_numbers(DCM_PixelSpacing, 2);
  if (!spacing) return spacing.error();
  auto rows = ds.required_integer(DCM_Rows);
  if (!rows) return rows.error();
  auto columns = ds.required_integer(DCM_Columns);
  if (!columns) return columns.error();

  const auto& o = *iop;
  const Vec3 r{o[0], o[1], o[2]}, c{o[3], o[4], o[5]};
  // DS text keeps at least 6 significant digits in practice; 1e-4 accepts that rounding and
  // rejects anything that is not a rotation.
  constexpr double kTol = 1e-4;
  if (std::abs(norm(r) - 1) > kTol || std::abs(norm(c) - 1) > kTol || std::abs(dot(r, c)) > kTol)
    return ds.bad(DCM_ImageOrientationPatient, "orthonormal row and column direction cosines",
                  ds.string(DCM_ImageOrientationPatient));
  if ((*spacing)[0] <= 0 || (*spacing)[1] <= 0)
    return ds.bad(DCM_PixelSpacing, "two positive spacings", ds.string(DCM_PixelSpacing));
  // Rows and Columns are US (at most 65535): checked before any product of counts is formed.
  if (*rows <= 0 || *rows > 65535) return ds.bad(DCM_Rows, "a count from 1 to 65535", std::to_string(*rows));
  if (*columns <= 0 || *columns > 65535)
    return ds.bad(DCM_Columns, "a count from 1 to 65535", std::to_string(*columns));

  ImagePlane p;
  p.row_cosine = normalized(r);
  p.column_cosine = normalized(c - dot(c, p.row_cosine) * p.row_cosine);
  p.normal = cross(p.row_cosine, p.column_cosine);
  p.position = {(*ipp)[0], (*ipp)[1], (*ipp)[2]};
  p.row_step_mm = (*spacing)[0];
  p.column_step_mm = (*spacing)[1];
  p.rows = *rows;
  p.columns = *columns;
  // The plane must lie within a plausible patient extent (geometry.h), first voxel and far corner.
  if (!within_patient_extent(p.position))
    return ds.bad(DCM_ImagePositionPatient,
                  fmt::format("a position within +-{:g} mm of the origin on each axis", kMaxPatientCoordinateMm),
                  ds.string(DCM_ImagePositionPatient));
  const PatientPoint corner = p.position + (double(p.columns - 1) * p.column_step_mm) * p.row_cosine +
                              (double(p.rows - 1) * p.row_step_mm) * p.column_cosine;
  if (!within_patient_extent(corner))
    return ds.bad(DCM_PixelSpacing,
                  fmt::format("Rows x Columns x PixelSpacing within +-{:g} mm of the origin on each axis",
                              kMaxPatientCoordinateMm),
                  fmt::format("{} x {} pixels of {} mm reaching ({:g}, {:g}, {:g}) mm", p.rows, p.columns,
                              ds.string(DCM_PixelSpacing), corner.x, corner.y, corner.z));
  return p;
}

Expected<std::vector<double>> read_stored_pixels(const LoadedDicom& loaded, std::int64_t values_needed) {
  const ItemView ds(loaded.dataset, loaded.path);
  const DcmXfer xfer(loaded.dataset->getOriginalXfer());
  if (xfer.isEncapsulated())
    return Error::unsupported(loaded.path, "(0002,0010) TransferSyntaxUID",
                              std::string("compressed pixel data is not supported: ") + xfer.getXferName());
  auto samples = ds.optional_integer(DCM_SamplesPerPixel);
  if (!samples) return samples.error();
  if (*samples && **samples != 1)
    return Error::unsupported(loaded.path, ds.tag(DCM_SamplesPerPixel), "only 1 sample per pixel is supported");
  auto bits = ds.required_integer(DCM_BitsAllocated);
  if (!bits) return bits.error();
  if (*bits != 16 && *bits != 32)
    return Error::unsupported(loaded.path, ds.tag(DCM_BitsAllocated),
                              fmt::format("BitsAllocated must be 16 or 32, found {}", *bits));
  if (*bits == 32 && xfer.isBigEndian())
    return Error::unsupported(loaded.path, "(0002,0010) TransferSyntaxUID",
                              "32-bit pixels in big-endian transfer syntax are not supported");
  auto representation = ds.required_integer(DCM_PixelRepresentation);
  if (!representation) return representation.error();
  if (*representation != 0 && *representation != 1)
    return ds.bad(DCM_PixelRepresentation, "0 (unsigned) or 1 (signed)", std::to_string(*representation));
  auto bits_stored_opt = ds.optional_integer(DCM_BitsStored);
  if (!bits_stored_opt) return bits_stored_opt.error();
  const long bits_stored = bits_stored_opt->value_or(*bits);
  if (bits_stored < 1 || bits_stored > *bits)
    return ds.bad(DCM_BitsStored, fmt::format("1..{}", *bits), std::to_string(bits_stored));
  auto high_bit = ds.optional_integer(DCM_HighBit);
  if (!high_bit) return high_bit.error();
  if (*high_bit && **high_bit != bits_stored - 1)
    return Error::unsupported(loaded.path, ds.tag(DCM_HighBit),
                              fmt::format("HighBit must be BitsStored - 1 = {}, found {}", bits_stored - 1, **high_bit));

  DcmElement* el = nullptr;
  if (loaded.dataset->findAndGetElement(DCM_PixelData, el).bad() || !el) return ds.missing(DCM_PixelData);
  const Uint8* bytes = nullptr;
  unsigned long byte_count = 0;
  if (el->getVR() == EVR_OB) {
    Uint8* p = nullptr;
    if (el->getUint8Array(p).bad()) return ds.bad(DCM_PixelData, "readable pixel data", "unreadable value");
    bytes = p;
    byte_count = el->getLength();
  } else {
    Uint16* p = nullptr;
    if (el->getUint16Array(p).bad()) return ds.bad(DCM_PixelData, "readable pixel data", "unreadable value");
    bytes = reinterpret_cast<const Uint8*>(p);
    byte_count = el->getLength();
  }
  const std::size_t width = static_cast<std::size_t>(*bits / 8);
  const std::size_t needed = static_cast<std::size_t>(values_needed) * width;
  if (!bytes || byte_count < needed)
    return Error{ErrorCode::io, loaded.path, ds.tag(DCM_PixelData),
                 fmt::format("{} bytes (Rows x Columns x NumberOfFrames x BitsAllocated/8)", needed),
                 fmt::format("{} bytes", byte_count), "truncated pixel data"};
  // More bytes than the header accounts for (one padding byte aside) means Rows, Columns, NumberOfFrames
  // or BitsAllocated is damaged: the grid would be decoded with the wrong shape.
  if (byte_count > needed + 1)
    return Error{ErrorCode::inconsistent, loaded.path, ds.tag(DCM_PixelData),
                 fmt::format("{} bytes (Rows x Columns x NumberOfFrames x BitsAllocated/8)", needed),
                 fmt::format("{} bytes", byte_count),
                 "the pixel data does not fit Rows, Columns, NumberOfFrames and BitsAllocated"};

  std::vector<double> out(static_cast<std::size_t>(values_needed));
  const bool is_signed = *representation == 1;
  const std::uint32_t mask = bits_stored >= 32 ? 0xFFFFFFFFu : ((1u << bits_stored) - 1u);
  const std::uint32_t sign_bit = 1u << (bits_stored - 1);
  for (std::size_t n = 0; n < out.size(); ++n) {
    std::uint32_t word = 0;
    if (width == 2) {
      std::uint16_t w16;
      std::memcpy(&w16, bytes + n * 2, 2);
      word = w16;
    } else {
      std::memcpy(&word, bytes + n * 4, 4);
    }
    word &= mask;
    if (is_signed && (word & sign_bit)) {
      out[n] = static_cast<double>(static_cast<std::int64_t>(word) - (std::int64_t{1} << bits_stored));
    } else {
      out[n] = static_cast<double>(word);
    }
  }
  return out;
}

std::string ds_text(double v) {
  char buf[64];
  // Whole numbers in plain digits ("200000000", not "2e+08"): same value, friendlier to other readers.
  if (v == std::floor(v) && std::abs(v) < 1e15) {
    std::snprintf(buf, sizeof buf, "%.0f", v);
    return v == 0 ? "0" : buf;
  }
  for (int p = 1; p <= 17; ++p) {
    const int n = std::snprintf(buf, sizeof buf, "%.*g", p, v);
    if (n > 16) break;
    if (std::strtod(buf, nullptr) == v) return buf;
  }
  for (int p = 16; p >= 1; --p) {
    const int n = std::snprintf(buf, sizeof buf, "%.*g", p, v);
    if (n <= 16) return buf;
  }
  return "0";
}

std::string ds_text(const std::vector<double>& values) {
  std::string out;
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (i) out += '\\';
    out += ds_text(values[i]);
  }
  return out;
}

}  // namespace sbrtkit::detail
