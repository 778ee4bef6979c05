# `cmake --install`: the binary, man pages, bash completion, systemd unit, the service's config,
# the example config, the Grafana dashboard and the Prometheus rules (layout: README.md, "Install").
include(GNUInstallDirs)

set(NSWATCH_CONFIG_FILE "${CMAKE_INSTALL_FULL_SYSCONFDIR}/nswatch/nswatch.yml")
# /lib/systemd/system for a /usr install (where Debian 12 keeps packaged units), else under the prefix.
if(CMAKE_INSTALL_PREFIX STREQUAL "/usr")
  set(default_unit_dir "/lib/systemd/system")
else()
  set(default_unit_dir "lib/systemd/system")
endif()
set(NSWATCH_SYSTEMD_UNIT_DIR "${default_unit_dir}" CACHE STRING
    "Where nswatch.service is installed (relative: under the prefix)")

# Man pages are written by help2man from the built binary's --help (packaging/man/generate.sh).
# AUTO: when help2man is installed, else skipped with a message, so a packager's plain build never
# fails for want of it; ON: help2man is required (the Debian package build); OFF: no pages.
set(NSWATCH_MAN_PAGES AUTO CACHE STRING "Generate and install man pages with help2man: AUTO, ON or OFF")
set_property(CACHE NSWATCH_MAN_PAGES PROPERTY STRINGS AUTO ON OFF)

install(TARGETS nswatch RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})

# The unit names the installed binary and config by their configure-time paths.
set(NSWATCH_BIN "${CMAKE_INSTALL_FULL_BINDIR}/nswatch")
configure_file(${CMAKE_CURRENT_LIST_DIR}/nswatch.service.in
               ${CMAKE_CURRENT_BINARY_DIR}/packaging/nswatch.service @ONLY)
install(FILES ${CMAKE_CURRENT_BINARY_DIR}/packaging/nswatch.service
        DESTINATION ${NSWATCH_SYSTEMD_UNIT_DIR})

install(FILES ${CMAKE_CURRENT_LIST_DIR}/nswatch.yml
        DESTINATION ${CMAKE_INSTALL_SYSCONFDIR}/nswatch)
install(FILES ${CMAKE_CURRENT_LIST_DIR}/nswatch.bash-completion
        DESTINATION ${CMAKE_INSTALL_DATADIR}/bash-completion/completions RENAME nswatch)
install(FILES ${PROJECT_SOURCE_DIR}/config/example.yml
        DESTINATION ${CMAKE_INSTALL_DOCDIR}/examples)
install(FILES ${PROJECT_SOURCE_DIR}/README.md ${PROJECT_SOURCE_DIR}/CONFIGURATION.md
              ${PROJECT_SOURCE_DIR}/docs/METRICS.md ${PROJECT_SOURCE_DIR}/docs/AUDIT-CHECKS.md
        DESTINATION ${CMAKE_INSTALL_DOCDIR})
install(FILES ${PROJECT_SOURCE_DIR}/grafana/nswatch-dashboard.json ${PROJECT_SOURCE_DIR}/grafana/README.md
        DESTINATION ${CMAKE_INSTALL_DATADIR}/nswatch/grafana)
install(FILES ${PROJECT_SOURCE_DIR}/grafana/nswatch-rules.yml ${PROJECT_SOURCE_DIR}/grafana/nswatch-rules.test.yml
              ${PROJECT_SOURCE_DIR}/grafana/prometheus-example.yml
        DESTINATION ${CMAKE_INSTALL_DATADIR}/nswatch/prometheus)

find_program(HELP2MAN help2man)
if(NSWATCH_MAN_PAGES STREQUAL "ON" AND NOT HELP2MAN)
  message(FATAL_ERROR "NSWATCH_MAN_PAGES=ON but help2man is not installed (apt-get install help2man)")
endif()
if(NSWATCH_MAN_PAGES STREQUAL "OFF" OR NOT HELP2MAN)
  if(NOT NSWATCH_MAN_PAGES STREQUAL "OFF")
    message(STATUS "help2man not found: no man pages (install help2man, or -DNSWATCH_MAN_PAGES=OFF to silence)")
  endif()
else()
  set(man_dir ${CMAKE_CURRENT_BINARY_DIR}/man)
  add_custom_command(
    OUTPUT ${man_dir}/nswatch.1
    COMMAND bash ${CMAKE_CURRENT_LIST_DIR}/man/generate.sh $<TARGET_FILE:nswatch> ${man_dir}
            ${NSWATCH_CONFIG_FILE} ${CMAKE_INSTALL_FULL_DATADIR} ${CMAKE_INSTALL_FULL_DOCDIR}
    DEPENDS nswatch ${CMAKE_CURRENT_LIST_DIR}/man/generate.sh ${CMAKE_CURRENT_LIST_DIR}/man/nswatch.h2m
    COMMENT "Man pages (help2man)"
    VERBATIM)
  add_custom_target(nswatch_man_pages ALL DEPENDS ${man_dir}/nswatch.1)
  # One page per sub-command, named by the built binary: the whole directory is installed.
  install(DIRECTORY ${man_dir}/ DESTINATION ${CMAKE_INSTALL_MANDIR}/man1 FILES_MATCHING PATTERN "*.1")
endif()

if(BUILD_TESTING)
  # `nswatch --version` and the nswatch_build_info metric of a running daemon carry the same string.
  add_test(NAME "packaging: --version equals nswatch_build_info"
           COMMAND bash ${CMAKE_CURRENT_LIST_DIR}/tests/version_agrees.sh $<TARGET_FILE:nswatch>)
  if(NOT NSWATCH_MAN_PAGES STREQUAL "OFF" AND HELP2MAN)
    add_test(NAME "packaging: cmake --install layout, man pages, systemd-analyze verify"
             COMMAND bash ${CMAKE_CURRENT_LIST_DIR}/tests/install_layout.sh ${CMAKE_BINARY_DIR}
                     ${CMAKE_INSTALL_PREFIX} ${CMAKE_INSTALL_SYSCONFDIR} ${NSWATCH_SYSTEMD_UNIT_DIR})
  endif()
  add_test(NAME "packaging: bash completion"
           COMMAND bash ${CMAKE_CURRENT_LIST_DIR}/tests/completion.sh $<TARGET_FILE:nswatch>
                   ${CMAKE_CURRENT_LIST_DIR}/nswatch.bash-completion)
endif()
