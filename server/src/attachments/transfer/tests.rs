use std::time::Duration;

use confab_protocol::{AttachmentLimits, RoomCode};

use super::*;
use crate::attachments::FileStore;

#[tokio::test(start_paused = true)]
async fn a_stalled_upload_is_dropped_and_its_space_freed_after_the_timeout() {
    let limits = AttachmentLimits {
        max_file_bytes: 100,
        max_room_bytes: 100,
        max_relay_bytes: 100,
        ..AttachmentLimits::default()
    };
    let metrics = Arc::new(crate::metrics::Metrics::new());
    let store = Arc::new(FileStore::new(limits, Arc::clone(&metrics)));
    let room = RoomCode::parse("A").expect("valid code");
    let reservation = store.reserve(&room, 100).expect("fits");
    let timeout = Duration::from_secs(30);
    let slot = Arc::new(Mutex::new(Slot {
        pending: Some(Pending {
            client_id: 1,
            file_name: "f".into(),
            mime: String::new(),
            size: 100,
            data: vec![1; 10],
            reservation,
        }),
        deadline: Instant::now() + timeout,
        timed_out: false,
    }));
    let watchdog = tokio::spawn(watch(Arc::downgrade(&slot), Arc::clone(&metrics)));

    tokio::time::advance(timeout / 2).await;
    // A chunk arrived: the deadline moves on.
    lock(&slot).deadline = Instant::now() + timeout;
    tokio::time::advance(timeout - Duration::from_millis(1)).await;
    tokio::task::yield_now().await;
    assert_eq!(
        store.bytes(),
        100,
        "dropped before the timeout since the last chunk"
    );

    tokio::time::advance(Duration::from_millis(2)).await;
    watchdog.await.expect("watchdog ends");
    assert!(lock(&slot).timed_out && lock(&slot).pending.is_none());
    assert_eq!(store.bytes(), 0);
    assert_eq!(metrics.uploads_timed_out.get(), 1);
}
