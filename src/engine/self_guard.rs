//! Addresses no transfer may connect to: the daemon's own listening address. Run files and
//! scripts (`pm.sendRequest`) are untrusted, and the control API they would reach reads saved
//! environments (secrets included) and starts runs. The check is made where libcurl opens a
//! connection socket (the open-socket hook, on the worker thread), so it sees the address after
//! DNS and after every redirect, which no check of the URL could.
//!
//! Each worker keeps its engine's guard in a thread-local, set when the worker starts, so the
//! hook takes no lock. A refusal is remembered on that thread for the transfer's error message.

use std::cell::{Cell, RefCell};
use std::net::{IpAddr, SocketAddr, UdpSocket};
use std::sync::Arc;

/// The addresses of a listener that transfers may not reach.
#[derive(Debug, Clone, Default)]
pub struct SelfGuard {
    listeners: Vec<SocketAddr>,
}

impl SelfGuard {
    /// Refuses connections to `listener`. A listener on the unspecified address (`0.0.0.0`,
    /// `::`) is reached through any of this host's addresses on its port.
    pub fn listener(listener: SocketAddr) -> SelfGuard {
        SelfGuard {
            listeners: vec![listener],
        }
    }

    /// Whether a connection to `peer` would reach one of the guarded listeners.
    pub fn refuses(&self, peer: &SocketAddr) -> bool {
        self.listeners.iter().any(|listener| {
            listener.port() == peer.port() && reaches(listener.ip(), canonical(peer.ip()))
        })
    }
}

/// An IPv4-mapped IPv6 address (`::ffff:127.0.0.1`) as the IPv4 address it is.
fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
        v4 => v4,
    }
}

/// Whether a listener bound to `bound` accepts connections to `peer` (same port).
fn reaches(bound: IpAddr, peer: IpAddr) -> bool {
    if bound == peer {
        return true;
    }
    if !bound.is_unspecified() {
        return false;
    }
    // Bound to every address: the loopback addresses, `0.0.0.0` (which Linux connects to
    // locally) and whatever addresses this host has now. Binding to an address succeeds only
    // for the host's own, which stays right when interfaces change; this runs only for
    // connections to the listener's port.
    peer.is_loopback() || peer.is_unspecified() || UdpSocket::bind((peer, 0)).is_ok()
}

thread_local! {
    static GUARD: RefCell<Arc<SelfGuard>> = RefCell::default();
    /// The address most recently refused on this thread, for the failed transfer's message.
    static REFUSED: Cell<Option<SocketAddr>> = const { Cell::new(None) };
}

/// Makes this (worker) thread's transfers refuse what `guard` refuses.
pub(crate) fn install(guard: Arc<SelfGuard>) {
    GUARD.with(|g| *g.borrow_mut() = guard);
}

/// The open-socket hook's question: may this thread connect to `peer`?
pub(crate) fn allowed(peer: &SocketAddr) -> bool {
    let refused = GUARD.with(|g| g.borrow().refuses(peer));
    if refused {
        REFUSED.with(|r| r.set(Some(*peer)));
    }
    !refused
}

/// The address a connection of this thread was refused, if one was since the last call. A
/// transfer that failed to connect asks, to say why.
pub(crate) fn take_refusal() -> Option<SocketAddr> {
    REFUSED.with(|r| r.take())
}

/// What a refused transfer's error says.
pub(crate) fn refusal_message(peer: SocketAddr) -> String {
    format!(
        "refused to connect to {peer}: it is this engine's own control API, which runs and scripts may not reach (start vayu-engine with --allow-self-requests to allow it)"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_loopback_listener_refuses_its_own_address_only() {
        let guard = SelfGuard::listener("127.0.0.1:9876".parse().unwrap());
        assert!(guard.refuses(&"127.0.0.1:9876".parse().unwrap()));
        assert!(guard.refuses(&"[::ffff:127.0.0.1]:9876".parse().unwrap()));
        assert!(!guard.refuses(&"127.0.0.1:9877".parse().unwrap()));
        assert!(!guard.refuses(&"127.0.0.2:9876".parse().unwrap()));
        assert!(!SelfGuard::default().refuses(&"127.0.0.1:9876".parse().unwrap()));
    }

    #[test]
    fn a_listener_on_every_address_refuses_loopback_and_this_hosts_addresses() {
        let guard = SelfGuard::listener("0.0.0.0:9876".parse().unwrap());
        for peer in [
            "127.0.0.1:9876",
            "127.0.0.53:9876",
            "0.0.0.0:9876",
            "[::1]:9876",
        ] {
            assert!(guard.refuses(&peer.parse().unwrap()), "{peer}");
        }
        // TEST-NET-3 (RFC 5737) is never this host's.
        assert!(!guard.refuses(&"203.0.113.9:9876".parse().unwrap()));
        assert!(!guard.refuses(&"127.0.0.1:80".parse().unwrap()));
    }
}
