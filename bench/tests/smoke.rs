//! A short load run against the real relay on 127.0.0.1:0: everything sent arrives, once
//! and in order. No timing assertions: this machine's speed is not what is tested.

use std::time::Duration;

use confab_bench::load::{self, LoadOptions};
use confab_server::Config;
use tokio::net::TcpListener;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_short_load_run_loses_and_duplicates_nothing() {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let server = listener.local_addr().expect("address");
    let config = Config {
        messages_per_second: 100_000,
        burst: 100_000,
        ..Config::default()
    };
    let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
    let relay = tokio::spawn(confab_server::run(listener, config, async {
        let _ = stop_rx.await;
    }));
    let options = LoadOptions {
        server: vec![server],
        clients: 6,
        rooms: 2,
        senders: 2,
        rate: 0.0,
        window: 4,
        duration: 1.0,
        size: 32,
        drain: 5.0,
        join_concurrency: 4,
        settle: 0.2,
        server_pid: None,
    };
    let report = tokio::time::timeout(Duration::from_secs(30), load::run(&options))
        .await
        .expect("the run finishes");
    let _ = stop_tx.send(());
    let _ = tokio::time::timeout(Duration::from_secs(10), relay).await;

    assert_eq!(report.connected, 6, "{report:?}");
    assert_eq!(report.connect_errors, 0, "{report:?}");
    assert!(report.sent > 0, "{report:?}");
    assert_eq!(report.lost, 0, "{report:?}");
    assert_eq!(report.duplicated, 0, "{report:?}");
    assert_eq!(report.out_of_order, 0, "{report:?}");
    // Each message reaches the three members of its sender's room, the sender included.
    assert_eq!(report.deliveries, report.sent * 3, "{report:?}");
}
