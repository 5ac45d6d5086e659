// SPDX-License-Identifier: MIT
// Compile cost (issue 11, item 5): the CPU time g++ spends on a translation unit that uses the
// library, as a ratio to one that includes five standard headers (bench/compile/std_headers.cpp),
// compiled in the same run:
//
//     compile_cost CXX SOURCE_ROOT
//
// Each compile runs `CXX -std=c++20 -O2 -c FILE -o /dev/null` with the library's three include
// roots under SOURCE_ROOT (Boost from the system). Its CPU time is the user + system time of the
// compiler's whole process tree (the driver, cc1plus, as), from wait4's rusage; wall time is
// printed too, but the targets are on CPU time, which a busy machine disturbs less. Row (b) is
// measured in both modes: header-only, and separately compiled (-DPTRACE_API_SEPARATE_COMPILATION,
// README "Separate compilation"). The separate mode's own source, src/ptrace_api.cpp, is
// compiled once per program, not per translation unit: it is not in that row's ratio, and its
// CPU time is printed once, on a line of its own.
#include <cerrno>
#include <cstring>
#include <string>
#include <vector>

#include <sys/resource.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common.hpp"

namespace {

struct Compiler {
    std::string cxx;
    std::string root; // the source tree: include roots and bench/compile/ are under it
};

double to_ns(const timeval& t) {
    return static_cast<double>(t.tv_sec) * 1e9 + static_cast<double>(t.tv_usec) * 1e3;
}

/// The macro of the separately compiled mode, for the rows and the source that take it.
const std::vector<std::string> separate = {"-DPTRACE_API_SEPARATE_COMPILATION"};

/// Compiles `file` (relative to the source root) once, with `extra` arguments; work is 1
/// compile.
bench::Sample compile(const Compiler& c, const std::string& file,
                      const std::vector<std::string>& extra = {}) {
    std::vector<std::string> args = {c.cxx,
                                     "-std=c++20",
                                     "-O2",
                                     "-c",
                                     "-I" + c.root + "/include",
                                     "-I" + c.root + "/kernel-shim/include",
                                     "-I" + c.root + "/handles/include"};
    args.insert(args.end(), extra.begin(), extra.end());
    args.insert(args.end(), {c.root + "/" + file, "-o", "/dev/null"});
    std::vector<char*> argv;
    for (std::string& a : args) {
        argv.push_back(a.data());
    }
    argv.push_back(nullptr);

    const double w0 = bench::wall_now_ns();
    const pid_t pid = fork();
    if (pid < 0) {
        bench::die(std::string("fork: ") + std::strerror(errno));
    }
    if (pid == 0) {
        execvp(argv[0], argv.data());
        std::fprintf(stderr, "bench: %s: %s\n", argv[0], std::strerror(errno));
        _exit(127);
    }
    int status = 0;
    rusage usage{};
    // wait4 reports the child and every descendant it reaped: cc1plus and as included.
    while (wait4(pid, &status, 0, &usage) < 0) {
        if (errno != EINTR) {
            bench::die(std::string("wait4: ") + std::strerror(errno));
        }
    }
    bench::Sample s;
    s.wall_ns = bench::wall_now_ns() - w0;
    s.cpu_ns = to_ns(usage.ru_utime) + to_ns(usage.ru_stime);
    s.work = 1;
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        bench::die("compiling " + file + " failed");
    }
    return s;
}

