// SPDX-License-Identifier: MIT
// Who may attach (decision 25): the Redox rule (A3, decision 16) by default, or Linux's checks
// alone (AttachAccess::LinuxChecks, shim::linux_checks_only); an EPERM or EBUSY names its
// cause in last_error_message(). The attacher runs as uid 65534 (shim_probe "attach"), the
// targets as root or as 65534 through setpriv(1).

#include <ptrace/tracer.hpp>

#include <cstdlib>
#include <string>

#include "api_support.hpp"
#include "support.hpp"

using namespace support;

namespace {

/// Starts injectee `mode` as uid/gid 65534 (setpriv), once it printed "ready".
pid_t nobody_target(Scenario& sc, const char* mode) {
    int out = -1;
    const pid_t pid =
        sc.spawn({"--reuid=65534", "--regid=65534", "--clear-groups", injectee_path(), mode}, &out,
                 nullptr, "/usr/bin/setpriv");
    std::string line;
    char c = 0;
    while (::read(out, &c, 1) == 1 && c != '\n') {
        line.push_back(c);
    }
    (void)::close(out);
    REQUIRE(line == "ready");
    return pid;
}

/// What shim_probe "attach PID RULE" printed (as uid 65534).
std::string attach_as_nobody(Scenario& sc, pid_t target, const char* rule) {
    int out = -1;
    const pid_t probe =
        sc.spawn({"attach", std::to_string(target), rule}, &out, nullptr, probe_path());
    std::string text = read_all(out);
    CHECK(sc.wait_exit(probe) == 0);
    while (!text.empty() && text.back() == '\n') {
        text.pop_back();
    }
    return text;
}

} // namespace

TEST_SUITE("integration") {

    TEST_CASE("Decision 25: the Redox rule refuses a same-uid process that is not a descendant; "
              "Linux's checks alone allow it where ptrace_scope does") {
        if (::access("/usr/bin/setpriv", X_OK) != 0 || ::geteuid() != 0) {
            MESSAGE("skipped: needs root and /usr/bin/setpriv to run both sides as uid 65534");
            return;
        }
        Scenario sc;
        const int scope = api_support::yama_scope();
        const pid_t target = nobody_target(sc, scope == 1 ? "ptracer_any" : "sleep");
        const std::string redox = attach_as_nobody(sc, target, "redox");
        CHECK(redox.rfind("err " + std::to_string(EPERM) + " ", 0) == 0);
        CHECK(redox.find("Redox rule") != std::string::npos);
        CHECK(redox.find("not a descendant") != std::string::npos);
        if (scope >= 2) {
            MESSAGE("skipped: kernel.yama.ptrace_scope is ", scope,
                    ": Linux lets no unprivileged process attach to a non-descendant");
            return;
        }
        // Yama absent, scope 0, or scope 1 with the target's PR_SET_PTRACER_ANY.
        CHECK(attach_as_nobody(sc, target, "linux") == "ok");
        CHECK(tracer_pid(target) == 0); // the probe detached at its end
    }

    TEST_CASE("Decision 25: Yama's ptrace_scope 1 refuses a non-descendant without "
              "PR_SET_PTRACER, and says so") {
        const int scope = api_support::yama_scope();
        if (scope != 1 || ::geteuid() != 0) {
            MESSAGE("skipped: kernel.yama.ptrace_scope is ",
                    scope < 0 ? std::string("absent (no Yama)") : std::to_string(scope),
                    ", not 1 (or not root): the Yama refusal cannot be shown here");
            return;
        }
        Scenario sc;
        const pid_t target = nobody_target(sc, "sleep");
        const std::string linux_only = attach_as_nobody(sc, target, "linux");
        CHECK(linux_only.rfind("err " + std::to_string(EPERM) + " ", 0) == 0);
        CHECK(linux_only.find("ptrace_scope is 1") != std::string::npos);
    }

    TEST_CASE("Decision 25: a different uid is EPERM naming it, under either rule") {
        if (::geteuid() != 0) {
            MESSAGE("skipped: needs root to run the attacher as uid 65534");
            return;
        }
        Scenario sc;
        const pid_t target = sc.spawn({"sleep"}); // root's
        const std::string redox = attach_as_nobody(sc, target, "redox");
        CHECK(redox.rfind("err " + std::to_string(EPERM) + " ", 0) == 0);
        CHECK(redox.find("Redox rule") != std::string::npos);
        CHECK(redox.find("different uid") != std::string::npos);
        const std::string linux_only = attach_as_nobody(sc, target, "linux");
        CHECK(linux_only.rfind("err " + std::to_string(EPERM) + " ", 0) == 0);
        CHECK(linux_only.find("Linux refuses") != std::string::npos);
        CHECK(linux_only.find("different uid") != std::string::npos);
        CHECK(linux_only.find("CAP_SYS_PTRACE") != std::string::npos);
    }

    TEST_CASE("Decision 25/A4: a process another tracer holds is refused naming that tracer") {
        Scenario sc;
        int out = -1;
        const pid_t parent = sc.spawn({"trace_child"}, &out);
        char buf[32] = {};
        ssize_t n = 0;
        REQUIRE(eventually([&] {
            n = ::read(out, buf, sizeof buf - 1);
            return n > 0;
        }));
        (void)::close(out);
        const pid_t grandchild = static_cast<pid_t>(std::atoi(buf));
        REQUIRE(grandchild > 0);
        REQUIRE(tracer_pid(grandchild) == parent);
        for (const int flags : {0, shim::linux_checks_only}) {
            CAPTURE(flags);
            auto tracer = ptrace_api::Tracer::attach(
                grandchild, {ptrace_api::AttachStop::Running, ptrace_api::OnClose::Detach,
                             flags != 0 ? ptrace_api::AttachAccess::LinuxChecks
                                        : ptrace_api::AttachAccess::Redox});
            REQUIRE_FALSE(tracer.has_value());
            CHECK(tracer.error() == std::errc::device_or_resource_busy); // A4
            const std::string why = ptrace_api::last_error_message();
            CHECK(why.find("already traced by pid " + std::to_string(parent)) != std::string::npos);
        }
        (void)::kill(grandchild, SIGKILL);
    }
}
