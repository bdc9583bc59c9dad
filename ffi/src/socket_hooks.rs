//! libcurl's open- and close-socket callbacks, so the engine learns when a connection's
//! descriptor is created and when it is closed (and its number may be reused), and may refuse a
//! connection by its address (after DNS and on every redirect, where a URL check cannot see it).

use curl::easy::Easy2;
use std::net::{Ipv4Addr, Ipv6Addr, SocketAddr, SocketAddrV4, SocketAddrV6};
use std::os::fd::RawFd;
use std::os::raw::{c_int, c_void};
use std::panic::catch_unwind;

/// What to call when libcurl opens or closes a connection socket. Must not panic; a panic is
/// caught and the socket operation still happens (a panicking `allowed` allows).
#[derive(Debug)]
pub struct SocketHooks {
    /// Asked before a connection socket is opened; `false` makes the connection attempt fail
    /// (libcurl reports `CURLE_COULDNT_CONNECT`).
    pub allowed: fn(&SocketAddr) -> bool,
    pub opened: fn(RawFd),
    pub closed: fn(RawFd),
}

type CloseSocketCallback = extern "C" fn(*mut c_void, curl_sys::curl_socket_t) -> c_int;

/// Makes libcurl open and close this handle's connection sockets through `hooks`.
/// `curl_easy_reset` removes them: install again after a reset.
pub fn install_socket_hooks<H>(
    easy: &mut Easy2<H>,
    hooks: &'static SocketHooks,
) -> Result<(), curl::Error> {
    let data = hooks as *const SocketHooks as *mut c_void;
    let open: curl_sys::curl_opensocket_callback = open_socket;
    let close: CloseSocketCallback = close_socket;
    // SAFETY: the callbacks have the prototypes libcurl documents for these options, and `data`
    // points to a 'static SocketHooks, so it is valid whenever libcurl calls them.
    unsafe {
        cvt(curl_sys::curl_easy_setopt(
            easy.raw(),
            curl_sys::CURLOPT_OPENSOCKETFUNCTION,
            open,
        ))?;
        cvt(curl_sys::curl_easy_setopt(
            easy.raw(),
            curl_sys::CURLOPT_OPENSOCKETDATA,
            data,
        ))?;
        cvt(curl_sys::curl_easy_setopt(
            easy.raw(),
            curl_sys::CURLOPT_CLOSESOCKETFUNCTION,
            close,
        ))?;
        cvt(curl_sys::curl_easy_setopt(
            easy.raw(),
            curl_sys::CURLOPT_CLOSESOCKETDATA,
            data,
        ))?;
    }
    Ok(())
}

extern "C" fn open_socket(
    data: *mut c_void,
    _purpose: curl_sys::curlsocktype,
    address: *mut curl_sys::curl_sockaddr,
) -> curl_sys::curl_socket_t {
    // SAFETY: libcurl passes the address it is about to connect to, valid for this call.
    let (family, socktype, protocol) =
        unsafe { ((*address).family, (*address).socktype, (*address).protocol) };
    // SAFETY: `data` is the 'static SocketHooks given to install_socket_hooks.
    let hooks = unsafe { &*(data as *const SocketHooks) };
    // SAFETY: as above; `socket_address` reads no more than `addrlen` bytes of it.
    if let Some(peer) = unsafe { socket_address(address) } {
        if !catch_unwind(|| (hooks.allowed)(&peer)).unwrap_or(true) {
            return curl_sys::CURL_SOCKET_BAD;
        }
    }
    // SAFETY: socket() takes no pointers. CLOEXEC, as the curl crate's own default does.
    let fd = unsafe { libc::socket(family, socktype | libc::SOCK_CLOEXEC, protocol) };
    if fd < 0 {
        return curl_sys::CURL_SOCKET_BAD;
    }
    let _ = catch_unwind(|| (hooks.opened)(fd));
    fd
}

/// The IPv4 or IPv6 address libcurl is about to connect to; `None` for other families.
///
/// # Safety
/// `address` points to a `curl_sockaddr` whose `addr` holds `addrlen` valid bytes (libcurl keeps
/// it in storage large enough for any address family).
unsafe fn socket_address(address: *const curl_sys::curl_sockaddr) -> Option<SocketAddr> {
    let len = (*address).addrlen as usize;
    let addr = std::ptr::addr_of!((*address).addr);
    match (*address).family {
        libc::AF_INET if len >= std::mem::size_of::<libc::sockaddr_in>() => {
            let v4 = std::ptr::read_unaligned(addr.cast::<libc::sockaddr_in>());
            Some(SocketAddr::V4(SocketAddrV4::new(
                Ipv4Addr::from(u32::from_be(v4.sin_addr.s_addr)),
                u16::from_be(v4.sin_port),
            )))
        }
        libc::AF_INET6 if len >= std::mem::size_of::<libc::sockaddr_in6>() => {
            let v6 = std::ptr::read_unaligned(addr.cast::<libc::sockaddr_in6>());
            Some(SocketAddr::V6(SocketAddrV6::new(
                Ipv6Addr::from(v6.sin6_addr.s6_addr),
                u16::from_be(v6.sin6_port),
                v6.sin6_flowinfo,
                v6.sin6_scope_id,
            )))
        }
        _ => None,
    }
}

extern "C" fn close_socket(data: *mut c_void, fd: curl_sys::curl_socket_t) -> c_int {
    // SAFETY: `data` is the 'static SocketHooks given to install_socket_hooks.
    let hooks = unsafe { &*(data as *const SocketHooks) };
    let _ = catch_unwind(|| (hooks.closed)(fd));
    // SAFETY: libcurl hands over a descriptor it opened through `open_socket` and no longer uses.
    unsafe { libc::close(fd) }
}

fn cvt(code: curl_sys::CURLcode) -> Result<(), curl::Error> {
    if code == curl_sys::CURLE_OK {
        Ok(())
    } else {
        Err(curl::Error::new(code))
    }
}
