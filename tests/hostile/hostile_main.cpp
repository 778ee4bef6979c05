// Catch2 main for the hostile-world tests: attacks and careless operation (slow HTTP clients,
// replayed TSIG, exhausted descriptors, replies that answer something else) that must leave
// nswatch answering and its verdicts true.
#define CATCH_CONFIG_MAIN
#include <catch2/catch.hpp>
