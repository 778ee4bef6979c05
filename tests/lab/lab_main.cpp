// Catch2 main for the lab tests (they need the 'lab' CTest fixture: NSWATCH_LAB_DIR).
#define CATCH_CONFIG_MAIN
#include <catch2/catch.hpp>
