//! The iceoryx2 transport between real processes: a round trip through an
//! echo peer, and a peer killed with `SIGKILL` while it holds slots, a loan
//! and a received sample.
//!
//! The peers are this test binary run again with `--exact child --ignored`
//! and the role in `WASMBED_IOX_CHILD`; they report progress as stdout lines.
#![cfg(feature = "iceoryx2")]

use std::io::{BufRead, BufReader, Write};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

use iceoryx2::config::Config;
use iceoryx2::prelude::{ipc, CallbackProgression, Service as _};
use wasmbed_pubsub::transport::iceoryx2::Iceoryx2;
use wasmbed_pubsub::{Receiver, Sender, TopicConfig, Transport, TransportError};

/// The child's role and service prefix, `<role> <prefix>`.
const CHILD_ENV: &str = "WASMBED_IOX_CHILD";
/// How long any wait in these tests may take before it counts as a hang.
const PATIENCE: Duration = Duration::from_secs(30);

/// A prefix no other test or run uses, so services never collide.
fn unique_prefix(test: &str) -> String {
    static NEXT: AtomicU32 = AtomicU32::new(0);
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    format!("wasmbed-test/{}/{n}/{test}", std::process::id())
}

/// The topics the echo peer uses.
fn echo_topic(name: &str) -> TopicConfig {
    TopicConfig::new(name, 256).queue_depth(8)
}

/// The topic of the killed peer: one subscriber, two publishers, so a slot
/// the dead peer still held makes opening one more fail.
fn held_topic() -> TopicConfig {
    TopicConfig::new("held", 64)
        .queue_depth(2)
        .max_held(1)
        .max_publishers(2)
        .max_subscribers(1)
}

/// A child process running one role; killed and reaped when dropped.
struct Peer {
    child: Child,
    lines: mpsc::Receiver<String>,
}

impl Peer {
    fn spawn(role: &str, prefix: &str) -> Peer {
        let mut child = Command::new(std::env::current_exe().expect("test binary path"))
            .args([
                "--exact",
                "child",
                "--ignored",
                "--nocapture",
                "--test-threads=1",
            ])
            .env(CHILD_ENV, format!("{role} {prefix}"))
            .stdout(Stdio::piped())
            .spawn()
            .expect("spawn child");
        let stdout = child.stdout.take().expect("child stdout");
        let (tx, lines) = mpsc::channel();
        thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        Peer { child, lines }
    }

    /// Waits for the child to print `want` on a line of its own.
    fn expect(&self, want: &str) {
        let deadline = Instant::now() + PATIENCE;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.lines.recv_timeout(left) {
                Ok(line) if line == want => return,
                Ok(_) => {}
                Err(e) => panic!("child never printed {want:?}: {e}"),
            }
        }
    }

    /// Whether the child printed `want` since the last look, without waiting.
    fn printed(&self, want: &str) -> bool {
        self.lines.try_iter().any(|line| line == want)
    }

    /// Waits for the child to exit and returns whether it succeeded.
    fn wait(&mut self) -> bool {
        let deadline = Instant::now() + PATIENCE;
        while Instant::now() < deadline {
            if let Some(status) = self.child.try_wait().expect("child status") {
                return status.success();
            }
            thread::sleep(Duration::from_millis(5));
        }
        panic!("child did not exit");
    }
}

impl Drop for Peer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Receives one sample into a vector, polling until `PATIENCE` runs out.
fn receive(receiver: &mut impl Receiver) -> Vec<u8> {
    let deadline = Instant::now() + PATIENCE;
    let mut got = None;
    while Instant::now() < deadline {
        if receiver
            .receive_with(&mut |bytes| got = Some(bytes.to_vec()))
            .expect("receive")
        {
            return got.expect("read was called");
        }
        thread::yield_now();
    }
    panic!("no sample arrived");
}

/// Sends `bytes` as one sample.
fn send(sender: &mut impl Sender, bytes: &[u8]) {
    sender
        .send_with(bytes.len(), &mut |out| out.copy_from_slice(bytes))
        .expect("send");
}

/// Asserts that no service under `prefix` is left behind.
fn assert_no_services(prefix: &str) {
    let mut left = Vec::new();
    ipc::Service::list(Config::global_config(), |service| {
        let name = service.static_details.name().as_str();
        if name.starts_with(prefix) {
            left.push(String::from(name));
        }
        CallbackProgression::Continue
    })
    .expect("list services");
    assert!(left.is_empty(), "services left behind: {left:?}");
}

