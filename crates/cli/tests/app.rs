//! `wasmbed run app.toml`: the pub/sub demo, and the manifest's one-line errors.

mod common;

use common::{repo, wasmbed};
use std::path::Path;

/// `examples/pubsub/app.toml` with `edit` applied, in `dir` beside copies of the demo's guests.
fn app_with(dir: &Path, edit: impl Fn(String) -> String) -> String {
    for g in ["sensor", "filter"] {
        let from = repo().join(format!("examples/pubsub/{g}.wasm"));
        std::fs::copy(from, dir.join(format!("{g}.wasm"))).unwrap();
    }
    let text = std::fs::read_to_string(repo().join("examples/pubsub/app.toml")).unwrap();
    let file = dir.join("app.toml");
    std::fs::write(&file, edit(text)).unwrap();
    file.display().to_string()
}

#[test]
fn the_demo_prints_each_summary_in_order_and_the_copy_counts() {
    let (code, out, err) = wasmbed(&["run", "examples/pubsub/app.toml"]);
    assert_eq!(code, 0, "{err}");
    let summaries: Vec<&str> = out
        .lines()
        .filter(|l| l.starts_with("logger: filtered"))
        .collect();
    assert_eq!(summaries.len(), 8, "{out}");
    assert!(
        summaries[3].ends_with("{seq: 3, mean-milli-celsius: 21950, rejected: 1}"),
        "{out}"
    );
    assert!(
        summaries.iter().all(|l| l.contains("in place in `filter`")),
        "{out}"
    );
    assert!(
        out.contains("topic `frames`: 8 published, 8 delivered, 8 received, 8 copies (128 bytes)"),
        "{out}"
    );
    assert!(
        out.contains("topic `filtered`: 8 published, 8 delivered, 8 received, 0 copies"),
        "{out}"
    );
}

#[test]
fn a_grant_on_an_undeclared_topic_is_one_line() {
    let dir = tempfile::tempdir().unwrap();
    let app = app_with(dir.path(), |t| {
        t.replace("publish = [\"filtered\"]", "publish = [\"filtred\"]")
    });
    let (code, out, err) = wasmbed(&["run", &app]);
    assert_eq!(code, 1);
    assert!(out.is_empty(), "{out}");
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.contains(
            "guest `filter` may publish on `filtred`, but no topic of that name is declared"
        ),
        "{err}"
    );
}

#[test]
fn a_guest_granted_nothing_is_refused_at_link_time() {
    let dir = tempfile::tempdir().unwrap();
    let app = app_with(dir.path(), |t| t.replace("publish = [\"frames\"]\n", ""));
    let (code, _, err) = wasmbed(&["run", &app]);
    assert_eq!(code, 1);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("grants guest `sensor` no topic"), "{err}");
}

#[test]
fn a_topic_granted_but_not_the_one_opened_is_a_denied_value() {
    // The sensor may publish on "filtered" only: its `open` of "frames" returns `denied`.
    let dir = tempfile::tempdir().unwrap();
    let app = app_with(dir.path(), |t| {
        t.replacen("publish = [\"frames\"]", "publish = [\"filtered\"]", 1)
    });
    let (code, _, err) = wasmbed(&["run", &app]);
    assert_eq!(code, 1);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.contains("guest `sensor`: init failed: denied: no grant for this topic"),
        "{err}"
    );
}

#[test]
fn an_unknown_manifest_key_is_one_line() {
    let dir = tempfile::tempdir().unwrap();
    let app = app_with(dir.path(), |t| {
        t.replace("queue-depth = 4", "queue-dept = 4")
    });
    let (code, _, err) = wasmbed(&["run", &app]);
    assert_eq!(code, 1);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("unknown field `queue-dept`"), "{err}");
}
