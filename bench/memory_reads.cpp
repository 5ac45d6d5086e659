// SPDX-License-Identifier: MIT
// Throughput of tracee memory reads through a mem handle (lseek + read) against
// process_vm_readv(2), at 8 B, 4 KiB and 1 MiB.
#include <ptrace/shim/api.hpp>

#include <csignal>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include <fcntl.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common.hpp"

namespace {

namespace shim = ptrace_api::shim;

constexpr std::size_t region_size = std::size_t{1} << 20;

} // namespace

int main() {
    const int reps = bench::repetitions(7);
    // The tracee: a 1 MiB region of known bytes, then it stops itself and waits to be killed.
    static std::vector<unsigned char> region(region_size, 0x5a);
    const auto address = reinterpret_cast<std::uintptr_t>(region.data());
    const pid_t pid = fork();
    if (pid == 0) {
        for (;;) {
            (void)raise(SIGSTOP);
        }
    }
    int status = 0;
    if (pid < 0 || waitpid(pid, &status, WUNTRACED) != pid) {
        bench::die("child did not stop");
    }
    const auto mem = shim::open("proc:" + std::to_string(pid) + "/mem", O_RDWR);
    if (!mem) {
        bench::die("open mem: " + mem.error().message());
    }
    std::vector<unsigned char> out(region_size);

    struct Size {
        std::size_t bytes;
        int count;
        double target;
    };
    for (const Size size :
         {Size{8, 20000, bench::no_target}, Size{4096, 5000, 0.9}, Size{region_size, 100, 0.9}}) {
        auto baseline = [&] {
            return bench::measure([&] {
                for (int i = 0; i < size.count; ++i) {
                    iovec local{out.data(), size.bytes};
                    iovec remote{reinterpret_cast<void*>(address), size.bytes};
                    if (process_vm_readv(pid, &local, 1, &remote, 1, 0) !=
                        static_cast<ssize_t>(size.bytes)) {
                        bench::die("process_vm_readv failed");
                    }
                }
                return static_cast<double>(size.bytes) * size.count / 1024.0;
            });
        };
        auto handle = [&] {
            return bench::measure([&] {
                for (int i = 0; i < size.count; ++i) {
                    if (!shim::lseek(*mem, static_cast<std::int64_t>(address), SEEK_SET)) {
                        bench::die("lseek failed");
                    }
                    const auto n =
                        shim::read(*mem, std::as_writable_bytes(std::span(out.data(), size.bytes)));
                    if (!n || *n != size.bytes) {
                        bench::die("mem read failed");
                    }
                }
                return static_cast<double>(size.bytes) * size.count / 1024.0;
            });
        };
        const std::string label = size.bytes == 8 ? "8 B" : size.bytes == 4096 ? "4 KiB" : "1 MiB";
        bench::compare_row("memory reads, " + label + " (throughput vs process_vm_readv)", reps,
                           baseline, handle, "us/KiB", size.target, false);
    }
    (void)shim::close(*mem);
    (void)kill(pid, SIGKILL);
    (void)waitpid(pid, &status, 0);
    return 0;
}
