#include "io/output_file.h"

#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <system_error>

namespace sbrtkit {

Status write_file_atomically(const std::filesystem::path& target, std::string_view content) {
  namespace fs = std::filesystem;
  std::error_code ec;
  const fs::path folder = target.has_parent_path() ? target.parent_path() : fs::path(".");
  if (!fs::exists(folder, ec))
    return Error::io(target.string(), "folder " + folder.string() + " does not exist");
  std::string hidden_name = ".";  // appended piecewise: GCC 12 warns falsely (-Wrestrict) on "." + string
  hidden_name += target.filename().string();
  hidden_name += ".tmp.";
  hidden_name += std::to_string(::getpid());
  const fs::path temporary = folder / hidden_name;
  {
    std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
    if (!out) return Error::io(target.string(), "cannot create " + temporary.string());
    out.write(content.data(), std::streamsize(content.size()));
    out.flush();
    if (!out) {
      out.close();
      fs::remove(temporary, ec);
      return Error::io(target.string(), "write failed (disk full?)");
    }
  }
  fs::rename(temporary, target, ec);
  if (ec) {
    fs::remove(temporary, ec);
    return Error::io(target.string(), "cannot rename temporary file: " + ec.message());
  }
  return ok();
}

}  // namespace sbrtkit
