//! The only crate of Vayu with `unsafe` code: libcurl calls that the `curl` crate does not wrap.
//!
//! Every function here takes a safe `curl` handle by reference, so the raw pointer it passes to
//! libcurl is valid for the whole call.

#![deny(clippy::undocumented_unsafe_blocks)]
#![warn(unreachable_pub)]

mod epoll;
mod parsed_url;
mod socket_hooks;

pub use epoll::{Epoll, Readiness, ReadyList, Waker};
pub use parsed_url::{set_url, ParsedUrl};
pub use socket_hooks::{install_socket_hooks, SocketHooks};
mod options;
pub use options::{follow_location_obeying_code, set_tls13_ciphers};

use curl::easy::Easy2;
use std::os::raw::c_long;

const CURLINFO_OFF_T: curl_sys::CURLINFO = 0x600000;
const CURLINFO_TOTAL_TIME_T: curl_sys::CURLINFO = CURLINFO_OFF_T + 50;
const CURLINFO_NAMELOOKUP_TIME_T: curl_sys::CURLINFO = CURLINFO_OFF_T + 51;
const CURLINFO_CONNECT_TIME_T: curl_sys::CURLINFO = CURLINFO_OFF_T + 52;
const CURLINFO_PRETRANSFER_TIME_T: curl_sys::CURLINFO = CURLINFO_OFF_T + 53;
const CURLINFO_STARTTRANSFER_TIME_T: curl_sys::CURLINFO = CURLINFO_OFF_T + 54;
const CURLINFO_APPCONNECT_TIME_T: curl_sys::CURLINFO = CURLINFO_OFF_T + 56;
const CURLINFO_HTTP_VERSION: curl_sys::CURLINFO = curl_sys::CURLINFO_LONG + 46;

/// libcurl's cumulative phase times for one transfer, in microseconds since the transfer started.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PhaseTimes {
    pub namelookup: u64,
    pub connect: u64,
    pub appconnect: u64,
    pub pretransfer: u64,
    pub starttransfer: u64,
    pub total: u64,
}

/// Reads the `CURLINFO_*_TIME_T` values (integer µs, no float rounding) of a finished transfer.
pub fn phase_times<H>(easy: &Easy2<H>) -> PhaseTimes {
    let get = |info| getinfo_off_t(easy, info).unwrap_or(0).max(0) as u64;
    PhaseTimes {
        namelookup: get(CURLINFO_NAMELOOKUP_TIME_T),
        connect: get(CURLINFO_CONNECT_TIME_T),
        appconnect: get(CURLINFO_APPCONNECT_TIME_T),
        pretransfer: get(CURLINFO_PRETRANSFER_TIME_T),
        starttransfer: get(CURLINFO_STARTTRANSFER_TIME_T),
        total: get(CURLINFO_TOTAL_TIME_T),
    }
}

/// The HTTP version the transfer used: "HTTP/1.0", "HTTP/1.1", "HTTP/2", "HTTP/3", or "" if unknown.
pub fn http_version<H>(easy: &Easy2<H>) -> &'static str {
    let mut value: c_long = 0;
    // SAFETY: `easy.raw()` is a live easy handle for the duration of the borrow, and
    // CURLINFO_HTTP_VERSION writes one `long` through the pointer, which points to `value`.
    let code = unsafe {
        curl_sys::curl_easy_getinfo(easy.raw(), CURLINFO_HTTP_VERSION, &mut value as *mut c_long)
    };
    if code != curl_sys::CURLE_OK {
        return "";
    }
    match value {
        1 => "HTTP/1.0",
        2 => "HTTP/1.1",
        3 => "HTTP/2",
        30 => "HTTP/3",
        _ => "",
    }
}

fn getinfo_off_t<H>(easy: &Easy2<H>, info: curl_sys::CURLINFO) -> Option<curl_sys::curl_off_t> {
    let mut value: curl_sys::curl_off_t = 0;
    // SAFETY: `easy.raw()` is a live easy handle for the duration of the borrow, and every
    // CURLINFO_*_T code writes one `curl_off_t` through the pointer, which points to `value`.
    let code = unsafe {
        curl_sys::curl_easy_getinfo(easy.raw(), info, &mut value as *mut curl_sys::curl_off_t)
    };
    (code == curl_sys::CURLE_OK).then_some(value)
}

/// Makes the calling thread's timed waits precise to `ns` nanoseconds instead of the kernel's
/// default slack of 50 µs, which would otherwise show up in every paced send's latency.
pub fn set_timer_slack(ns: u64) -> std::io::Result<()> {
    // SAFETY: PR_SET_TIMERSLACK takes an integer argument and no pointers.
    if unsafe { libc::prctl(libc::PR_SET_TIMERSLACK, ns as libc::c_ulong, 0, 0, 0) } != 0 {
        return Err(std::io::Error::last_os_error());
    }
    Ok(())
}

/// Whether `fd` is a Unix-domain socket (libcurl's multi handles keep a socketpair to wake
/// themselves). False for anything else, a closed descriptor included.
pub fn is_unix_socket(fd: std::os::fd::RawFd) -> bool {
    let mut domain: libc::c_int = 0;
    let mut len = std::mem::size_of::<libc::c_int>() as libc::socklen_t;
    // SAFETY: SO_DOMAIN writes at most `len` bytes (one `int`) through the pointer, which points
    // to `domain`, and updates `len`, which points to a live `socklen_t`. A bad descriptor fails
    // with EBADF or ENOTSOCK; nothing is read from or written to the descriptor itself.
    let code = unsafe {
        libc::getsockopt(
            fd,
            libc::SOL_SOCKET,
            libc::SO_DOMAIN,
            (&mut domain as *mut libc::c_int).cast(),
            &mut len,
        )
    };
    code == 0 && domain == libc::AF_UNIX
}

