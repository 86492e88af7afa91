#pragma once
// Builds small zip archives in memory for the reader's tests, including the
// malformed ones real files never should be.
#include <cstdint>
#include <string>
#include <vector>
#include <zlib.h>

namespace mtool::test {

struct ZipSpec {
  std::string name;
  std::string content;
  bool deflate = false;
  // Overrides for malformed archives.
  int64_t declared_size = -1;        // uncompressed size in the central directory
  int64_t declared_offset = -1;      // local header offset in the central directory
};

inline void put16(std::string& out, uint32_t value) {
  out += static_cast<char>(value & 0xff);
  out += static_cast<char>((value >> 8) & 0xff);
}
inline void put32(std::string& out, uint32_t value) {
  put16(out, value & 0xffff);
  put16(out, value >> 16);
}
inline void put64(std::string& out, uint64_t value) {
  put32(out, static_cast<uint32_t>(value));
  put32(out, static_cast<uint32_t>(value >> 32));
}

inline std::string raw_deflate(const std::string& data) {
  z_stream stream{};
  deflateInit2(&stream, 9, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY);
  std::string out(deflateBound(&stream, data.size()), '\0');
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  stream.avail_in = static_cast<uInt>(data.size());
  stream.next_out = reinterpret_cast<Bytef*>(out.data());
  stream.avail_out = static_cast<uInt>(out.size());
  deflate(&stream, Z_FINISH);
  out.resize(stream.total_out);
  deflateEnd(&stream);
  return out;
}

// zip64 = true writes the zip64 end records and saturates the 32-bit fields.
inline std::string make_zip(const std::vector<ZipSpec>& specs, bool zip64 = false) {
  std::string out;
  std::string directory;
  for (const ZipSpec& spec : specs) {
    std::string stored = spec.deflate ? raw_deflate(spec.content) : spec.content;
    uint32_t crc = static_cast<uint32_t>(
        crc32(0, reinterpret_cast<const Bytef*>(spec.content.data()), static_cast<uInt>(spec.content.size())));
    uint64_t offset = out.size();
    put32(out, 0x04034b50);
    put16(out, 20);
    put16(out, 0);
    put16(out, spec.deflate ? 8 : 0);
    put32(out, 0);
    put32(out, crc);
    put32(out, static_cast<uint32_t>(stored.size()));
    put32(out, static_cast<uint32_t>(spec.content.size()));
    put16(out, static_cast<uint32_t>(spec.name.size()));
    put16(out, 0);
    out += spec.name + stored;

    uint64_t size = spec.declared_size >= 0 ? static_cast<uint64_t>(spec.declared_size) : spec.content.size();
    uint64_t local = spec.declared_offset >= 0 ? static_cast<uint64_t>(spec.declared_offset) : offset;
    std::string extra;
    if (zip64) {
      put16(extra, 0x0001);
      put16(extra, 24);
      put64(extra, size);
      put64(extra, stored.size());
      put64(extra, local);
    }
    put32(directory, 0x02014b50);
    put16(directory, 45);
    put16(directory, 45);
    put16(directory, 0);
    put16(directory, spec.deflate ? 8 : 0);
    put32(directory, 0);
    put32(directory, crc);
    put32(directory, zip64 ? 0xffffffff : static_cast<uint32_t>(stored.size()));
    put32(directory, zip64 ? 0xffffffff : static_cast<uint32_t>(size));
    put16(directory, static_cast<uint32_t>(spec.name.size()));
    put16(directory, static_cast<uint32_t>(extra.size()));
    put16(directory, 0);
    put16(directory, 0);
    put16(directory, 0);
    put32(directory, 0);
    put32(directory, zip64 ? 0xffffffff : static_cast<uint32_t>(local));
    directory += spec.name + extra;
  }
  uint64_t directory_offset = out.size();
  out += directory;
  if (zip64) {
    uint64_t zip64_offset = out.size();
    put32(out, 0x06064b50);
    put64(out, 44);
    put16(out, 45);
    put16(out, 45);
    put32(out, 0);
    put32(out, 0);
    put64(out, specs.size());
    put64(out, specs.size());
    put64(out, directory.size());
    put64(out, directory_offset);
    put32(out, 0x07064b50);
    put32(out, 0);
    put64(out, zip64_offset);
    put32(out, 1);
  }
  put32(out, 0x06054b50);
  put16(out, 0);
  put16(out, 0);
  put16(out, zip64 ? 0xffff : static_cast<uint32_t>(specs.size()));
  put16(out, zip64 ? 0xffff : static_cast<uint32_t>(specs.size()));
  put32(out, zip64 ? 0xffffffff : static_cast<uint32_t>(directory.size()));
  put32(out, zip64 ? 0xffffffff : static_cast<uint32_t>(directory_offset));
  put16(out, 0);
  return out;
}

}  // namespace mtool::test
