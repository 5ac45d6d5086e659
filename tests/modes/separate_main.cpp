// SPDX-License-Identifier: MIT
// The separately compiled half of the mixed program (tests/meson.build, "mixed modes"), linked
// with the ptrace_api library and header_only_unit.cpp: an ODR violation that the library
// must stop before main runs. Reaching main is the failure.
#include <ptrace/tracer.hpp>

#include <cstdio>
#include <string>

std::string attach_zero_header_only();

int main() {
    std::printf("main ran in a program that mixes the modes: %s / %s\n",
                attach_zero_header_only().c_str(),
                ptrace_api::Tracer::attach(0).error().message().c_str());
    return 0;
}
