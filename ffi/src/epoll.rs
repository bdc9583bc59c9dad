//! epoll and eventfd behind a safe interface, for driving libcurl with `curl_multi_socket_action`.

use std::io;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd, RawFd};
use std::os::raw::c_int;
use std::sync::atomic::{AtomicBool, Ordering::Relaxed};
use std::time::Duration;

/// Readiness of one descriptor, as epoll reported it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Readiness {
    /// The `token` the descriptor was registered with.
    pub token: u64,
    pub readable: bool,
    pub writable: bool,
    /// Error or hang-up.
    pub error: bool,
}

/// An epoll instance, closed when dropped. Shareable: registering needs only `&self`.
#[derive(Debug)]
pub struct Epoll {
    fd: OwnedFd,
}

/// A buffer for the readiness reports of one [`Epoll::wait`].
pub struct ReadyList {
    events: Vec<libc::epoll_event>,
}

impl ReadyList {
    pub fn with_capacity(n: usize) -> ReadyList {
        ReadyList {
            events: Vec::with_capacity(n.max(1)),
        }
    }

    pub fn iter(&self) -> impl Iterator<Item = Readiness> + '_ {
        self.events.iter().map(|e| {
            let flags = e.events;
            Readiness {
                token: e.u64,
                readable: flags & (libc::EPOLLIN as u32) != 0,
                writable: flags & (libc::EPOLLOUT as u32) != 0,
                error: flags & ((libc::EPOLLERR | libc::EPOLLHUP) as u32) != 0,
            }
        })
    }
}

impl Epoll {
    pub fn new() -> io::Result<Epoll> {
        // SAFETY: epoll_create1 takes no pointers; a non-negative result is a new descriptor we own.
        let fd = cvt(unsafe { libc::epoll_create1(libc::EPOLL_CLOEXEC) })?;
        Ok(Epoll {
            // SAFETY: `fd` was just created and is owned by nobody else.
            fd: unsafe { OwnedFd::from_raw_fd(fd) },
        })
    }

    /// Starts watching `fd` (level-triggered) for the given interest; if it is already watched,
    /// changes its interest instead.
    pub fn add(&self, fd: RawFd, token: u64, readable: bool, writable: bool) -> io::Result<()> {
        self.ctl_or(
            libc::EPOLL_CTL_ADD,
            libc::EEXIST,
            libc::EPOLL_CTL_MOD,
            fd,
            token,
            readable,
            writable,
        )
    }

    /// Changes the interest of a watched `fd`; if it is not watched (a closed descriptor leaves
    /// epoll by itself), starts watching it instead.
    pub fn modify(&self, fd: RawFd, token: u64, readable: bool, writable: bool) -> io::Result<()> {
        self.ctl_or(
            libc::EPOLL_CTL_MOD,
            libc::ENOENT,
            libc::EPOLL_CTL_ADD,
            fd,
            token,
            readable,
            writable,
        )
    }

    /// Runs `op`, and `fallback` if `op` fails with `errno`.
    #[allow(clippy::too_many_arguments)]
    fn ctl_or(
        &self,
        op: c_int,
        errno: c_int,
        fallback: c_int,
        fd: RawFd,
        token: u64,
        readable: bool,
        writable: bool,
    ) -> io::Result<()> {
        let mut flags = 0u32;
        if readable {
            flags |= libc::EPOLLIN as u32;
        }
        if writable {
            flags |= libc::EPOLLOUT as u32;
        }
        let mut event = libc::epoll_event {
            events: flags,
            u64: token,
        };
        // SAFETY: `event` is a valid epoll_event for the duration of the call; epoll_ctl only reads it.
        if unsafe { libc::epoll_ctl(self.fd.as_raw_fd(), op, fd, &mut event) } == 0 {
            return Ok(());
        }
        let err = io::Error::last_os_error();
        if err.raw_os_error() != Some(errno) {
            return Err(err);
        }
        // SAFETY: as above.
        cvt(unsafe { libc::epoll_ctl(self.fd.as_raw_fd(), fallback, fd, &mut event) }).map(drop)
    }

    /// Stops watching `fd`. A descriptor that is not watched (or already closed) is not an error.
    pub fn unwatch(&self, fd: RawFd) {
        let mut event = libc::epoll_event { events: 0, u64: 0 };
        // SAFETY: `event` is valid for the call (kernels before 2.6.9 required a non-null pointer).
        let _ =
            unsafe { libc::epoll_ctl(self.fd.as_raw_fd(), libc::EPOLL_CTL_DEL, fd, &mut event) };
    }

