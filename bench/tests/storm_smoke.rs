//! A tiny reconnect storm against the real relay in-process: four members in a permanent
//! room, the relay stopped and a new one started on the same address; every member comes
//! back to its room, and nothing it saw has a silent hole, a repeat or an unconfirmed chat.
//! A few seconds; no timing assertions.

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use confab_bench::storm::BackoffPolicy;
use confab_bench::storm::member;
use confab_bench::storm::plan::{Entry, Phase, Plan};
use confab_bench::storm::tally::Tally;
use confab_server::Config;
use tokio::sync::{oneshot, watch};

const MEMBERS: usize = 4;

/// Starts a relay with the permanent room `s0` on `addr`; send to the sender to stop it.
fn relay(addr: std::net::SocketAddr) -> (oneshot::Sender<()>, tokio::task::JoinHandle<()>) {
    let listener = confab_server::bind(addr).expect("bind");
    let config = Config {
        messages_per_second: 100_000,
        burst: 100_000,
        permanent_rooms: vec!["s0".into()],
        ..Config::default()
    };
    let (stop_tx, stop_rx) = oneshot::channel::<()>();
    let task = tokio::spawn(async move {
        let _ = confab_server::run(listener, config, async {
            let _ = stop_rx.await;
        })
        .await;
    });
    (stop_tx, task)
}

async fn until(what: &str, done: impl Fn() -> bool) {
    let waited = tokio::time::timeout(Duration::from_secs(20), async {
        while !done() {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    });
    waited
        .await
        .unwrap_or_else(|_| panic!("timed out waiting until {what}"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn members_come_back_after_a_relay_restart_with_nothing_silently_lost() {
    let addr = {
        let probe = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        probe.local_addr().expect("address")
    };
    let (stop, first) = relay(addr);
    let tally = Arc::new(Tally::new(MEMBERS, 1));
    let (phase_tx, phase_rx) = watch::channel(Phase::Setup);
    let mut members = Vec::new();
    for index in 0..MEMBERS {
        let plan = Plan {
            index,
            room: 0,
            entry: Entry::Join("s0".into()),
            relays: vec![addr],
            send_every: Some(Duration::from_millis(50)),
            send_offset: Duration::from_millis(10 * index as u64),
            size: 32,
            policy: BackoffPolicy::Jittered,
            max_unconfirmed: 64,
        };
        let (first_tx, first_rx) = oneshot::channel();
        members.push(tokio::spawn(member::run(
            plan,
            Arc::clone(&tally),
            phase_rx.clone(),
            first_tx,
        )));
        assert!(matches!(first_rx.await, Ok(Ok(_))), "member {index} joins");
    }
    let _ = phase_tx.send(Phase::Sending);
    tokio::time::sleep(Duration::from_millis(300)).await;

    let _ = stop.send(());
    let _ = tokio::time::timeout(Duration::from_secs(10), first).await;
    let (stop, second) = relay(addr);
    let all_back = || tally.joined.iter().all(|j| j.load(Ordering::Relaxed));
    until("every member is back", all_back).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let _ = phase_tx.send(Phase::Quiet);
    let caught_up = || {
        let newest = tally
            .next_seq
            .iter()
            .map(|n| n.load(Ordering::Relaxed))
            .max();
        tally
            .unconfirmed
            .iter()
            .all(|n| n.load(Ordering::Relaxed) == 0)
            && tally
                .next_seq
                .iter()
                .all(|n| Some(n.load(Ordering::Relaxed)) == newest)
    };
    until("every member has every chat", caught_up).await;
    let _ = phase_tx.send(Phase::Stop);
    for member in members {
        let outcome = member.await.expect("member task");
        assert_eq!(outcome.reconnects, 1, "{outcome:?}");
        assert_eq!(
            outcome.ledger.fresh, 1,
            "a restarted relay forgot the token"
        );
        assert_eq!(outcome.ledger.holes, 0, "{outcome:?}");
        assert_eq!(outcome.ledger.duplicates, 0, "{outcome:?}");
        assert_eq!(outcome.repeated_texts, 0, "{outcome:?}");
        assert_eq!(outcome.unconfirmed, 0, "{outcome:?}");
        assert!(outcome.sends.confirmed > 0, "{outcome:?}");
    }
    let _ = stop.send(());
    let _ = tokio::time::timeout(Duration::from_secs(10), second).await;
}
