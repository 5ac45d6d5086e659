// SPDX-License-Identifier: MIT
// placeholder
#include "support.hpp"
