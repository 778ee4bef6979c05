// Replays fuzz inputs through LLVMFuzzerTestOneInput without libFuzzer, so the committed corpus
// runs as an ordinary test on every build (c-ares and dnsdist do the same).
//
//   nswatch_fuzz_replay DIR_OR_FILE...
//
// Prints "N passed, 0 failed". A failed input is a crash or a trap, which ends the process, so the
// name of the input being run is kept for a signal handler that prints it before dying. An empty
// directory is an error: a corpus that silently vanished must not pass.

#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

namespace {

// Read by the signal handler: a fixed buffer, written before each input runs.
char g_current[4096] = "";

void on_crash(int sig) {
    const char prefix[] = "nswatch_fuzz_replay: crashed on input ";
    (void)!write(STDERR_FILENO, prefix, sizeof prefix - 1);
    (void)!write(STDERR_FILENO, g_current, strnlen(g_current, sizeof g_current));
    (void)!write(STDERR_FILENO, "\n", 1);
    signal(sig, SIG_DFL);
    raise(sig);
}

std::vector<std::filesystem::path> inputs(const std::filesystem::path& arg) {
    std::vector<std::filesystem::path> out;
    if (!std::filesystem::is_directory(arg)) {
        out.push_back(arg);
        return out;
    }
    for (const auto& entry : std::filesystem::directory_iterator(arg)) {
        if (entry.is_regular_file()) out.push_back(entry.path());
    }
    std::sort(out.begin(), out.end());  // a stable order, so a crash reproduces the same way
    return out;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc < 2) {
        std::fprintf(stderr, "usage: %s DIR_OR_FILE...\n", argv[0]);
        return 2;
    }
    for (int sig : {SIGILL, SIGTRAP, SIGSEGV, SIGBUS, SIGABRT, SIGFPE}) signal(sig, on_crash);

    size_t passed = 0;
    for (int i = 1; i < argc; ++i) {
        const std::vector<std::filesystem::path> files = inputs(argv[i]);
        if (files.empty()) {
            std::fprintf(stderr, "%s: no inputs in %s\n", argv[0], argv[i]);
            return 1;
        }
        for (const auto& path : files) {
            std::ifstream in(path, std::ios::binary);
            if (!in) {
                std::fprintf(stderr, "%s: cannot read %s\n", argv[0], path.c_str());
                return 1;
            }
            const std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(in)),
                                             std::istreambuf_iterator<char>());
            std::snprintf(g_current, sizeof g_current, "%s", path.c_str());
            // libFuzzer hands over a valid pointer even for empty inputs; do the same.
            static const uint8_t kNothing = 0;
            LLVMFuzzerTestOneInput(bytes.empty() ? &kNothing : bytes.data(), bytes.size());
            ++passed;
        }
    }
    std::printf("%zu passed, 0 failed\n", passed);
    return 0;
}
