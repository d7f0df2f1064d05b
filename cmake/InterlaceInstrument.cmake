# interlace_instrument(<target> [IGNORELIST <file>])
#
# Compiles <target>'s sources with the interlace pass (-g -fpass-plugin=libInterlacePass.so)
# and links the runtime (Interlace::runtime); an executable also links the whole-program runner
# (Interlace::program, for `interlace run`). IGNORELIST names functions (fun:) and source
# files (src:) to leave uninstrumented, in LLVM's SpecialCaseList format. Works in interlace's own tree, from a project
# that did add_subdirectory(interlace EXCLUDE_FROM_ALL), and after find_package(Interlace).
# The pass is an LLVM 19 plugin, so the target's compiler must be clang 19.

# Fails with a message that names the fix unless the compilers of LANGUAGES are clang 19.
function(interlace_check_compiler what)
  cmake_parse_arguments(PARSE_ARGV 1 arg "" "" "LANGUAGES")
  if(NOT arg_LANGUAGES)
    set(arg_LANGUAGES CXX)
  endif()
  foreach(lang IN LISTS arg_LANGUAGES)
    if(NOT CMAKE_${lang}_COMPILER_ID STREQUAL "Clang" OR
       NOT CMAKE_${lang}_COMPILER_VERSION VERSION_GREATER_EQUAL 19 OR
       CMAKE_${lang}_COMPILER_VERSION VERSION_GREATER_EQUAL 20)
      message(FATAL_ERROR
        "interlace: ${what} must be compiled with clang 19 (the interlace pass is an LLVM 19 "
        "plugin), but the ${lang} compiler is '${CMAKE_${lang}_COMPILER_ID} "
        "${CMAKE_${lang}_COMPILER_VERSION}' (${CMAKE_${lang}_COMPILER}).\n"
        "Configure a fresh build directory with "
        "-DCMAKE_CXX_COMPILER=clang++-19 -DCMAKE_C_COMPILER=clang-19 "
        "(Debian: apt-get install clang-19).")
    endif()
  endforeach()
endfunction()

# The languages a target compiles: C for .c sources, C++ for the rest.
function(interlace_target_languages target out)
  get_target_property(sources ${target} SOURCES)
  set(languages "")
  foreach(source IN LISTS sources)
    if(source MATCHES "\\.c$")
      list(APPEND languages C)
    elseif(source MATCHES "\\.(cc|cpp|cxx|c\\+\\+|C)$")
      list(APPEND languages CXX)
    endif()
  endforeach()
  if(NOT languages)
    set(languages CXX)
  endif()
  list(REMOVE_DUPLICATES languages)
  set(${out} ${languages} PARENT_SCOPE)
endfunction()

function(interlace_instrument target)
  cmake_parse_arguments(PARSE_ARGV 1 arg "" "IGNORELIST" "")
  if(arg_UNPARSED_ARGUMENTS)
    message(FATAL_ERROR "interlace_instrument: unknown arguments ${arg_UNPARSED_ARGUMENTS}")
  endif()
  if(NOT TARGET ${target})
    message(FATAL_ERROR "interlace_instrument: ${target} is not a target")
  endif()
  if(NOT TARGET Interlace::pass OR NOT TARGET Interlace::runtime)
    message(FATAL_ERROR "interlace_instrument: Interlace::pass and Interlace::runtime are not "
                        "defined; call find_package(Interlace) or add_subdirectory(interlace) first")
  endif()
  interlace_target_languages(${target} languages)
  interlace_check_compiler("target ${target}" LANGUAGES ${languages})

  set(plugin "$<TARGET_FILE:Interlace::pass>")
  # -fplugin as well as -fpass-plugin: clang then knows the pass's -mllvm -interlace-* options
  # before it parses them.
  target_compile_options(${target} PRIVATE -g "-fplugin=${plugin}" "-fpass-plugin=${plugin}")
  if(arg_IGNORELIST)
    get_filename_component(ignorelist "${arg_IGNORELIST}" ABSOLUTE)
    if(NOT EXISTS "${ignorelist}")
      message(FATAL_ERROR "interlace_instrument(${target}): IGNORELIST ${ignorelist} does not exist")
    endif()
    target_compile_options(${target} PRIVATE "SHELL:-mllvm -interlace-ignorelist=${ignorelist}")
  endif()
  target_link_libraries(${target} PRIVATE Interlace::runtime)
  # An executable also gets the runner, so that `interlace run -- ./program` can run it
  # (docs/programs.md); it takes over at main only when interlace run starts the program.
  get_target_property(type ${target} TYPE)
  if(type STREQUAL "EXECUTABLE" AND TARGET Interlace::program)
    target_link_libraries(${target} PRIVATE Interlace::program)
  endif()

  get_target_property(pass_target Interlace::pass ALIASED_TARGET)
  if(pass_target)
    # Built in this tree: build the plugin first, and rebuild the instrumented objects
    # whenever it changes.
    add_dependencies(${target} ${pass_target})
    get_target_property(sources ${target} SOURCES)
    get_target_property(source_dir ${target} SOURCE_DIR)
    get_property(plugin_file GLOBAL PROPERTY INTERLACE_PASS_FILE)
    if(sources AND plugin_file)
      set_property(SOURCE ${sources} DIRECTORY ${source_dir} APPEND PROPERTY OBJECT_DEPENDS
                   ${plugin_file})
    endif()
  endif()
endfunction()
