#include "archive/inflate.h"

#include <algorithm>
#include <zlib.h>

#include "io/error.h"

namespace mtool {

namespace {

// zlib counts in uInt (32 bits): larger inputs are fed in pieces of this size.
constexpr uint64_t kMaxPiece = 1u << 30;
constexpr uint64_t kFirstOutputSize = 1u << 16;

// Frees zlib's state on every way out, exceptions included.
struct InflateState {
  z_stream stream{};
  explicit InflateState(DeflateWrapper wrapper) {
    int window_bits = wrapper == DeflateWrapper::Zlib ? MAX_WBITS : -MAX_WBITS;
    if (inflateInit2(&stream, window_bits) != Z_OK) throw FormatError("cannot initialise zlib");
  }
  ~InflateState() { inflateEnd(&stream); }
  InflateState(const InflateState&) = delete;
  InflateState& operator=(const InflateState&) = delete;
};

[[noreturn]] void refuse() { throw FormatError("deflate data is damaged, cut short or too large"); }

}  // namespace

std::string inflate_stream(Bytes compressed, uint64_t max_size, DeflateWrapper wrapper, uint64_t size_hint) {
  InflateState state(wrapper);
  z_stream& stream = state.stream;
  // One byte past max_size is room to see that the stream would pass it.
  uint64_t capacity = size_hint > 0 ? std::min(size_hint, max_size) + 1 : std::min(max_size + 1, kFirstOutputSize);
  std::string output(capacity, '\0');
  uint64_t consumed = 0;
  uint64_t produced = 0;
  int status = Z_OK;
  while (status == Z_OK) {
    if (stream.avail_in == 0) {
      uint64_t piece = std::min<uint64_t>(compressed.size() - consumed, kMaxPiece);
      stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(compressed.data() + consumed));
      stream.avail_in = static_cast<uInt>(piece);
      consumed += piece;
    }
    if (produced == output.size()) {
      if (output.size() > max_size) refuse();
      output.resize(std::min(output.size() * 2, max_size + 1));
    }
    uint64_t room = std::min<uint64_t>(output.size() - produced, kMaxPiece);
    stream.next_out = reinterpret_cast<Bytef*>(output.data() + produced);
    stream.avail_out = static_cast<uInt>(room);
    // With room to write, Z_BUF_ERROR means the input ran out before the end marker.
    status = inflate(&stream, Z_NO_FLUSH);
    produced += room - stream.avail_out;
  }
  if (status != Z_STREAM_END || produced > max_size) refuse();
  output.resize(produced);
  return output;
}

}  // namespace mtool
