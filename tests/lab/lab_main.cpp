// Catch2 main for the lab tests (they need the 'lab' CTest fixture: NSWATCH_LAB_DIR).
#define CATCH_CONFIG_MAIN
#include <catch2/catch.hpp>

#include "lab_process.hpp"

namespace {

/// Removes a passing test case's scratch directories (lab::scratch_dir): every run of the suite
/// would otherwise leave its databases, logs and server files in /tmp.
struct ScratchCleanup : Catch::TestEventListenerBase {
    using TestEventListenerBase::TestEventListenerBase;
    void testCaseEnded(const Catch::TestCaseStats& stats) override {
        nswatch::lab::end_scratch(stats.totals.assertions.failed == 0);
    }
};

}  // namespace

CATCH_REGISTER_LISTENER(ScratchCleanup)
