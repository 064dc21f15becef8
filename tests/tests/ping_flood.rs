//! A peer that pings flat out and never reads: the relay's memory stays bounded (pongs
//! coalesce, the write buffer has a ceiling), and under the default rate limit the pings
//! themselves count as frames, so the flooder is cut off.

use std::time::{Duration, Instant};

use confab_server::Config;
use confab_tests::raw::{RawClient, encode};
use confab_tests::{STEP, TestRelay, test_config};
use tokio::io::AsyncWriteExt;

/// How long the memory test floods. Long enough that the old unbounded pong buffer grew
/// by many MiB (about 0.6 MiB/s measured against a release relay, more with large pings).
const FLOOD: Duration = Duration::from_secs(12);

/// This process's resident memory in KiB (the relay runs in this process, and the raw
/// client holds nothing that grows).
fn rss_kib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").expect("/proc/self/status");
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmRSS:"))
        .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
        .expect("a VmRSS line")
}

/// 64 pings with the largest payload a control frame may carry, as one write.
fn ping_batch() -> Vec<u8> {
    let one = encode(0x89, &[b'p'; 125]);
    one.repeat(64)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_ping_flood_that_never_reads_does_not_grow_relay_memory() {
    // No rate limit to speak of, so this measures the buffering alone.
    let relay = TestRelay::start(Config {
        messages_per_second: u32::MAX / 2,
        burst: u32::MAX / 2,
        ..test_config()
    })
    .await;
    let mut raw = RawClient::upgraded_with_small_buffer(relay.addr, 4096).await;
    let batch = ping_batch();
    let started = Instant::now();
    let mut baseline = None;
    let mut pings = 0u64;
    while started.elapsed() < FLOOD {
        // A relay that stops reading us (its own buffers full) is fine: that is the bound.
        match tokio::time::timeout(Duration::from_millis(200), raw.tcp.write_all(&batch)).await {
            Ok(Ok(())) => pings += 64,
            Ok(Err(_)) => break,
            Err(_) => {}
        }
        if baseline.is_none() && started.elapsed() > Duration::from_secs(2) {
            baseline = Some(rss_kib());
        }
    }
    let baseline = baseline.expect("the flood ran past its warm-up");
    let grown = rss_kib().saturating_sub(baseline);
    eprintln!("{pings} pings sent; relay process RSS grew by {grown} KiB");
    assert!(
        grown < 8 * 1024,
        "RSS grew by {grown} KiB under a ping flood ({pings} pings)"
    );
}

#[tokio::test]
async fn a_ping_flood_under_the_default_rate_limit_is_cut_off() {
    let relay = TestRelay::start(Config::default()).await;
    let mut raw = RawClient::upgraded_with_small_buffer(relay.addr, 4096).await;
    let batch = ping_batch();
    let cut_off = tokio::time::timeout(STEP * 2, async {
        loop {
            if raw.tcp.write_all(&batch).await.is_err() {
                return;
            }
        }
    })
    .await;
    assert!(cut_off.is_ok(), "the relay kept taking pings at full speed");
}
