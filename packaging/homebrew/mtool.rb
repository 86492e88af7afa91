# Homebrew formula DRAFT for mtool (macOS). UNTESTED: no one has run it.
#
# What is known, and what is not:
# - Tested on Linux only: mtool_core and its unit tests build and pass with clang 14 and libc++
#   (scripts/test.sh, build-libcxx/), the closest Linux gets to Apple's toolchain. The full tool
#   (CLI, LibTorch runtime, libvips) has been built with GCC on Debian 12 only.
# - OS calls are in one file (src/platform/platform.cpp) with a macOS branch (getrusage for peak
#   memory, _NSGetExecutablePath, libmtool_runtime.dylib) that has never been compiled on macOS.
# - Homebrew's pytorch formula ships LibTorch 2.x; mtool is built and tested against LibTorch 1.13
#   (src/run/libtorch_declarations.h declares 1.13 symbols Debian's headers lack). Whether the runtime
#   library (backport, convert, score, bench) builds and behaves against 2.x is unknown; inspect and
#   scan do not use LibTorch at run time.
# - The url/sha256 below are placeholders until mtool has a release tarball.
class Mtool < Formula
  desc "What a PyTorch model file is, why it will not load, how to make it load"
  homepage "https://example.invalid/mtool"
  url "https://example.invalid/mtool/mtool-0.1.0.tar.gz"
  sha256 "0000000000000000000000000000000000000000000000000000000000000000"
  license "BSD-3-Clause"

  depends_on "cmake" => :build
  depends_on "doctest" => :build
  depends_on "pkg-config" => :build
  depends_on "python@3.12" => :build  # writes the man page and completions from mtool --help
  depends_on "cli11"
  depends_on "fmt"
  depends_on "libarchive"
  depends_on "nlohmann-json"
  depends_on "pytorch"
  depends_on "vips"

  def install
    system "cmake", "-S", ".", "-B", "build", "-DMTOOL_BUILD_TESTS=OFF",
           "-DCMAKE_PREFIX_PATH=#{Formula["pytorch"].opt_prefix}",
           "-DMTOOL_DOCS_PYTHON=#{Formula["python@3.12"].opt_bin}/python3.12", *std_cmake_args
    system "cmake", "--build", "build"
    # bin/mtool, lib/mtool/libmtool_runtime.dylib (found beside the binary's ../lib/mtool),
    # share/man/man1/mtool.1 and the bash, zsh and fish completions.
    system "cmake", "--install", "build"
  end

  test do
    assert_match "mtool", shell_output("#{bin}/mtool --version")
    (testpath/"plain.pkl").binwrite("\x80\x02}q\x00.".b)
    assert_match "safe", shell_output("#{bin}/mtool scan #{testpath}/plain.pkl")
  end
end
