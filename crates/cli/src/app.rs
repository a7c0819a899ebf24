//! `wasmbed run app.toml`: an application of several guests and native
//! components on one pub/sub bus, each granted its topics by the manifest.
//! See `docs/pubsub.md`.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{anyhow, bail, Context, Result};
use serde::Deserialize;
use wasmbed::{Limits, Linker, Wasmi};
use wasmbed_pubsub::{Broker, Bus, Grants, Overflow, PubSubCtx, Subscriber, TopicConfig};

use crate::guest::{load, WorldArgs};

/// An application manifest.
#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct App {
    app: AppSection,
    #[serde(default)]
    topic: Vec<TopicEntry>,
    #[serde(default)]
    guest: Vec<GuestEntry>,
    #[serde(default)]
    native: Vec<NativeEntry>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct AppSection {
    name: String,
    /// The most rounds; the application ends sooner when every guest is done.
    ticks: u64,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct TopicEntry {
    name: String,
    max_payload: u32,
    queue_depth: Option<u32>,
    max_held: Option<u32>,
    max_loans: Option<u32>,
    max_publishers: Option<u32>,
    max_subscribers: Option<u32>,
    overflow: Option<OverflowEntry>,
    native_blocks: Option<u32>,
}

#[derive(Deserialize, Clone, Copy)]
#[serde(rename_all = "kebab-case")]
enum OverflowEntry {
    DropOldest,
    Refuse,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct GuestEntry {
    name: String,
    wasm: PathBuf,
    #[serde(default)]
    publish: Vec<String>,
    #[serde(default)]
    subscribe: Vec<String>,
    fuel: Option<u64>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct NativeEntry {
    name: String,
    /// The built-in component: `logger` prints every sample it receives.
    kind: NativeKind,
    #[serde(default)]
    subscribe: Vec<String>,
    /// How the logger shows a sample: fields such as `seq:u32 mean:i32`, else hex.
    format: Option<String>,
}

#[derive(Deserialize, Clone, Copy)]
#[serde(rename_all = "kebab-case")]
enum NativeKind {
    Logger,
}

/// The host data of an application's guest.
struct AppHost {
    ps: PubSubCtx,
}

fn topic_config(t: &TopicEntry) -> TopicConfig {
    let mut c = TopicConfig::new(t.name.clone(), t.max_payload);
    let set = |v: Option<u32>, d: u32| v.unwrap_or(d);
    c.queue_depth = set(t.queue_depth, c.queue_depth);
    c.max_held = set(t.max_held, c.max_held);
    c.max_loans = set(t.max_loans, c.max_loans);
    c.max_publishers = set(t.max_publishers, c.max_publishers);
    c.max_subscribers = set(t.max_subscribers, c.max_subscribers);
    c.native_blocks = set(t.native_blocks, c.native_blocks);
    c.overflow = match t.overflow {
        Some(OverflowEntry::Refuse) => Overflow::Refuse,
        _ => Overflow::DropOldest,
    };
    c
}

/// Checks that every grant names a declared topic (or is a pattern).
fn check_grants(
    file: &str,
    who: &str,
    verb: &str,
    grants: &[String],
    topics: &BTreeSet<&str>,
) -> Result<()> {
    for g in grants {
        if !g.ends_with('*') && !topics.contains(g.as_str()) {
            bail!("{file}: {who} may {verb} `{g}`, but no topic of that name is declared");
        }
    }
    Ok(())
}

/// Whether `path` names an application manifest rather than a guest.
pub(crate) fn is_app(path: &Path) -> bool {
    path.extension().is_some_and(|e| e == "toml")
}

pub(crate) fn run(path: &Path) -> Result<ExitCode> {
    let file = path.display().to_string();
    let text = std::fs::read_to_string(path).with_context(|| file.clone())?;
    let app: App = toml::from_str(&text).map_err(|e| anyhow!("{file}: {}", e.message().trim()))?;
    let dir = path.parent().unwrap_or(Path::new("."));
    let broker = Broker::new();
    for t in &app.topic {
        broker
            .add_topic(topic_config(t))
            .map_err(|e| anyhow!("{file}: topic `{}`: {e}", t.name))?;
    }
    let names: BTreeSet<&str> = app.topic.iter().map(|t| t.name.as_str()).collect();

    let engine = Wasmi::with_fuel();
    let mut linker = Linker::<AppHost>::new();
    wasmbed_pubsub::add_to_linker(&mut linker, |h| &mut h.ps);
    let mut bus = Bus::<Wasmi, AppHost>::new(&broker);
    let mut guests = Vec::new();
    for g in &app.guest {
        let who = format!("guest `{}`", g.name);
        check_grants(&file, &who, "publish on", &g.publish, &names)?;
        check_grants(&file, &who, "subscribe to", &g.subscribe, &names)?;
        let wasm_path = dir.join(&g.wasm);
        let guest = load(
            &wasm_path,
            &WorldArgs {
                wit: None,
                world: None,
            },
            &engine,
        )?;
        let grants = Grants {
            publish: g.publish.clone(),
            subscribe: g.subscribe.clone(),
        };
        // Denied at link time when nothing at all is granted.
        let mut linker = linker.clone();
        if grants.is_empty() {
            let why = format!("{file} grants {who} no topic");
            linker.deny_interface(wasmbed_pubsub::INTERFACE, &why);
        }
        let ps = PubSubCtx::new(&broker, grants);
        let part = ps.part();
        let limits = Limits {
            fuel: Some(g.fuel.unwrap_or(u64::MAX)),
            ..Limits::default()
        };
        let instance = linker
            .instantiate(&guest, AppHost { ps }, limits)
            .with_context(|| format!("{}: {who}", wasm_path.display()))?;
        let i = bus.add(instance, part);
        match bus.init(i).with_context(|| format!("{who}: init"))? {
            Ok(()) => {}
            Err(e) => bail!(
                "{who}: init failed: {}",
                wasmbed_pubsub::PubSubError::from(e)
            ),
        }
        guests.push((g.name.clone(), i));
    }

    let mut natives = Vec::new();
    for n in &app.native {
        let who = format!("native `{}`", n.name);
        check_grants(&file, &who, "subscribe to", &n.subscribe, &names)?;
        let part = broker.add_native(Grants {
            publish: vec![],
            subscribe: n.subscribe.clone(),
        });
        let NativeKind::Logger = n.kind;
        let format =
            Format::parse(n.format.as_deref()).with_context(|| format!("{file}: {who}"))?;
        for t in &n.subscribe {
            let sub =
                Subscriber::open(&broker, part, t).map_err(|e| anyhow!("{who}: `{t}`: {e}"))?;
            natives.push((n.name.clone(), t.clone(), sub, format.clone()));
        }
    }

    println!(
        "app `{}`: {} guests, {} native components",
        app.app.name,
        guests.len(),
        app.native.len()
    );
    let mut running: Vec<bool> = vec![true; guests.len()];
    let mut trapped = false;
    for tick in 0..app.app.ticks {
        for (k, (name, i)) in guests.iter().enumerate() {
            if !running[k] {
                continue;
            }
            match bus.step(*i, tick) {
                Ok(more) => running[k] = more,
                Err(e) => {
                    // The broker took back what it held; the others go on.
                    eprintln!("wasmbed: warning: guest `{name}` trapped at tick {tick}: {e}");
                    running[k] = false;
                    trapped = true;
                }
            }
        }
        for (name, topic, sub, format) in &natives {
            while let Some(s) = sub.receive().map_err(|e| anyhow!("native `{name}`: {e}"))? {
                let where_ = match s.block().store {
                    wasmbed_pubsub::Store::Guest(p) => {
                        let g = guests.iter().find(|(_, i)| {
                            bus.instance(*i).is_some_and(|x| x.data().ps.part() == p)
                        });
                        format!("in place in `{}`", g.map_or("?", |(n, _)| n.as_str()))
                    }
                    wasmbed_pubsub::Store::Native(_) => "in the topic's blocks".into(),
                };
                let shown = bus.read(&s, |b| format.show(b)).unwrap_or_default();
                println!("{name}: {topic} [{} bytes, {where_}] {shown}", s.len());
            }
        }
        if running.iter().all(|r| !r) {
            break;
        }
    }
    for t in &app.topic {
        let s = broker.stats(broker.topic(&t.name).expect("declared"));
        println!(
            "topic `{}`: {} published, {} delivered, {} received, {} copies ({} bytes), {} dropped, {} refused",
            t.name, s.published, s.delivered, s.received, s.copies, s.copied_bytes, s.dropped, s.refused
        );
    }
    Ok(if trapped {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

/// How a logger shows a sample's bytes.
#[derive(Clone)]
enum Format {
    Hex,
    Fields(Vec<(String, Field)>),
}

#[derive(Clone, Copy)]
enum Field {
    U32,
    I32,
    F32,
    U8,
}

impl Format {
    fn parse(spec: Option<&str>) -> Result<Format> {
        let Some(spec) = spec else {
            return Ok(Format::Hex);
        };
        let mut fields = Vec::new();
        for f in spec.split_whitespace() {
            let (name, ty) = f
                .split_once(':')
                .ok_or_else(|| anyhow!("format field `{f}`: expected NAME:TYPE"))?;
            let ty = match ty {
                "u32" => Field::U32,
                "i32" => Field::I32,
                "f32" => Field::F32,
                "u8" => Field::U8,
                _ => bail!("format field `{f}`: type `{ty}` is not one of u8, u32, i32, f32"),
            };
            fields.push((name.to_string(), ty));
        }
        Ok(Format::Fields(fields))
    }

    fn show(&self, b: &[u8]) -> String {
        match self {
            Format::Hex => b
                .iter()
                .map(|x| format!("{x:02x}"))
                .collect::<Vec<_>>()
                .join(""),
            Format::Fields(fields) => {
                let mut at = 0;
                let mut out = Vec::new();
                for (name, ty) in fields {
                    let n = if matches!(ty, Field::U8) { 1 } else { 4 };
                    let Some(bytes) = b.get(at..at + n) else {
                        out.push(format!("{name}: (short)"));
                        break;
                    };
                    let v = match ty {
                        Field::U8 => bytes[0].to_string(),
                        Field::U32 => {
                            u32::from_le_bytes(bytes.try_into().unwrap_or_default()).to_string()
                        }
                        Field::I32 => {
                            i32::from_le_bytes(bytes.try_into().unwrap_or_default()).to_string()
                        }
                        Field::F32 => {
                            f32::from_le_bytes(bytes.try_into().unwrap_or_default()).to_string()
                        }
                    };
                    out.push(format!("{name}: {v}"));
                    at += n;
                }
                format!("{{{}}}", out.join(", "))
            }
        }
    }
}
