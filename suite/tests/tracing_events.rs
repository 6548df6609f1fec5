//! With the `tracing` feature, every decision is one debug event with its outcome.

// tests may unwrap and index: a panic is a failed test, not a crash in a host
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::sync::{Arc, Mutex};

use permatrix::{Action, Policy, Record};
use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record as SpanRecord};
use tracing::{Event, Metadata, Subscriber};

/// The fields of one event, by name.
type EventFields = Vec<(String, String)>;

/// Keeps the fields of every `permatrix` event.
#[derive(Clone, Default)]
struct Events(Arc<Mutex<Vec<EventFields>>>);

struct Fields(Vec<(String, String)>);

impl Visit for Fields {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        self.0
            .push((field.name().to_string(), format!("{value:?}")));
    }
    fn record_str(&mut self, field: &Field, value: &str) {
        self.0.push((field.name().to_string(), value.to_string()));
    }
}

impl Subscriber for Events {
    fn enabled(&self, metadata: &Metadata<'_>) -> bool {
        metadata.target() == "permatrix"
    }
    fn new_span(&self, _: &Attributes<'_>) -> Id {
        Id::from_u64(1)
    }
    fn record(&self, _: &Id, _: &SpanRecord<'_>) {}
    fn record_follows_from(&self, _: &Id, _: &Id) {}
    fn event(&self, event: &Event<'_>) {
        let mut fields = Fields(Vec::new());
        event.record(&mut fields);
        self.0.lock().unwrap().push(fields.0);
    }
    fn enter(&self, _: &Id) {}
    fn exit(&self, _: &Id) {}
}

#[test]
fn one_debug_event_per_decision() {
    let auth = Policy::from_json(
        r#"{"version":1,"modules":{"deals":{}},
        "profiles":{"p":{"modules":{"deals":{"access":"on","actions":{"view":"owner","create":"owner"}}}}},
        "roles":{"r":{"profiles":["p"]}}, "users":{"ann":{"roles":["r"]},"bob":{}}}"#,
    )
    .unwrap()
    .compile()
    .unwrap();
    let (ann, bob) = (auth.user("ann").unwrap(), auth.user("bob").unwrap());
    let deals = auth.module("deals").unwrap();
    let events = Events::default();
    tracing::subscriber::with_default(events.clone(), || {
        assert!(auth.can(ann, Action::View, &Record::owned_by_user(deals, ann)));
        assert!(!auth.can(ann, Action::View, &Record::owned_by_user(deals, bob)));
        assert!(auth.can_module(ann, Action::Create, deals));
    });
    let seen = events.0.lock().unwrap();
    assert_eq!(seen.len(), 3, "{seen:?}");
    let field = |i: usize, name: &str| {
        seen[i]
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    assert_eq!(field(0, "user"), "ann");
    assert_eq!(field(0, "allowed"), "true");
    assert_eq!(field(1, "allowed"), "false");
    assert_eq!(field(1, "step"), "8");
    assert_eq!(field(2, "action"), "create");
    assert_eq!(field(2, "step"), "5");
}
