// SPDX-License-Identifier: MIT
// A main() for the harnesses outside libFuzzer: runs LLVMFuzzerTestOneInput once on every file
// named on the command line or found in a named directory (a checked-in corpus), so the meson
// legs (g++ with ASan/UBSan, clang release) replay every corpus entry as a regression test.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <system_error>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);

namespace {

std::vector<std::uint8_t> read_file(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

} // namespace

int main(int argc, char** argv) {
    std::vector<std::filesystem::path> files;
    for (int i = 1; i < argc; ++i) {
        const std::filesystem::path arg(argv[i]);
        std::error_code ec;
        if (std::filesystem::is_directory(arg, ec)) {
            for (const auto& entry : std::filesystem::directory_iterator(arg)) {
                if (entry.is_regular_file()) {
                    files.push_back(entry.path());
                }
            }
        } else if (std::filesystem::is_regular_file(arg, ec)) {
            files.push_back(arg);
        } else {
            std::fprintf(stderr, "replay: no such file or directory: %s\n", argv[i]);
            return 1;
        }
    }
    if (files.empty()) {
        std::fprintf(stderr, "replay: no inputs (an empty corpus tests nothing)\n");
        return 1;
    }
    std::sort(files.begin(), files.end());
    for (const auto& file : files) {
        const std::vector<std::uint8_t> data = read_file(file);
        // A harness aborts on a violated property; the file name tells which input it was.
        std::fprintf(stderr, "replay: %s (%zu bytes)\n", file.c_str(), data.size());
        // An empty vector's data() may be null; libFuzzer never passes null.
        const std::uint8_t empty = 0;
        (void)LLVMFuzzerTestOneInput(data.empty() ? &empty : data.data(), data.size());
    }
    std::printf("replayed %zu inputs\n", files.size());
    return 0;
}
