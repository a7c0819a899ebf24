//! The `wasmbed` command.
//!
//! Every failure prints one line, `error: …`, naming what went wrong and
//! where, and exits with status 1; never a backtrace. What a guest is denied
//! while it runs is logged on stderr, one line each (`WASMBED_LOG` filters).

use std::io::{IsTerminal, Write};
use std::process::ExitCode;
use std::sync::Mutex;

use anyhow::{anyhow, Result};
use clap::{Parser, Subcommand};
use tracing_subscriber::filter::{EnvFilter, LevelFilter};
use tracing_subscriber::fmt::format::Writer;
use tracing_subscriber::fmt::{FmtContext, FormatEvent, FormatFields};
use tracing_subscriber::registry::LookupSpan;

mod app;
mod guest;
mod inspect;
mod layout;
mod lower;
mod run;
mod shrink;
mod threads_args;
mod wasi_args;
mod wit_text;
mod world;

#[derive(Parser)]
#[command(
    name = "wasmbed",
    version,
    about = "WIT-defined WebAssembly on embeddable core engines"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Runs a guest and calls one of its exports.
    Run(run::RunArgs),
    /// Shows a guest's naming scheme, world, imports and exports with their WIT types.
    Inspect(inspect::InspectArgs),
    /// Struct layouts that are the same bytes on every architecture.
    Layout(layout::LayoutArgs),
    /// Fixes a module's memory at its static data plus stack, in 1-byte pages.
    Shrink(shrink::ShrinkArgs),
    /// Compiles a world to the compact binary form a device decodes without WIT.
    World(world::WorldArgs),
    /// Lowers a component into one core module that core engines run.
    Lower(lower::LowerArgs),
}

/// Output piped into a reader that stops early (`wasmbed inspect x | head`)
/// ends the program quietly with 141, as a shell tool ends on SIGPIPE,
/// instead of a panic and its backtrace from `println!`.
fn quiet_on_closed_stdout() {
    let default = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let payload = info.payload();
        let text = payload
            .downcast_ref::<String>()
            .map(String::as_str)
            .or_else(|| payload.downcast_ref::<&str>().copied())
            .unwrap_or("");
        if text.starts_with("failed printing to stdout") && text.contains("Broken pipe") {
            std::process::exit(141);
        }
        default(info);
    }));
}

fn main() -> ExitCode {
    quiet_on_closed_stdout();
    let cli = Cli::parse();
    let result = init_log().and_then(|()| match cli.command {
        Command::Run(args) => run::run(args),
        Command::Inspect(args) => inspect::run(args),
        Command::Layout(args) => layout::run(args),
        Command::Shrink(args) => shrink::run(args),
        Command::World(args) => world::run(args),
        Command::Lower(args) => lower::run(args),
    });
    match result {
        Ok(code) => code,
        Err(e) => {
            // `{:#}` keeps anyhow's context chain on one line.
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

/// The environment variable that filters the log, in `EnvFilter` syntax (default `warn`).
const LOG_ENV: &str = "WASMBED_LOG";

/// Logs `tracing` events to stderr, one line each: `wasmbed: warning: wasi: denied: … func="path_open"`.
fn init_log() -> Result<()> {
    let filter = EnvFilter::builder()
        .with_default_directive(LevelFilter::WARN.into())
        .with_env_var(LOG_ENV)
        .from_env()
        .map_err(|e| {
            let value = std::env::var(LOG_ENV).unwrap_or_default();
            anyhow!("{LOG_ENV} `{value}`: {e}")
        })?;
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .event_format(Line {
            colour: std::io::stderr().is_terminal(),
        })
        .with_writer(|| LogStderr)
        .try_init()
        .map_err(|e| anyhow!("{LOG_ENV}: {e}"))
}

/// One log line: `wasmbed: LEVEL: message fields`, control characters escaped.
struct Line {
    /// Whether to colour the level (stderr is a terminal).
    colour: bool,
}

impl<S, N> FormatEvent<S, N> for Line
where
    S: tracing::Subscriber + for<'a> LookupSpan<'a>,
    N: for<'a> FormatFields<'a> + 'static,
{
    fn format_event(
        &self,
        ctx: &FmtContext<'_, S, N>,
        mut w: Writer<'_>,
        event: &tracing::Event<'_>,
    ) -> std::fmt::Result {
        let (level, ansi) = match *event.metadata().level() {
            tracing::Level::ERROR => ("error", "31"),
            tracing::Level::WARN => ("warning", "33"),
            tracing::Level::INFO => ("info", "32"),
            tracing::Level::DEBUG => ("debug", "34"),
            tracing::Level::TRACE => ("trace", "35"),
        };
        match self.colour {
            true => write!(w, "wasmbed: \x1b[1;{ansi}m{level}\x1b[0m: ")?,
            false => write!(w, "wasmbed: {level}: ")?,
        }
        let mut text = String::new();
        ctx.field_format()
            .format_fields(Writer::new(&mut text), event)?;
        // A guest chooses paths and names: it must not forge lines or colours.
        for c in text.chars() {
            match c.is_control() {
                true => write!(w, "{}", c.escape_default())?,
                false => w.write_char(c)?,
            }
        }
        writeln!(w)
    }
}

/// Whether the guest's stderr output ends mid-line. Guarding every write to
/// the process's stderr, it keeps log lines and guest lines whole.
static STDERR_MID_LINE: Mutex<bool> = Mutex::new(false);

fn stderr_mid_line() -> std::sync::MutexGuard<'static, bool> {
    STDERR_MID_LINE.lock().unwrap_or_else(|e| e.into_inner())
}

/// The guest's stderr: the process's, remembering whether a line is open.
pub(crate) struct GuestStderr;

impl Write for GuestStderr {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let mut mid_line = stderr_mid_line();
        let n = std::io::stderr().write(buf)?;
        if let Some(last) = buf[..n].last() {
            *mid_line = *last != b'\n';
        }
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        std::io::stderr().flush()
    }
}

/// The log's stderr: a log line starts on a line of its own.
struct LogStderr;

impl Write for LogStderr {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let mut mid_line = stderr_mid_line();
        let mut err = std::io::stderr().lock();
        if *mid_line {
            err.write_all(b"\n")?;
            *mid_line = false;
        }
        err.write_all(buf)?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        std::io::stderr().flush()
    }
}
