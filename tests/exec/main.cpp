// SPDX-License-Identifier: MIT
// The exec matrix's main: a runner that gives every test case a process of its own.
//
// An exec that the library mishandles can leave a tracee held in a stop that nobody serves;
// reaping it then blocks forever, and no watchdog inside the process can end that (the
// process is the tracer). So the runner lists the test cases (doctest's filters apply, in
// name order), runs each one as a child process in a process group of its own, and:
//   - ends a case that runs longer than case_limit (SIGKILL to its group) and fails it;
//   - counts exit 0 as passed, 77 as skipped (exec_test::skip_case), anything else as failed;
//   - fails a case that left a process behind (anything still in its group once it ended, or
//     an orphan of it that the runner, a child subreaper, had to reap), and kills that;
//   - prints one doctest summary line for all cases, which tests/summarize.py counts.
// Cases find their scratch directory in PTRACE_API_EXEC_SCRATCH; the runner removes it.
// With PTRACE_API_EXEC_CASE set the program is such a case process: plain doctest. doctest's
// implementation is tests/doctest_impl.cpp.

#include <doctest/doctest.h>

#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include <signal.h>
#include <spawn.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "exec_support.hpp"

namespace {

using namespace std::chrono_literals;

/// The longest a case process may run (each case bounds itself well below: CaseWatchdog).
constexpr auto case_limit = 30s;

/// Lists the names of the selected test cases, one a line (doctest's own listing has a frame).
class NameLister : public doctest::IReporter {
public:
    explicit NameLister(const doctest::ContextOptions& options) : out_(*options.cout) {}
    void report_query(const doctest::QueryData& query) override {
        for (unsigned i = 0; i < query.num_data; ++i) {
            out_ << query.data[i]->m_name << '\n';
        }
    }
    void test_run_start() override {}
    void test_run_end(const doctest::TestRunStats&) override {}
    void test_case_start(const doctest::TestCaseData&) override {}
    void test_case_reenter(const doctest::TestCaseData&) override {}
    void test_case_end(const doctest::CurrentTestCaseStats&) override {}
    void test_case_exception(const doctest::TestCaseException&) override {}
    void subcase_start(const doctest::SubcaseSignature&) override {}
    void subcase_end() override {}
    void log_assert(const doctest::AssertData&) override {}
    void log_message(const doctest::MessageData&) override {}
    void test_case_skipped(const doctest::TestCaseData&) override {}

private:
    std::ostream& out_;
};

} // namespace

REGISTER_REPORTER("exec-matrix-names", 0, NameLister);