    /// Waits up to `timeout` and fills `ready` with what became ready. The timeout has
    /// nanosecond resolution (epoll_pwait2, Linux 5.11+), so paced sends are not rounded to
    /// milliseconds; older kernels fall back to epoll_wait, rounding up to whole milliseconds.
    /// An interrupted wait returns with nothing ready.
    pub fn wait(&self, ready: &mut ReadyList, timeout: Duration) -> io::Result<()> {
        static NO_PWAIT2: AtomicBool = AtomicBool::new(false);
        let events = &mut ready.events;
        events.clear();
        let capacity = events.capacity().min(i32::MAX as usize) as c_int;
        let mut n = -1;
        let mut use_ms = NO_PWAIT2.load(Relaxed);
        if !use_ms {
            let ts = libc::timespec {
                tv_sec: timeout.as_secs().min(i64::MAX as u64) as libc::time_t,
                tv_nsec: timeout.subsec_nanos() as libc::c_long,
            };
            // SAFETY: the buffer has room for `capacity` events and the kernel writes at most
            // that many; `ts` is a live timespec; a null signal mask is allowed.
            n = unsafe {
                libc::syscall(
                    libc::SYS_epoll_pwait2,
                    self.fd.as_raw_fd(),
                    events.as_mut_ptr(),
                    capacity,
                    &ts as *const libc::timespec,
                    std::ptr::null::<libc::sigset_t>(),
                    0usize,
                )
            } as c_int;
            if n < 0 && io::Error::last_os_error().raw_os_error() == Some(libc::ENOSYS) {
                NO_PWAIT2.store(true, Relaxed);
                use_ms = true;
            }
        }
        if use_ms {
            let ms = timeout.as_micros().div_ceil(1000).min(i32::MAX as u128) as c_int;
            // SAFETY: as above.
            n = unsafe { libc::epoll_wait(self.fd.as_raw_fd(), events.as_mut_ptr(), capacity, ms) };
        }
        match cvt(n) {
            // SAFETY: the kernel initialised the first `n` entries.
            Ok(n) => unsafe { events.set_len(n as usize) },
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
        Ok(())
    }
}

/// An eventfd another thread can use to wake an epoll wait.
#[derive(Debug)]
pub struct Waker {
    fd: OwnedFd,
}

impl Waker {
    pub fn new() -> io::Result<Waker> {
        // SAFETY: eventfd takes no pointers; a non-negative result is a new descriptor we own.
        let fd = cvt(unsafe { libc::eventfd(0, libc::EFD_NONBLOCK | libc::EFD_CLOEXEC) })?;
        // SAFETY: `fd` was just created and is owned by nobody else.
        let fd = unsafe { OwnedFd::from_raw_fd(fd) };
        Ok(Waker { fd })
    }

    pub fn fd(&self) -> RawFd {
        self.fd.as_raw_fd()
    }

    /// Makes the descriptor readable. Safe to call from any thread, any number of times.
    pub fn wake(&self) {
        let one: u64 = 1;
        // SAFETY: writes 8 bytes from a live u64. A full counter (EAGAIN) already means "awake".
        let _ = unsafe { libc::write(self.fd.as_raw_fd(), (&one as *const u64).cast(), 8) };
    }

    /// Resets the descriptor after a wake-up was seen.
    pub fn reset(&self) {
        let mut value: u64 = 0;
        // SAFETY: reads at most 8 bytes into a live u64. EAGAIN just means nothing was pending.
        let _ = unsafe { libc::read(self.fd.as_raw_fd(), (&mut value as *mut u64).cast(), 8) };
    }
}

fn cvt(result: c_int) -> io::Result<c_int> {
    if result < 0 {
        Err(io::Error::last_os_error())
    } else {
        Ok(result)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn waker_wakes_epoll_and_resets() {
        let epoll = Epoll::new().unwrap();
        let mut ready = ReadyList::with_capacity(8);
        let waker = Waker::new().unwrap();
        epoll.add(waker.fd(), 7, true, false).unwrap();
        epoll.wait(&mut ready, Duration::ZERO).unwrap();
        assert_eq!(ready.iter().count(), 0);
        waker.wake();
        waker.wake();
        epoll.wait(&mut ready, Duration::from_secs(5)).unwrap();
        let seen: Vec<_> = ready.iter().collect();
        assert_eq!(seen.len(), 1);
        assert_eq!((seen[0].token, seen[0].readable), (7, true));
        waker.reset();
        epoll.wait(&mut ready, Duration::ZERO).unwrap();
        assert_eq!(ready.iter().count(), 0);
    }

    #[test]
    fn add_and_modify_fall_back_to_each_other() {
        let epoll = Epoll::new().unwrap();
        let mut ready = ReadyList::with_capacity(8);
        let waker = Waker::new().unwrap();
        // An eventfd is always writable: watching for writes reports it at once.
        epoll.modify(waker.fd(), 1, false, true).unwrap();
        epoll.wait(&mut ready, Duration::ZERO).unwrap();
        assert!(ready.iter().any(|r| r.writable));
        epoll.add(waker.fd(), 1, true, false).unwrap();
        epoll.wait(&mut ready, Duration::ZERO).unwrap();
        assert_eq!(ready.iter().count(), 0);
        epoll.unwatch(waker.fd());
        epoll.unwatch(waker.fd());
    }
}