#[test]
fn round_trip_between_processes() {
    let prefix = unique_prefix("round-trip");
    {
        let mut transport = Iceoryx2::with_prefix(&prefix).expect("node");
        let mut ping = transport.sender(&echo_topic("ping")).expect("ping sender");
        let mut pong = transport
            .receiver(&echo_topic("pong"))
            .expect("pong receiver");
        let mut peer = Peer::spawn("echo", &prefix);
        peer.expect("ready");

        for len in [0, 1, 7, 64, 255, 256] {
            let bytes: Vec<u8> = (0..len).map(|i| (i * 31 + len) as u8 & 0x7F).collect();
            send(&mut ping, &bytes);
            assert_eq!(receive(&mut pong), bytes, "length {len}");
        }
        assert_eq!(
            ping.send_with(257, &mut |_| unreachable!()),
            Err(TransportError::TooLarge)
        );

        send(&mut ping, &[0xFF]);
        assert!(peer.wait(), "echo peer failed");
    }
    assert_no_services(&prefix);
}

#[test]
fn killed_peer_frees_its_slots() {
    let prefix = unique_prefix("killed");
    let topic = held_topic();
    {
        // iceoryx2's own dead-node scan on open is off, so what frees the
        // slots below is this transport's cleanup.
        let mut config = Config::global_config().clone();
        config.global.service.cleanup_dead_nodes_on_open = false;
        let mut transport = Iceoryx2::with_config(&prefix, &config).expect("node");
        let mut sender = transport.sender(&topic).expect("sender");

        let mut peer = Peer::spawn("holder", &prefix);
        peer.expect("open");
        // The peer took the only subscriber and the second publisher slot.
        assert_eq!(
            transport.receiver(&topic).err(),
            Some(TransportError::PoolExhausted)
        );
        assert_eq!(
            transport.sender(&topic).err(),
            Some(TransportError::PoolExhausted)
        );
        // Feed it until it holds a sample of ours and a loan of its own.
        let deadline = Instant::now() + PATIENCE;
        while !peer.printed("ready") {
            assert!(Instant::now() < deadline, "peer never got ready");
            send(&mut sender, &[1, 2, 3, 4]);
            thread::sleep(Duration::from_millis(10));
        }

        peer.child.kill().expect("SIGKILL");
        assert!(!peer.wait(), "killed peer reported success");

        let mut receiver = transport.receiver(&topic).expect("subscriber slot freed");
        let mut second = transport.sender(&topic).expect("publisher slot freed");
        // More samples than every queue and pool together, from both senders.
        for i in 0..32u8 {
            let bytes = [i; 64];
            let sender = if i % 2 == 0 { &mut sender } else { &mut second };
            send(sender, &bytes);
            assert_eq!(receive(&mut receiver), bytes);
        }
    }
    assert_no_services(&prefix);
}

/// The child side of the tests above; does nothing unless run by them.
#[test]
#[ignore = "run as a child process by the other tests"]
fn child() {
    let Ok(role) = std::env::var(CHILD_ENV) else {
        return;
    };
    let (role, prefix) = role.split_once(' ').expect("role and prefix");
    let mut transport = Iceoryx2::with_prefix(prefix).expect("node");
    match role {
        "echo" => echo(&mut transport),
        "holder" => hold(&mut transport),
        _ => panic!("unknown role {role}"),
    }
}

/// Echoes `ping` to `pong` until a sample starting with 0xFF.
fn echo(transport: &mut Iceoryx2) {
    let mut ping = transport
        .receiver(&echo_topic("ping"))
        .expect("ping receiver");
    let mut pong = transport.sender(&echo_topic("pong")).expect("pong sender");
    say("ready");
    let deadline = Instant::now() + PATIENCE;
    let mut done = false;
    while !done {
        assert!(Instant::now() < deadline, "echo peer gave up");
        let got = ping
            .receive_with(&mut |bytes| {
                done = bytes.first() == Some(&0xFF);
                if !done {
                    pong.send_with(bytes.len(), &mut |out| out.copy_from_slice(bytes))
                        .expect("echo");
                }
            })
            .expect("receive ping");
        if !got {
            thread::yield_now();
        }
    }
}

/// Takes the topic's slots, then holds a received sample and a loan until killed.
fn hold(transport: &mut Iceoryx2) {
    let mut sender = transport.sender(&held_topic()).expect("holder sender");
    let mut receiver = transport.receiver(&held_topic()).expect("holder receiver");
    say("open");
    let deadline = Instant::now() + PATIENCE;
    loop {
        assert!(Instant::now() < deadline, "holder got nothing");
        // Inside `read` the sample is held; inside `fill` the loan is.
        let got = receiver
            .receive_with(&mut |_| {
                let _ = sender.send_with(8, &mut |_| {
                    say("ready");
                    loop {
                        thread::sleep(Duration::from_secs(1));
                    }
                });
            })
            .expect("receive");
        if !got {
            thread::sleep(Duration::from_millis(1));
        }
    }
}

/// Prints `line` for the parent on a line of its own (the harness may have
/// begun one) and flushes it at once.
fn say(line: &str) {
    let mut out = std::io::stdout().lock();
    writeln!(out, "\n{line}").expect("stdout");
    out.flush().expect("stdout");
}
