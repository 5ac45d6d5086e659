// SPDX-License-Identifier: MIT
// A statically linked program (tests/targets/meson.build): no dynamic section, so no DT_DEBUG
// and no r_debug. The debugger kit's tests trace it from its first instruction.
int main() {
    return 0;
}
