#include "archive/zip_writer.h"

#include <cerrno>
#include <cstring>
#include <fmt/format.h>
#include <zlib.h>

#include "archive/zip_format.h"

namespace mtool {

namespace {

constexpr uint64_t kAlignment = 64;
using namespace zip;

void put16(std::string& out, uint64_t value) {
  out += static_cast<char>(value & 0xff);
  out += static_cast<char>((value >> 8) & 0xff);
}
void put32(std::string& out, uint64_t value) {
  put16(out, value & 0xffff);
  put16(out, (value >> 16) & 0xffff);
}
void put64(std::string& out, uint64_t value) {
  put32(out, value & 0xffffffffu);
  put32(out, value >> 32);
}

std::string deflate_raw(Bytes data) {
  z_stream stream{};
  if (deflateInit2(&stream, Z_DEFAULT_COMPRESSION, Z_DEFLATED, -MAX_WBITS, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
    throw Error(ErrorKind::Io, "cannot initialise zlib");
  }
  std::string out(deflateBound(&stream, data.size()), '\0');
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  stream.avail_in = static_cast<uInt>(data.size());
  stream.next_out = reinterpret_cast<Bytef*>(out.data());
  stream.avail_out = static_cast<uInt>(out.size());
  int status = deflate(&stream, Z_FINISH);
  out.resize(stream.total_out);
  deflateEnd(&stream);
  if (status != Z_STREAM_END) throw Error(ErrorKind::Io, "zlib could not compress a record");
  return out;
}

}  // namespace

void ZipWriter::write(const std::string& bytes) {
  if (std::fwrite(bytes.data(), 1, bytes.size(), out_) != bytes.size()) {
    throw Error(ErrorKind::Io, fmt::format("cannot write: {}", std::strerror(errno)));
  }
  offset_ += bytes.size();
}

void ZipWriter::add_stored(const std::string& name, Bytes data) { add(name, data, data, kStored); }

void ZipWriter::add_deflated(const std::string& name, Bytes data) {
  if (data.size() > kZip64Limit) throw Error(ErrorKind::Io, "records over 4 GiB are only stored, not deflated");
  std::string compressed = deflate_raw(data);
  add(name, data, compressed, kDeflated);
}

void ZipWriter::add(const std::string& name, Bytes data, Bytes stored, uint16_t method) {
  Written record{name, offset_, stored.size(), data.size(), crc32_of(data), method};
  bool zip64 = stored.size() >= kZip64Limit || data.size() >= kZip64Limit;
  std::string header;
  put32(header, kLocalHeaderSignature);
  put16(header, zip64 ? 45 : 20);
  put16(header, 0x0800);  // UTF-8 names, sizes in the header (no data descriptor)
  put16(header, method);
  put16(header, 0);
  put16(header, 0x21);  // 1980-01-01: reproducible output
  put32(header, record.crc);
  put32(header, zip64 ? kZip64Limit : stored.size());
  put32(header, zip64 ? kZip64Limit : data.size());
  put16(header, name.size());
  std::string extra;
  if (zip64) {
    put16(extra, 0x0001);
    put16(extra, 16);
    put64(extra, data.size());
    put64(extra, stored.size());
  }
  if (method == 0) {
    // PyTorch's "FB" padding field puts stored data on a 64-byte boundary.
    uint64_t data_start = offset_ + 30 + name.size() + extra.size() + 4;
    uint64_t padding = (kAlignment - data_start % kAlignment) % kAlignment;
    put16(extra, 0x4246);  // "FB"
    put16(extra, padding);
    extra.append(padding, 'Z');
  }
  put16(header, extra.size());
  write(header + name + extra);
  write(std::string(stored));
  written_.push_back(record);
}

void ZipWriter::finish() {
  uint64_t directory_start = offset_;
  for (const Written& record : written_) {
    bool zip64 = record.offset >= kZip64Limit || record.size >= kZip64Limit || record.compressed_size >= kZip64Limit;
    std::string extra;
    if (zip64) {
      put16(extra, 0x0001);
      put16(extra, 24);
      put64(extra, record.size);
      put64(extra, record.compressed_size);
      put64(extra, record.offset);
    }
    std::string entry;
    put32(entry, kCentralHeaderSignature);
    put16(entry, zip64 ? 45 : 20);
    put16(entry, zip64 ? 45 : 20);
    put16(entry, 0x0800);
    put16(entry, record.method);
    put16(entry, 0);
    put16(entry, 0x21);
    put32(entry, record.crc);
    put32(entry, zip64 ? kZip64Limit : record.compressed_size);
    put32(entry, zip64 ? kZip64Limit : record.size);
    put16(entry, record.name.size());
    put16(entry, extra.size());
    put16(entry, 0);
    put16(entry, 0);
    put16(entry, 0);
    put32(entry, 0);
    put32(entry, zip64 ? kZip64Limit : record.offset);
    write(entry + record.name + extra);
  }
  uint64_t directory_size = offset_ - directory_start;
  bool zip64 = directory_start >= kZip64Limit || written_.size() >= 0xffff;
  std::string end;
  if (zip64) {
    uint64_t zip64_end = offset_;
    put32(end, kZip64EndSignature);
    put64(end, 44);
    put16(end, 45);
    put16(end, 45);
    put32(end, 0);
    put32(end, 0);
    put64(end, written_.size());
    put64(end, written_.size());
    put64(end, directory_size);
    put64(end, directory_start);
    put32(end, kZip64LocatorSignature);
    put32(end, 0);
    put64(end, zip64_end);
    put32(end, 1);
  }
  put32(end, kEndSignature);
  put16(end, 0);
  put16(end, 0);
  put16(end, zip64 ? 0xffff : written_.size());
  put16(end, zip64 ? 0xffff : written_.size());
  put32(end, zip64 ? kZip64Limit : directory_size);
  put32(end, zip64 ? kZip64Limit : directory_start);
  put16(end, 0);
  write(end);
  if (std::fflush(out_) != 0) throw Error(ErrorKind::Io, fmt::format("cannot write: {}", std::strerror(errno)));
}

}  // namespace mtool