/// One table row like bench::compare_row's, with two differences that suit compiles: the
/// target is judged on the CPU-time ratio, and the baseline / library column shows the median
/// CPU seconds of one compile. A target of 0 marks a reference row, judged on nothing.
void compile_row(const std::string& row, int reps, const Compiler& c, const std::string& file,
                 double target, const std::vector<std::string>& extra = {}) {
    const std::string baseline = "bench/compile/std_headers.cpp";
    std::vector<double> wall_ratio, cpu_ratio, a_cpu, b_cpu;
    for (int i = 0; i < reps; ++i) {
        bench::Sample sa, sb;
        if (i % 2 == 0) {
            sa = compile(c, baseline);
            sb = compile(c, file, extra);
        } else {
            sb = compile(c, file, extra);
            sa = compile(c, baseline);
        }
        wall_ratio.push_back(sb.wall_ns / sa.wall_ns);
        cpu_ratio.push_back(sb.cpu_ns / sa.cpu_ns);
        a_cpu.push_back(sa.cpu_ns / 1e9);
        b_cpu.push_back(sb.cpu_ns / 1e9);
    }
    const bench::Spread w = bench::spread(wall_ratio);
    const bench::Spread r = bench::spread(cpu_ratio);
    const bench::Spread a = bench::spread(a_cpu);
    const bench::Spread b = bench::spread(b_cpu);
    std::printf("%s\t%.2f [%.2f, %.2f]\t%.2f [%.2f, %.2f]\t%.2f / %.2f CPU s/compile\t",
                row.c_str(), w.median, w.min, w.max, r.median, r.min, r.max, a.median, b.median);
    if (target > 0) {
        std::printf("<= %.2f (CPU): %s\n", target, r.median <= target ? "met" : "MISSED");
    } else {
        std::printf("- (reference)\n");
    }
    std::fflush(stdout);
}

} // namespace

int main(int argc, char** argv) {
    if (argc != 3) {
        std::fprintf(stderr, "usage: compile_cost CXX SOURCE_ROOT\n");
        return 2;
    }
    const Compiler c{argv[1], argv[2]};
    const int reps = bench::repetitions(5);
    compile_row("compile (a): empty main, #include <ptrace/ptrace.hpp>", reps, c,
                "bench/compile/value_umbrella.cpp", 1.5);
    compile_row("compile (b): spawn + Tracer program, header-only", reps, c,
                "bench/compile/spawn_tracer.cpp", 3.0);
    compile_row("compile (b): spawn + Tracer program, separately compiled", reps, c,
                "bench/compile/spawn_tracer.cpp", 1.5, separate);
    // Reference, no target: the library's two headers of row (b) alone, in the separate mode.
    compile_row("reference: row (b)'s library headers alone, separate mode, empty main", reps, c,
                "bench/compile/spawn_tracer_headers.cpp", 0.0, separate);
    // Reference, no target: row (b)'s program with only its own standard headers.
    compile_row("reference: row (b)'s own standard headers, empty main", reps, c,
                "bench/compile/spawn_tracer_floor.cpp", 0.0);
    // Reference, no target: row (b)'s program's own code, with plain values for the library's
    // answers. Its ratio is what row (b) costs before the library adds anything.
    compile_row("reference: row (b)'s own code, no library", reps, c,
                "bench/compile/spawn_tracer_own.cpp", 0.0);
    // Reference, no target: row (b)'s program against declarations alone, the least any header
    // could give it with the same API (the floor of the separate mode).
    compile_row("reference: row (b)'s program, library declarations only", reps, c,
                "bench/compile/spawn_tracer_declarations.cpp", 0.0);
    // Reference, no target: row (b)'s header-only program through the front end alone (parsing,
    // name lookup, template instantiation; no optimisation, no code). What no change to code
    // generation can take away from the header-only row: the shim's source itself.
    compile_row("reference: row (b) header-only, front end only (-fsyntax-only)", reps, c,
                "bench/compile/spawn_tracer.cpp", 0.0, {"-fsyntax-only"});
    // The separate mode's source, paid once per program (median of reps compiles).
    std::vector<double> source_cpu;
    for (int i = 0; i < reps; ++i) {
        source_cpu.push_back(compile(c, "src/ptrace_api.cpp", separate).cpu_ns / 1e9);
    }
    std::printf("note: src/ptrace_api.cpp, once per program (not in the ratio above)\t-\t-\t"
                "%.2f CPU s/compile\t-\n",
                bench::spread(source_cpu).median);
    return 0;
}