/// Raises this process's soft open-file limit to its hard limit, as Go's runtime does at start:
/// every connection is a descriptor, and the usual soft limit of 1024 is far below what a load
/// generator needs. Returns the soft limit now in force.
pub fn raise_open_file_limit() -> std::io::Result<u64> {
    let mut limit = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: getrlimit writes one `rlimit` through the pointer, which points to `limit`.
    if unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) } != 0 {
        return Err(std::io::Error::last_os_error());
    }
    if limit.rlim_cur < limit.rlim_max {
        let raised = libc::rlimit {
            rlim_cur: limit.rlim_max,
            rlim_max: limit.rlim_max,
        };
        // SAFETY: setrlimit only reads the `rlimit` the pointer points to.
        if unsafe { libc::setrlimit(libc::RLIMIT_NOFILE, &raised) } != 0 {
            return Err(std::io::Error::last_os_error());
        }
        limit = raised;
    }
    #[allow(clippy::unnecessary_cast)] // rlim_t is 32 bits wide on some targets
    Ok(limit.rlim_cur as u64)
}

/// Allocations of this size and more get their own mapping, returned to the system when freed.
const LARGE_ALLOCATION: i32 = 1024 * 1024;
/// Free memory an arena keeps at its top before giving it back: twice the mmap threshold, the
/// rule glibc's own adjustment follows (fixing the mmap threshold also fixes this one, at
/// 128 KiB, where frees would trim with a system call more often). What an arena keeps is given
/// back when no run is going (`release_free_memory`).
const ARENA_KEEPS: i32 = 2 * LARGE_ALLOCATION;

/// Makes glibc's allocator give large blocks back when they are freed. By default it raises its
/// mmap threshold to the size of each large block freed (up to 32 MiB), so after one large run
/// body every later one is carved from the per-thread arenas, which then keep the memory
/// (measured: four 7 MB run bodies left 268 MB of arenas holding 14 MB in use). A fixed
/// threshold keeps such blocks out of the arenas. Call once at start; a no-op off glibc.
pub fn tune_allocator() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt takes no pointers and may be called at any time.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, LARGE_ALLOCATION);
        libc::mallopt(libc::M_TRIM_THRESHOLD, ARENA_KEEPS);
    }
}

/// Gives the memory the C allocator holds free back to the system (glibc keeps what large runs
/// freed in its arenas otherwise). Walks every arena under its lock, so call it when no run is
/// going, not on a worker. Returns whether anything was released; a no-op off glibc.
pub fn release_free_memory() -> bool {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        // SAFETY: malloc_trim takes no pointers and may be called at any time.
        unsafe { libc::malloc_trim(0) == 1 }
    }
    #[cfg(not(all(target_os = "linux", target_env = "gnu")))]
    {
        false
    }
}

/// `CURLAUTH_ONLY`: the `curl` crate's `Auth` cannot set this bit.
const CURLAUTH_ONLY: c_long = 1 << 31;

/// Makes `easy` answer an NTLM challenge with the credentials set by `username` / `password`,
/// sending the first request without credentials (`CURLAUTH_NTLM | CURLAUTH_ONLY`): the server's
/// 401 starts the handshake, as Postman's NTLM auth does. NTLM alone would send a Type-1 message
/// up front.
pub fn ntlm_on_challenge<H>(easy: &mut Easy2<H>) -> Result<(), curl::Error> {
    // SAFETY: `easy.raw()` is a live easy handle and CURLOPT_HTTPAUTH takes a long by value.
    let code = unsafe {
        curl_sys::curl_easy_setopt(
            easy.raw(),
            curl_sys::CURLOPT_HTTPAUTH,
            curl_sys::CURLAUTH_NTLM as c_long | CURLAUTH_ONLY,
        )
    };
    if code != curl_sys::CURLE_OK {
        return Err(curl::Error::new(code));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Sink;
    impl curl::easy::Handler for Sink {}

    #[test]
    fn unix_sockets_are_told_from_others() {
        use std::os::fd::AsRawFd;
        let (a, _b) = std::os::unix::net::UnixStream::pair().unwrap();
        assert!(is_unix_socket(a.as_raw_fd()));
        let tcp = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        assert!(!is_unix_socket(tcp.as_raw_fd()));
        assert!(!is_unix_socket(-1));
    }

    #[test]
    fn unstarted_handle_reports_zero_times() {
        let easy = Easy2::new(Sink);
        assert_eq!(phase_times(&easy), PhaseTimes::default());
        assert_eq!(http_version(&easy), "");
    }

    #[test]
    fn open_file_limit_is_at_least_what_it_was() {
        let before = std::fs::read_dir("/proc/self/fd")
            .map(|d| d.count())
            .unwrap_or(0) as u64;
        let soft = raise_open_file_limit().unwrap();
        assert!(soft >= before.max(1));
        assert_eq!(
            raise_open_file_limit().unwrap(),
            soft,
            "a second call changes nothing"
        );
    }
}
