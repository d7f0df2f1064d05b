# Installation: headers, the plugin, the libraries, and a CMake package so that another project
# can find_package(Interlace) and call interlace_instrument().
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

set(INTERLACE_CMAKE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/Interlace)

install(TARGETS interlace_pass interlace_rt interlace_explore interlace_program interlace
  EXPORT InterlaceTargets
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
  RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR}
  INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
# The passes that libInterlacePass.so loads from its own directory.
install(TARGETS interlace_pass_llvm LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR})
install(DIRECTORY ${PROJECT_SOURCE_DIR}/rt/include/ ${PROJECT_SOURCE_DIR}/explore/include/
  DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(EXPORT InterlaceTargets NAMESPACE Interlace:: DESTINATION ${INTERLACE_CMAKE_DIR})

configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/InterlaceConfig.cmake.in
  ${PROJECT_BINARY_DIR}/InterlaceConfig.cmake INSTALL_DESTINATION ${INTERLACE_CMAKE_DIR})
write_basic_package_version_file(${PROJECT_BINARY_DIR}/InterlaceConfigVersion.cmake
  COMPATIBILITY SameMinorVersion)
install(FILES
  ${PROJECT_BINARY_DIR}/InterlaceConfig.cmake
  ${PROJECT_BINARY_DIR}/InterlaceConfigVersion.cmake
  ${PROJECT_SOURCE_DIR}/cmake/InterlaceInstrument.cmake
  DESTINATION ${INTERLACE_CMAKE_DIR})
