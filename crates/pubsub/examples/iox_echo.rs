//! The far end of an iceoryx2 latency benchmark: echoes `<prefix>/ping` to
//! `<prefix>/pong` until a sample whose first byte is 0xFF (not echoed).
//!
//! Usage: `iox_echo <prefix> [max-payload]` (max-payload defaults to 64).
//!
//! The driver opens both topics first, with the same [`TopicConfig`] this
//! example uses (`TopicConfig::new(name, max_payload)`, other fields at their
//! defaults), then spawns this binary and waits for the line `ready` on its
//! stdout:
//!
//! ```text
//! let mut iox = Iceoryx2::with_prefix(prefix)?;
//! let mut ping = iox.sender(&TopicConfig::new("ping", 64))?;
//! let mut pong = iox.receiver(&TopicConfig::new("pong", 64))?;
//! // spawn target/<profile>/examples/iox_echo <prefix>, read lines until "ready"
//! ping.send_with(64, &mut |b| b.fill(1))?;
//! while !pong.receive_with(&mut |b| { /* the echo */ })? {}
//! // ... and at the end:
//! ping.send_with(1, &mut |b| b[0] = 0xFF)?; // then wait for the child
//! ```
//!
//! Receiving polls: the echo spins, yielding the core now and then, and
//! exits by itself if its parent dies.

use std::hint;
use std::io::Write;
use std::process::ExitCode;
use std::thread;

use wasmbed_pubsub::transport::iceoryx2::Iceoryx2;
use wasmbed_pubsub::{Receiver, Sender, TopicConfig, Transport, TransportError};

/// Empty polls between two yields of the core.
const SPINS_PER_YIELD: u32 = 1 << 10;
/// Yields between two checks that the parent still lives.
const YIELDS_PER_PARENT_CHECK: u32 = 1 << 12;

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let Some(prefix) = args.next() else {
        eprintln!("usage: iox_echo <prefix> [max-payload]");
        return ExitCode::FAILURE;
    };
    let max_payload = match args.next().map(|s| s.parse::<u32>()) {
        None => 64,
        Some(Ok(n)) => n,
        Some(Err(e)) => {
            eprintln!("iox_echo: bad max-payload: {e}");
            return ExitCode::FAILURE;
        }
    };
    match echo(&prefix, max_payload) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("iox_echo: {e}");
            ExitCode::FAILURE
        }
    }
}

/// Echoes until the stop sample, or until the parent is gone.
fn echo(prefix: &str, max_payload: u32) -> Result<(), TransportError> {
    let mut iox = Iceoryx2::with_prefix(prefix)?;
    let mut ping = iox.receiver(&TopicConfig::new("ping", max_payload))?;
    let mut pong = iox.sender(&TopicConfig::new("pong", max_payload))?;
    let parent = std::os::unix::process::parent_id();
    {
        let mut out = std::io::stdout().lock();
        // The driver reads this line; if it is gone there is no one to echo for.
        writeln!(out, "ready").map_err(|_| TransportError::Closed)?;
        out.flush().map_err(|_| TransportError::Closed)?;
    }

    let (mut spins, mut yields) = (0u32, 0u32);
    loop {
        let mut stop = false;
        let mut sent = Ok(());
        let got = ping.receive_with(&mut |bytes| {
            stop = bytes.first() == Some(&0xFF);
            if !stop {
                sent = pong.send_with(bytes.len(), &mut |out| out.copy_from_slice(bytes));
            }
        })?;
        sent?;
        if stop {
            return Ok(());
        }
        if got {
            (spins, yields) = (0, 0);
            continue;
        }
        spins += 1;
        if spins < SPINS_PER_YIELD {
            hint::spin_loop();
            continue;
        }
        spins = 0;
        thread::yield_now();
        yields += 1;
        if yields >= YIELDS_PER_PARENT_CHECK {
            yields = 0;
            if std::os::unix::process::parent_id() != parent {
                return Err(TransportError::Closed);
            }
        }
    }
}
