# Writes nswatch_version.hpp: the project version, plus `git describe --dirty --always` when the
# source is a git checkout with git installed (a tarball or a .deb source build has neither, and
# gets the bare project version). Run as a script at every build, not at configure time, so a new
# commit or an edited file shows in the version without re-running CMake; configure_file leaves the
# header untouched (and nothing recompiles) while the string stays the same.
#   cmake -DSOURCE_DIR=... -DOUTPUT=.../nswatch_version.hpp -DPROJECT_VERSION=0.1.0 -P version.cmake
set(version "${PROJECT_VERSION}")
find_program(GIT_EXECUTABLE git)
if(GIT_EXECUTABLE)
  execute_process(
    COMMAND "${GIT_EXECUTABLE}" -C "${SOURCE_DIR}" rev-parse --show-toplevel
    OUTPUT_VARIABLE toplevel OUTPUT_STRIP_TRAILING_WHITESPACE
    RESULT_VARIABLE not_a_checkout ERROR_QUIET)
  # Only the checkout that is this source tree counts: a tarball unpacked inside some other
  # repository must not take that repository's description.
  if(NOT not_a_checkout)
    file(REAL_PATH "${toplevel}" toplevel)
    file(REAL_PATH "${SOURCE_DIR}" source)
  endif()
  if(NOT not_a_checkout AND toplevel STREQUAL source)
    execute_process(
      COMMAND "${GIT_EXECUTABLE}" -C "${SOURCE_DIR}" describe --dirty --always
      OUTPUT_VARIABLE described OUTPUT_STRIP_TRAILING_WHITESPACE
      RESULT_VARIABLE describe_failed ERROR_QUIET)
    if(NOT describe_failed AND described)
      # Semantic-versioning build metadata: 0.1.0+612fc41-dirty.
      set(version "${PROJECT_VERSION}+${described}")
    endif()
  endif()
endif()
set(NSWATCH_VERSION_STRING "${version}")
configure_file("${CMAKE_CURRENT_LIST_DIR}/nswatch_version.hpp.in" "${OUTPUT}" @ONLY)
