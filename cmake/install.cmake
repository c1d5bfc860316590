# Installing opguard: the binary (the rules are built into it, so it works from any
# directory), its manual page and its bash, zsh and fish completions. The manual page and
# the completions are written at build time by the binary itself (`opguard man`,
# `opguard completion SHELL`, src/cli/shell_support.cpp), from the same command-line
# definition that prints --help, so they name every option the build has.
#   cmake --install build --prefix /usr/local
#   cd build && cpack -G DEB      (a .deb whose Depends dpkg-shlibdeps derives from the binary)
include(GNUInstallDirs)

set(OPGUARD_SHARE_DIR ${CMAKE_BINARY_DIR}/share)
set(OPGUARD_MAN_PAGE ${OPGUARD_SHARE_DIR}/man/man1/opguard.1)
set(OPGUARD_BASH_COMPLETION ${OPGUARD_SHARE_DIR}/bash-completion/completions/opguard)
set(OPGUARD_ZSH_COMPLETION ${OPGUARD_SHARE_DIR}/zsh/site-functions/_opguard)
set(OPGUARD_FISH_COMPLETION ${OPGUARD_SHARE_DIR}/fish/vendor_completions.d/opguard.fish)
add_custom_command(
  OUTPUT ${OPGUARD_MAN_PAGE} ${OPGUARD_BASH_COMPLETION} ${OPGUARD_ZSH_COMPLETION} ${OPGUARD_FISH_COMPLETION}
  COMMAND ${CMAKE_COMMAND} -E make_directory ${OPGUARD_SHARE_DIR}/man/man1 ${OPGUARD_SHARE_DIR}/bash-completion/completions
          ${OPGUARD_SHARE_DIR}/zsh/site-functions ${OPGUARD_SHARE_DIR}/fish/vendor_completions.d
  COMMAND opguard man --output ${OPGUARD_MAN_PAGE}
  COMMAND opguard completion bash --output ${OPGUARD_BASH_COMPLETION}
  COMMAND opguard completion zsh --output ${OPGUARD_ZSH_COMPLETION}
  COMMAND opguard completion fish --output ${OPGUARD_FISH_COMPLETION}
  DEPENDS opguard
  COMMENT "Writing the manual page and the shell completions"
  VERBATIM)
add_custom_target(opguard_shell_files ALL
  DEPENDS ${OPGUARD_MAN_PAGE} ${OPGUARD_BASH_COMPLETION} ${OPGUARD_ZSH_COMPLETION} ${OPGUARD_FISH_COMPLETION})

install(TARGETS opguard RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(FILES ${OPGUARD_MAN_PAGE} DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)
install(FILES ${OPGUARD_BASH_COMPLETION} DESTINATION ${CMAKE_INSTALL_DATADIR}/bash-completion/completions)
install(FILES ${OPGUARD_ZSH_COMPLETION} DESTINATION ${CMAKE_INSTALL_DATADIR}/zsh/site-functions)
install(FILES ${OPGUARD_FISH_COMPLETION} DESTINATION ${CMAKE_INSTALL_DATADIR}/fish/vendor_completions.d)

# cpack -G DEB: Depends comes from dpkg-shlibdeps (Debian's dpkg-dev) run on the installed
# binary, so it names the shared libraries this build links (libsimdjson, libyaml-cpp,
# libmimalloc, libstdc++, libc) with the versions of the build machine.
set(CPACK_PACKAGE_NAME opguard)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "Checks cloud desktop and instance operation plans before they run")
set(CPACK_PACKAGE_CONTACT "opguard maintainers <${OPGUARD_HOMEPAGE}>")
set(CPACK_PACKAGE_HOMEPAGE_URL ${OPGUARD_HOMEPAGE})
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION utils)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_STRIP_FILES ON)
set(CPACK_GENERATOR DEB)
include(CPack)
