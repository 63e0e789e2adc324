//! Any bytes, as what a TUF repository serves and what a client's cache holds: the input is cut at
//! 0xff bytes; the first piece is the cached snapshot.json, each following piece answers the next
//! request (its first byte picks the status, the rest is the body). A refresh and a target
//! download from Sigstore's pinned production root walk over them, online and offline. Whatever
//! comes back, the answer is an outcome or an error, never a panic, a hang or unbounded memory.
#![no_main]

use std::collections::BTreeMap;

use libfuzzer_sys::fuzz_target;
use sigstore_wasm::crypto::RustCrypto;
use sigstore_wasm::http::{Exchange, Reply, Response};
use sigstore_wasm::time::Timestamp;
use sigstore_wasm::trust::tuf_root;
use sigstore_wasm::tuf::{self, Mode, Repository, Start, TargetRequest};

const STATUSES: [u16; 4] = [200, 404, 200, 403];

fuzz_target!(|data: &[u8]| {
    let Some(root) = tuf_root("production") else { return };
    let mut pieces = data.split(|&b| b == 0xff);
    let snapshot = pieces.next().unwrap_or_default();
    let cached = BTreeMap::from([
        ("snapshot.json".to_owned(), snapshot.to_vec()),
        ("timestamp.json".to_owned(), snapshot.to_vec()),
        ("root_history/17.root.json".to_owned(), snapshot.to_vec()),
    ]);
    let repository = Repository::new("https://tuf.example/metadata", "https://tuf.example/targets");
    let now = Timestamp::from_unix(1_760_000_000);
    let target = Some(TargetRequest { path: "trusted_root.json", cached: Some(snapshot) });
    let mut reply = move |request: &sigstore_wasm::http::Request| match pieces.next() {
        Some([pick, body @ ..]) if body.len() <= request.max_bytes => {
            Reply::Response(Response::new(STATUSES[usize::from(pick % 4)], vec![], body.to_vec()))
        }
        Some(_) => Reply::TooLarge,
        None => Reply::Failed("no more replies".to_owned()),
    };
    for mode in [Mode::Online, Mode::Offline] {
        let start = Start { root, cached: &cached, now, mode };
        let _ = Exchange::default()
            .complete(|fetch| tuf::update(fetch, &repository, start, target, &RustCrypto), &mut reply);
    }
});
