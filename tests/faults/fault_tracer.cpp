// SPDX-License-Identifier: MIT
// The tracer whose death is the fault (I2): `fault_tracer PLACE-INDEX MODE-INDEX` starts the
// tracee (fault_tracee: stdin is this program's fd 0, and fd 3 is the write end it opens the
// gate with), drives it to the place through the shim exactly as the campaign does, prints
// "ready <tracee pid> <clone child pid or 0>" on stdout, and waits to be killed (SIGKILL).
// A place with a waiting write keeps that write waiting; the handler probe place keeps its
// storm going. Anything unexpected on the way is printed as "bad <reason>" (exit 1).

#include <cstdio>
#include <cstdlib>
#include <string>

#include <fcntl.h>
#include <unistd.h>

#include "campaign.hpp"

int main(int argc, char** argv) {
    using namespace faults;
    if (argc != 3) {
        std::fputs("usage: fault_tracer PLACE-INDEX MODE-INDEX\n", stderr);
        return 2;
    }
    const auto place_index = std::strtoul(argv[1], nullptr, 10);
    const auto mode_index = std::strtoul(argv[2], nullptr, 10);
    if (place_index >= all_places.size() || mode_index >= all_modes.size()) {
        return 2;
    }
    (void)::fcntl(3, F_SETFD, FD_CLOEXEC); // the tracee must not hold its own gate
    const Place place = all_places[place_index];
    const Mode mode = all_modes[mode_index];
    Reached r;
    std::string why = reach(place, mode, STDIN_FILENO, 3, r);
    (void)::close(3);
    Driver driver(place, mode, r);
    if (why.empty()) {
        why = driver.start();
    }
    if (why.empty()) {
        why = settle(place, r);
    }
    if (!why.empty()) {
        std::printf("bad %s\n", why.c_str());
        (void)std::fflush(stdout);
        if (r.pid > 0) {
            (void)::kill(r.pid, SIGKILL);
        }
        return 1;
    }
    std::printf("ready %d %d\n", static_cast<int>(r.pid), static_cast<int>(r.child));
    (void)std::fflush(stdout);
    for (;;) {
        ::pause(); // the campaign kills this process here
    }
}
