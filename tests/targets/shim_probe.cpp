// SPDX-License-Identifier: MIT
// A second tracer process built on the shim, for tests that need the tracer to be another
// process: "trace PID FLAGS" opens a trace handle and exits without closing it (I2);
// "nobody PID" drops to uid/gid 65534 and reports what opening PID's handles gives (A3).

#include <ptrace/shim/proc.hpp>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include <fcntl.h>
#include <unistd.h>

int main(int argc, char** argv) {
    namespace shim = ptrace_api::shim;
    if (argc < 3) {
        std::fputs("usage: shim_probe trace PID excl|trunc|both | nobody PID\n", stderr);
        return 2;
    }
    const std::string path = std::string("proc:") + argv[2] + "/trace";
    if (std::strcmp(argv[1], "trace") == 0 && argc > 3) {
        int flags = 0;
        if (std::strcmp(argv[3], "trunc") == 0 || std::strcmp(argv[3], "both") == 0) {
            flags |= O_TRUNC;
        }
        if (std::strcmp(argv[3], "excl") == 0 || std::strcmp(argv[3], "both") == 0) {
            flags |= O_EXCL;
        }
        const auto fd = shim::open(path, flags);
        if (!fd) {
            std::printf("error %d\n", fd.error().value());
            return 1;
        }
        std::printf("open\n");
        (void)std::fflush(stdout);
        // Exit with the handle open: Linux detaches (or, with O_EXCL, kills) the tracee.
        ::_exit(0);
    }
    if (std::strcmp(argv[1], "nobody") == 0) {
        if (::setresgid(65534, 65534, 65534) != 0 || ::setresuid(65534, 65534, 65534) != 0) {
            return 3;
        }
        for (const char* kind : {"trace", "regs/int", "mem"}) {
            const auto fd = shim::open(std::string("proc:") + argv[2] + "/" + kind, 0);
            std::printf("%s %d\n", kind, fd ? 0 : fd.error().value());
        }
        (void)std::fflush(stdout);
        return 0;
    }
    return 2;
}
