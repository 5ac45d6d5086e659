// SPDX-License-Identifier: MIT
// What the forward-declaration checks share: a list of names whose completeness is asked only
// when `complete` is used, after the definitions are included.
#pragma once

namespace fwd_check {

template <class... T>
struct Names {
    static constexpr bool complete = ((sizeof(T) > 0) && ...);
};

} // namespace fwd_check
