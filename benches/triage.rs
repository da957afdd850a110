//! Triage throughput: every message of the triage corpus (tests/corpus/*.eml) parsed and
//! classified in a loop on one thread, as `tldops poll` does for each message it stores.
//!
//! `taskset -c 0 cargo bench --bench triage` (benches/run does this). Prints one line per
//! measurement and a last line `triage: N messages/s` that benches/run reads.

use std::hint::black_box;
use std::time::{Duration, Instant};

use tldops::domain::message::parse;
use tldops::domain::triage;

/// The world of the corpus (tests/corpus/README.md): the same context the tests build.
#[path = "../tests/integration/support/corpus.rs"]
#[allow(dead_code)]
mod corpus_world;

use corpus_world::{DIR as CORPUS, context};

fn corpus() -> Vec<(String, Vec<u8>)> {
    let mut files: Vec<(String, Vec<u8>)> = std::fs::read_dir(CORPUS)
        .expect("tests/corpus (run from the repository root)")
        .filter_map(|e| {
            let path = e.ok()?.path();
            let name = path.file_name()?.to_string_lossy().into_owned();
            name.ends_with(".eml")
                .then(|| (name, std::fs::read(&path).expect("corpus file")))
        })
        .collect();
    files.sort();
    files
}

/// Runs `one` over the whole corpus repeatedly for about `budget`; returns messages per second.
fn measure(files: &[(String, Vec<u8>)], budget: Duration, one: impl Fn(&[u8]) -> usize) -> f64 {
    let start = Instant::now();
    let mut messages = 0u64;
    let mut sink = 0usize;
    while start.elapsed() < budget {
        for (_, raw) in files {
            sink = sink.wrapping_add(one(raw));
            messages += 1;
        }
    }
    black_box(sink);
    messages as f64 / start.elapsed().as_secs_f64()
}

fn main() {
    let ctx = context();
    let files = corpus();
    assert!(!files.is_empty(), "no .eml files in {CORPUS}");
    let bytes: usize = files.iter().map(|(_, b)| b.len()).sum();
    let full = |raw: &[u8]| {
        let msg = parse(raw, true);
        let d = triage::triage(&msg, &ctx);
        d.contacts.len() + d.why.len()
    };
    let headers_only = |raw: &[u8]| {
        let msg = parse(raw, false);
        let d = triage::triage(&msg, &ctx);
        d.contacts.len() + d.why.len()
    };
    // Warm up caches and the allocator.
    measure(&files, Duration::from_millis(300), full);
    let rate_headers = measure(&files, Duration::from_secs(2), headers_only);
    let rate = measure(&files, Duration::from_secs(3), full);
    println!(
        "corpus: {} messages, {:.0} KiB, mean {:.1} KiB",
        files.len(),
        bytes as f64 / 1024.0,
        bytes as f64 / 1024.0 / files.len() as f64
    );
    println!("triage (headers only, as the first pass): {rate_headers:.0} messages/s");
    println!(
        "triage: {rate:.0} messages/s ({:.1} MiB/s) parse + triage, one thread",
        rate * (bytes as f64 / files.len() as f64) / (1024.0 * 1024.0)
    );
}
