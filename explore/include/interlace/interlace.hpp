// interlace: reproducible races for C and C++. Include this one header.
//
//   #include <gtest/gtest.h>
//   #include <interlace/interlace.hpp>
//
// See docs/ for the guide and README.md for the quick start.
#pragma once

#include "interlace/annotations.h"
#include "interlace/errors.hpp"
#include "interlace/explore.hpp"
#include "interlace/gtest.hpp"
#include "interlace/marker_interleavings.hpp"
#include "interlace/trace_markers.hpp"