namespace {

/// One case process: doctest with the filters the runner gave. Its summary line leaves out the
/// "skipped" count (the cases filtered out), so that only the runner's line is counted.
int run_case(int argc, char** argv) {
    (void)std::signal(SIGPIPE, SIG_IGN); // a write to a dead tracee's pipe must not kill us
    doctest::Context context;
    context.applyCommandLine(argc, argv);
    context.setOption("no-skipped-summary", true);
    const int result = context.run();
    if (result == 0 && exec_test::skip_reason()) {
        std::cout << "[exec matrix] skipped: " << *exec_test::skip_reason() << std::endl;
        return 77;
    }
    return result;
}

/// The names of the test cases that doctest's filters in argv select, in name order.
std::vector<std::string> selected_cases(int argc, char** argv) {
    // Flags such as --list-test-cases cannot be given through Context::setOption (it passes
    // "name=value"); the last occurrence of an option wins, so they go at the end.
    std::vector<const char*> args(argv, argv + argc);
    args.push_back("--list-test-cases");
    args.push_back("--reporters=exec-matrix-names");
    args.push_back("--order-by=name");
    std::ostringstream listing;
    doctest::Context lister;
    lister.applyCommandLine(static_cast<int>(args.size()), args.data());
    lister.setCout(&listing);
    (void)lister.run();
    std::vector<std::string> names;
    std::istringstream in(listing.str());
    for (std::string line; std::getline(in, line);) {
        if (!line.empty()) {
            names.push_back(line);
        }
    }
    return names;
}

/// A doctest filter that matches exactly `name` (commas and backslashes escaped).
std::string exact_filter(const std::string& name) {
    std::string out;
    for (const char c : name) {
        if (c == ',' || c == '\\') {
            out.push_back('\\');
        }
        out.push_back(c);
    }
    return out;
}

/// "pid state comm" of every process whose process group is `pgid`.
std::vector<std::string> group_members(pid_t pgid) {
    std::vector<std::string> out;
    std::error_code ec;
    for (const auto& entry : std::filesystem::directory_iterator("/proc", ec)) {
        const std::string name = entry.path().filename();
        if (name.empty() || name.find_first_not_of("0123456789") != std::string::npos) {
            continue;
        }
        const std::string stat = api_support::proc_file(std::atoi(name.c_str()), "stat");
        const auto close = stat.rfind(')');
        if (close == std::string::npos) {
            continue;
        }
        std::istringstream rest(stat.substr(close + 1));
        char state = '?';
        long ppid = 0;
        long pgrp = 0;
        rest >> state >> ppid >> pgrp;
        if (pgrp == pgid) {
            const auto open = stat.find('(');
            out.push_back(name + " " + state + " " + stat.substr(open, close - open + 1));
        }
    }
    return out;
}

/// Reaps every child of the runner that has ended (orphans of a case, which the runner
/// adopted as a subreaper); \returns "pid (status)" of each, except `except`'s.
std::vector<std::string> reap_ended(pid_t except) {
    std::vector<std::string> out;
    for (;;) {
        int status = 0;
        const pid_t pid = ::waitpid(-1, &status, WNOHANG | __WALL);
        if (pid <= 0) {
            return out;
        }
        if (pid != except) {
            out.push_back(std::to_string(pid) + " (wait status " + std::to_string(status) + ")");
        }
    }
}

struct Outcome {
    enum Kind : std::uint8_t { Passed, Failed, Skipped } kind = Failed;
    std::string why;
};

Outcome run_one(const std::string& self, const std::string& name) {
    std::vector<std::string> args = {self, "--test-case=" + exact_filter(name), "--no-intro"};
    std::vector<char*> argv;
    for (std::string& a : args) {
        argv.push_back(a.data());
    }
    argv.push_back(nullptr);
    posix_spawnattr_t attr;
    (void)::posix_spawnattr_init(&attr);
    (void)::posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP);
    (void)::posix_spawnattr_setpgroup(&attr, 0);
    pid_t pid = -1;
    const int r = ::posix_spawn(&pid, self.c_str(), nullptr, &attr, argv.data(), environ);
    (void)::posix_spawnattr_destroy(&attr);
    if (r != 0) {
        return {Outcome::Failed, std::string("cannot start the case: ") + std::strerror(r)};
    }
    Outcome out;
    int status = 0;
    bool timed_out = true;
    const auto deadline = std::chrono::steady_clock::now() + case_limit;
    while (std::chrono::steady_clock::now() < deadline) {
        const pid_t got = ::waitpid(pid, &status, WNOHANG);
        if (got == pid || (got < 0 && errno != EINTR)) {
            timed_out = false;
            break;
        }
        ::usleep(10000);
    }
    if (timed_out) {
        (void)::kill(-pid, SIGKILL);
        while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
        }
    }
    if (timed_out) {
        out = {Outcome::Failed, "timed out after " + std::to_string(case_limit.count()) + " s"};
    } else if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
        out = {Outcome::Passed, ""};
    } else if (WIFEXITED(status) && WEXITSTATUS(status) == 77) {
        out = {Outcome::Skipped, ""};
    } else if (WIFEXITED(status)) {
        out = {Outcome::Failed, "exit code " + std::to_string(WEXITSTATUS(status))};
    } else {
        out = {Outcome::Failed, "killed by signal " + std::to_string(WTERMSIG(status))};
    }

    // Nothing may outlive the case: its process group must empty itself at once.
    std::vector<std::string> orphans;
    const auto end = std::chrono::steady_clock::now() + 1s;
    while (::kill(-pid, 0) == 0 && std::chrono::steady_clock::now() < end) {
        const auto reaped = reap_ended(pid);
        orphans.insert(orphans.end(), reaped.begin(), reaped.end());
        ::usleep(10000);
    }
    std::vector<std::string> left = group_members(pid);
    if (!left.empty()) {
        (void)::kill(-pid, SIGKILL);
        const auto stop = std::chrono::steady_clock::now() + 3s;
        while (::kill(-pid, 0) == 0 && std::chrono::steady_clock::now() < stop) {
            (void)reap_ended(pid);
            ::usleep(10000);
        }
    }
    const auto reaped = reap_ended(pid);
    orphans.insert(orphans.end(), reaped.begin(), reaped.end());
    std::string behind;
    for (const std::string& s : left) {
        behind += "\n    still there: " + s;
    }
    for (const std::string& s : orphans) {
        behind += "\n    orphan reaped by the runner: " + s;
    }
    if (!behind.empty()) {
        const std::string why = "left processes behind:" + behind;
        out.why = out.kind == Outcome::Failed ? out.why + "; " + why : why;
        out.kind = Outcome::Failed;
    }
    return out;
}

