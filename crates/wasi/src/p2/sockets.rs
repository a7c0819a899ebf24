//! `wasi:sockets`, denied: a guest importing it links and runs, and every
//! socket operation says no.
//!
//! Libraries import sockets whatever the program does (componentize-py's
//! libpython imports all seven interfaces), so refusing them at link time
//! would refuse those guests outright. Sockets are instead denied per call,
//! by default and with no grant that enables them: [`Grants`](crate::Grants)
//! and [`Policy`](crate::Policy) have no sockets field yet, as there are no
//! real sockets yet.
//!
//! - `instance-network` hands out a `network` handle. Every handle has the
//!   same rep, as a network grants nothing by itself.
//! - `create-tcp-socket`, `create-udp-socket` and `resolve-addresses` return
//!   `error-code::access-denied` and log the refusal.
//! - So no `tcp-socket`, `udp-socket`, datagram stream or
//!   `resolve-address-stream` ever exists. The runtime traps a call on a
//!   handle the guest does not hold before the host sees it. If such a call
//!   reached the host anyway, a method with an `error-code` in its result
//!   would return `access-denied`. The others (`subscribe`, `is-listening`,
//!   `address-family`) would trap, naming the function.
//! - `network-error-code` (unstable in the WIT) is `none`: no `error` the
//!   host hands out comes from a socket.
//! - Dropping any of the six resources does nothing.

use wasmbed::{Error, Linker, Val};

use super::{err, iface};

/// `error-code::access-denied`: its case index in `wasi:sockets/network`'s `error-code`.
const ACCESS_DENIED: u32 = 1;

/// The rep of every `network` handle.
const NETWORK_REP: u32 = 0;

/// What a function of `wasi:sockets` answers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Answer {
    /// `err(error-code::access-denied)`, logged.
    Denied,
    /// A trap naming the function: its result has no error to say no with,
    /// and its `self` is a resource no guest can hold.
    NoSocket,
    /// A `network` handle.
    Network,
    /// `none`.
    Nothing,
}

impl Answer {
    /// The answer of `what` (`wasi:sockets/tcp@…#[method]tcp-socket.subscribe`).
    fn give(self, what: &str) -> Result<Option<Val>, Error> {
        match self {
            Answer::Denied => {
                tracing::warn!(func = what, "wasi: denied: sockets are not granted");
                Ok(err(Val::Enum(ACCESS_DENIED)))
            }
            Answer::NoSocket => Err(Error::guest_trap(
                what,
                "`wasi:sockets` is denied, so no handle of this resource was ever handed out",
            )),
            Answer::Network => Ok(Some(Val::Own(NETWORK_REP))),
            Answer::Nothing => Ok(Some(Val::Option(None))),
        }
    }
}

/// The functions that are not methods: interface (in `wasi:sockets`), name, answer.
const FREE: [(&str, &str, Answer); 5] = [
    ("network", "network-error-code", Answer::Nothing),
    ("instance-network", "instance-network", Answer::Network),
    ("tcp-create-socket", "create-tcp-socket", Answer::Denied),
    ("udp-create-socket", "create-udp-socket", Answer::Denied),
    ("ip-name-lookup", "resolve-addresses", Answer::Denied),
];

/// A resource no guest can hold, and its methods by what they answer.
struct Resource {
    iface: &'static str,
    name: &'static str,
    /// Methods whose result is `result<_, error-code>`.
    denied: &'static [&'static str],
    /// Methods without an `error-code`.
    no_socket: &'static [&'static str],
}

const RESOURCES: [Resource; 5] = [
    Resource {
        iface: "tcp",
        name: "tcp-socket",
        denied: &[
            "start-bind",
            "finish-bind",
            "start-connect",
            "finish-connect",
            "start-listen",
            "finish-listen",
            "accept",
            "local-address",
            "remote-address",
            "set-listen-backlog-size",
            "keep-alive-enabled",
            "set-keep-alive-enabled",
            "keep-alive-idle-time",
            "set-keep-alive-idle-time",
            "keep-alive-interval",
            "set-keep-alive-interval",
            "keep-alive-count",
            "set-keep-alive-count",
            "hop-limit",
            "set-hop-limit",
            "receive-buffer-size",
            "set-receive-buffer-size",
            "send-buffer-size",
            "set-send-buffer-size",
            "shutdown",
        ],
        no_socket: &["is-listening", "address-family", "subscribe"],
    },
    Resource {
        iface: "udp",
        name: "udp-socket",
        denied: &[
            "start-bind",
            "finish-bind",
            "stream",
            "local-address",
            "remote-address",
            "unicast-hop-limit",
            "set-unicast-hop-limit",
            "receive-buffer-size",
            "set-receive-buffer-size",
            "send-buffer-size",
            "set-send-buffer-size",
        ],
        no_socket: &["address-family", "subscribe"],
    },
    Resource {
        iface: "udp",
        name: "incoming-datagram-stream",
        denied: &["receive"],
        no_socket: &["subscribe"],
    },
    Resource {
        iface: "udp",
        name: "outgoing-datagram-stream",
        denied: &["check-send", "send"],
        no_socket: &["subscribe"],
    },
    Resource {
        iface: "ip-name-lookup",
        name: "resolve-address-stream",
        denied: &["resolve-next-address"],
        no_socket: &["subscribe"],
    },
];

/// Every function of `wasi:sockets`: interface (`tcp`), WIT name, answer.
fn funcs() -> impl Iterator<Item = (&'static str, String, Answer)> {
    let free = FREE.iter().map(|&(i, f, a)| (i, f.to_owned(), a));
    let methods = RESOURCES.iter().flat_map(|r| {
        let with = |names: &'static [&'static str], a| {
            names
                .iter()
                .map(move |m| (r.iface, format!("[method]{}.{m}", r.name), a))
        };
        with(r.denied, Answer::Denied).chain(with(r.no_socket, Answer::NoSocket))
    });
    free.chain(methods)
}

/// Every resource of `wasi:sockets`: interface, name.
fn resources() -> impl Iterator<Item = (&'static str, &'static str)> {
    let network = ("network", "network");
    core::iter::once(network).chain(RESOURCES.iter().map(|r| (r.iface, r.name)))
}

/// Defines `wasi:sockets` in `linker`, denied: no grant enables it.
pub(super) fn add<T: 'static>(linker: &mut Linker<T>) {
    let full = |name| iface(&format!("sockets/{name}"));
    for (name, func, answer) in funcs() {
        let what = format!("{}#{func}", full(name));
        linker.func(&full(name), &func, move |_, _| answer.give(&what));
    }
    for (name, resource) in resources() {
        linker.resource(&full(name), resource, |_, _| Ok(()));
    }
}

#[cfg(test)]
mod tests;
