// raise_descriptor_limit: the soft open-files limit goes up to the hard one.
#include "cli/descriptor_limit.hpp"

#include <sys/resource.h>

#include <catch2/catch.hpp>

TEST_CASE("descriptor limit: the soft limit is raised to the hard limit", "[cli]") {
    rlimit saved{};
    REQUIRE(getrlimit(RLIMIT_NOFILE, &saved) == 0);
    REQUIRE(saved.rlim_max >= 64);  // room to lower the soft limit below it
    rlimit lowered = saved;
    lowered.rlim_cur = 32;
    REQUIRE(setrlimit(RLIMIT_NOFILE, &lowered) == 0);
    nswatch::raise_descriptor_limit();
    rlimit now{};
    REQUIRE(getrlimit(RLIMIT_NOFILE, &now) == 0);
    CHECK(now.rlim_cur == saved.rlim_max);
    setrlimit(RLIMIT_NOFILE, &saved);
}
