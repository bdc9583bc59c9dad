//! libcurl's open- and close-socket callbacks, so the engine learns when a connection's
//! descriptor is created and when it is closed (and its number may be reused).

use curl::easy::Easy2;
use std::os::fd::RawFd;
use std::os::raw::{c_int, c_void};
use std::panic::catch_unwind;

/// What to call when libcurl opens or closes a connection socket. Must not panic; a panic is
/// caught and the socket operation still happens.
#[derive(Debug)]
pub struct SocketHooks {
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
    // SAFETY: socket() takes no pointers. CLOEXEC, as the curl crate's own default does.
    let fd = unsafe { libc::socket(family, socktype | libc::SOCK_CLOEXEC, protocol) };
    if fd < 0 {
        return curl_sys::CURL_SOCKET_BAD;
    }
    // SAFETY: `data` is the 'static SocketHooks given to install_socket_hooks.
    let hooks = unsafe { &*(data as *const SocketHooks) };
    let _ = catch_unwind(|| (hooks.opened)(fd));
    fd
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
