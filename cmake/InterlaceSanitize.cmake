# INTERLACE_SANITIZE=address,undefined builds everything after this point (runtime, explore,
# tests, examples) with those sanitizers, so interlace's own tests run as a user's sanitized
# test would. `make test-asan` uses it.
if(NOT INTERLACE_SANITIZE)
  return()
endif()
if(INTERLACE_SANITIZE MATCHES "thread")
  message(FATAL_ERROR "INTERLACE_SANITIZE: interlace cannot run under ThreadSanitizer "
                      "(see docs/configuration.md, Sanitizers); use address and/or undefined.")
endif()
# Any report fails the test: UBSan would otherwise print and carry on.
add_compile_options(-fsanitize=${INTERLACE_SANITIZE} -fno-sanitize-recover=all
                    -fno-omit-frame-pointer)
add_link_options(-fsanitize=${INTERLACE_SANITIZE})
