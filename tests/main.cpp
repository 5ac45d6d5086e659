// SPDX-License-Identifier: MIT
// main() of the doctest programs that have no runner of their own: doctest's, as
// DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN would define it (the implementation: doctest_impl.cpp).
#include <doctest/doctest.h>

int main(int argc, char** argv) {
    return doctest::Context(argc, argv).run();
}