int run_all(int argc, char** argv) {
    const std::vector<std::string> names = selected_cases(argc, argv);
    std::error_code ec;
    const std::string self = std::filesystem::read_symlink("/proc/self/exe", ec).string();
    if (ec) {
        std::cerr << "exec matrix: cannot find its own program: " << ec.message() << '\n';
        return 1;
    }
    // Orphans of a case come to the runner, which reaps them and reports them.
    (void)::prctl(PR_SET_CHILD_SUBREAPER, 1);
    char scratch[] = "/tmp/ptrace-api-exec-XXXXXX";
    if (::mkdtemp(scratch) == nullptr || ::chmod(scratch, 0755) != 0) {
        std::cerr << "exec matrix: cannot make a scratch directory: " << std::strerror(errno)
                  << '\n';
        return 1;
    }
    (void)::setenv("PTRACE_API_EXEC_SCRATCH", scratch, 1);
    (void)::setenv("PTRACE_API_EXEC_CASE", "1", 1);

    unsigned passed = 0;
    unsigned failed = 0;
    unsigned skipped = 0;
    std::vector<std::string> failures;
    for (const std::string& name : names) {
        std::cout << "[exec matrix] ==> " << name << std::endl;
        const auto start = std::chrono::steady_clock::now();
        const Outcome o = run_one(self, name);
        const std::chrono::duration<double> took = std::chrono::steady_clock::now() - start;
        std::ostringstream line;
        line.precision(2);
        line << std::fixed << "[exec matrix] <== " << name << ": ";
        switch (o.kind) {
        case Outcome::Passed:
            ++passed;
            line << "passed";
            break;
        case Outcome::Skipped:
            ++skipped;
            line << "skipped";
            break;
        case Outcome::Failed:
            ++failed;
            line << "FAILED (" << o.why << ")";
            failures.push_back(name + ": " + o.why);
            break;
        }
        line << " in " << took.count() << " s";
        std::cout << line.str() << std::endl;
    }
    std::filesystem::remove_all(scratch, ec);

    std::cout
        << "===============================================================================\n";
    for (const std::string& f : failures) {
        std::cout << "[exec matrix] FAILED: " << f << '\n';
    }
    std::cout << "[doctest] test cases: " << names.size() << " | " << passed << " passed | "
              << failed << " failed | " << skipped << " skipped\n"
              << "[doctest] Status: " << (failed == 0 ? "SUCCESS!" : "FAILURE!") << std::endl;
    return failed == 0 ? 0 : 1;
}

} // namespace

int main(int argc, char** argv) {
    if (std::getenv("PTRACE_API_EXEC_CASE") != nullptr) {
        return run_case(argc, argv);
    }
    return run_all(argc, argv);
}
