// A temporary directory for tests that write real files (SQLite databases, configs); removed with
// everything in it when the test ends.
#pragma once

#include <stdlib.h>

#include <filesystem>
#include <string>

namespace nswatch::test {

struct TempDir {
    std::filesystem::path path;  ///< the directory, created by mkdtemp
    explicit TempDir(const std::string& prefix = "nswatch-test") {
        std::string tmpl = (std::filesystem::temp_directory_path() / (prefix + "-XXXXXX")).string();
        path = mkdtemp(tmpl.data());
    }
    ~TempDir() {
        std::error_code ec;
        std::filesystem::remove_all(path, ec);
    }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    std::string file(const char* name) const { return (path / name).string(); }
};

}  // namespace nswatch::test
