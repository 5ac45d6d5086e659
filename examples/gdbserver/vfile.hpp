// SPDX-License-Identifier: MIT
// gdb's host I/O packets (vFile:open, pread, close, fstat, setfs, readlink): gdb reads the
// program and its libraries through them when its sysroot is "target:" (the default), and
// prints "Reading /path from remote target..." as it does. Read-only here: opening for
// writing is refused with EACCES. Plain file I/O on the server's side, no process involved.
#pragma once

#include <algorithm>
#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "rsp.hpp"

namespace gdbserver {

/// The most a `vFile:pread` reply carries, whatever count gdb asks for. gdb asks for a whole
/// packet's worth (PacketSize, 256 KiB here) and keeps what it gets in a read-ahead cache,
/// but it decodes a reply at about 2 us per character: 256 KiB replies made a session that
/// reads the program and its libraries through the server take 3.2 s here against GNU
/// gdbserver's 1.3 s (whose packets are 18 KiB). A shorter reply is a short read, which gdb
/// handles; at 16 KiB the session takes GNU's time.
inline constexpr std::size_t pread_reply_max = 0x4000;

class HostFiles {
public:
    HostFiles() = default;
    HostFiles(const HostFiles&) = delete;
    HostFiles& operator=(const HostFiles&) = delete;
    ~HostFiles() {
        for (const auto& [fd, unused] : open_) {
            (void)::close(fd);
        }
    }

    /// The reply to `packet` (the whole "vFile:..." text), binary parts escaped.
    [[nodiscard]] std::string handle(std::string_view packet) {
        const std::size_t colon = packet.find(':', 6);
        const std::string_view op =
            packet.substr(6, colon == std::string_view::npos ? std::string_view::npos : colon - 6);
        const std::string_view args =
            colon == std::string_view::npos ? std::string_view{} : packet.substr(colon + 1);
        const auto parts = rsp::split(args, ',');
        if (op == "setfs") {
            return "F0"; // one mount namespace: ours
        }
        if (op == "open" && parts.size() == 3) {
            const auto name = rsp::from_hex(parts[0]);
            const auto flags = rsp::parse_hex(parts[1]);
            if (!name || !flags) {
                return error(EINVAL);
            }
            if (*flags != 0) {
                return error(EACCES); // read-only server
            }
            const std::string path(name->begin(), name->end());
            const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
            if (fd < 0) {
                return error(errno);
            }
            open_[fd] = true;
            return "F" + rsp::hex_number(static_cast<std::uint64_t>(fd));
        }
        if (op == "close" && parts.size() == 1) {
            const int fd = known(parts[0]);
            if (fd < 0) {
                return error(EBADF);
            }
            open_.erase(fd);
            return ::close(fd) == 0 ? "F0" : error(errno);
        }
        if (op == "pread" && parts.size() == 3) {
            const int fd = known(parts[0]);
            const auto count = rsp::parse_hex(parts[1]);
            const auto offset = rsp::parse_hex(parts[2]);
            if (fd < 0) {
                return error(EBADF);
            }
            if (!count || !offset || *offset > 0x7fffffffffffffffULL) {
                return error(EINVAL);
            }
            std::string data(std::min<std::uint64_t>(*count, pread_reply_max), '\0');
            const ssize_t n = ::pread(fd, data.data(), data.size(), static_cast<off_t>(*offset));
            if (n < 0) {
                return error(errno);
            }
            data.resize(static_cast<std::size_t>(n));
            return "F" + rsp::hex_number(static_cast<std::uint64_t>(n)) + ";" +
                   rsp::escape_binary(data);
        }
        if (op == "fstat" && parts.size() == 1) {
            const int fd = known(parts[0]);
            struct stat st {};
            if (fd < 0) {
                return error(EBADF);
            }
            if (::fstat(fd, &st) != 0) {
                return error(errno);
            }
            const std::string record = fileio_stat(st);
            return "F" + rsp::hex_number(record.size()) + ";" + rsp::escape_binary(record);
        }
        if (op == "readlink" && parts.size() == 1) {
            const auto name = rsp::from_hex(parts[0]);
            if (!name) {
                return error(EINVAL);
            }
            const std::string path(name->begin(), name->end());
            std::string target(4096, '\0');
            const ssize_t n = ::readlink(path.c_str(), target.data(), target.size());
            if (n < 0) {
                return error(errno);
            }
            target.resize(static_cast<std::size_t>(n));
            return "F" + rsp::hex_number(target.size()) + ";" + rsp::escape_binary(target);
        }
        return ""; // unlink, pwrite ...: not supported
    }

private:
    int known(std::string_view text) const {
        const auto fd = rsp::parse_hex(text);
        if (!fd || *fd > 0x7fffffff || !open_.contains(static_cast<int>(*fd))) {
            return -1;
        }
        return static_cast<int>(*fd);
    }

    /// `F-1,errno` with gdb's file-I/O errno numbers (the same as Linux's up to 30).
    static std::string error(int err) {
        int code = 9999; // EUNKNOWN
        if (err > 0 && err <= 30) {
            code = err;
        } else if (err == ENAMETOOLONG) {
            code = 91;
        }
        return "F-1," + rsp::hex_number(static_cast<std::uint64_t>(code));
    }

    /// gdb's `struct fio_stat`: 64 bytes, big-endian.
    static std::string fileio_stat(const struct stat& st) {
        std::string out;
        const auto be = [&](std::uint64_t value, int bytes) {
            for (int i = bytes - 1; i >= 0; --i) {
                out.push_back(static_cast<char>((value >> (8 * i)) & 0xffU));
            }
        };
        be(st.st_dev, 4);
        be(st.st_ino, 4);
        be(st.st_mode, 4);
        be(st.st_nlink, 4);
        be(st.st_uid, 4);
        be(st.st_gid, 4);
        be(st.st_rdev, 4);
        be(static_cast<std::uint64_t>(st.st_size), 8);
        be(static_cast<std::uint64_t>(st.st_blksize), 8);
        be(static_cast<std::uint64_t>(st.st_blocks), 8);
        be(static_cast<std::uint64_t>(st.st_atime), 4);
        be(static_cast<std::uint64_t>(st.st_mtime), 4);
        be(static_cast<std::uint64_t>(st.st_ctime), 4);
        return out;
    }

    std::map<int, bool> open_;
};

} // namespace gdbserver
