//! Sustained floods are measured over time (a decaying strike score), not as refusals in
//! a row; a flooder is answered once, not once per refused frame, and gets its 1008
//! Close; typing hints have their own budget and never make a chat wait.

use std::time::Duration;

use confab_protocol::{ClientMessage, ErrorCode, ServerMessage};
use confab_server::Config;
use confab_tests::{Event, TestRelay, test_config};

#[tokio::test]
async fn a_sender_at_ten_times_the_rate_is_cut_off_even_though_some_messages_get_through() {
    let config = Config {
        messages_per_second: 4,
        burst: 1,
        max_rate_strikes: 20,
        ..test_config()
    };
    let relay = TestRelay::start(config).await;
    let (_, mut members) = relay.room_with(&["ann"]).await;
    let ann = &mut members[0];
    let (mut refused_seen, mut through_after_refusal, mut errors) = (false, 0, 0);
    let mut end = None;
    // 40 messages a second: one every 25 ms, reading what arrives in between.
    for id in 0..400u64 {
        if ann
            .try_send(&ClientMessage::Chat {
                reply_to: None,
                client_id: id,
                text: "flood".into(),
            })
            .await
            .is_err()
        {
            break;
        }
        while let Some(event) = ann.next_event_within(Duration::from_millis(25)).await {
            match event {
                Event::Message(ServerMessage::Chat(_)) if refused_seen => {
                    through_after_refusal += 1;
                }
                Event::Message(ServerMessage::Error(e)) if e.code == ErrorCode::RateLimited => {
                    refused_seen = true;
                    errors += 1;
                }
                Event::Message(_) => {}
                other => end = Some(other),
            }
            if end.is_some() {
                break;
            }
        }
        if end.is_some() {
            break;
        }
    }
    if end.is_none() {
        end = Some(ann.read_to_end().await.1);
    }
    assert_eq!(
        end,
        Some(Event::Close(Some(1008))),
        "a close frame, not a reset"
    );
    assert!(
        through_after_refusal >= 1,
        "some messages got through between refusals"
    );
    assert!(
        errors <= through_after_refusal + 2,
        "{errors} errors for {through_after_refusal} accepted: one per refused run at most, \
         plus the last one before the close"
    );
}

#[tokio::test]
async fn a_sender_that_waits_as_told_after_each_refusal_is_slowed_but_never_cut_off() {
    // Three strikes would close it, but it waits `retry_after_ms` every time: the refusals
    // after the first are not strikes, however many there are.
    let config = Config {
        messages_per_second: 20,
        burst: 1,
        max_rate_strikes: 3,
        ..test_config()
    };
    let relay = TestRelay::start(config).await;
    let (_, mut members) = relay.room_with(&["ann"]).await;
    let ann = &mut members[0];
    let mut refusals = 0;
    for id in 0..30u64 {
        loop {
            ann.send(&ClientMessage::Chat {
                reply_to: None,
                client_id: id,
                text: format!("line {id}"),
            })
            .await;
            let wait = loop {
                match ann.next_event_within(Duration::from_secs(5)).await {
                    Some(Event::Message(ServerMessage::Chat(chat)))
                        if chat.client_id == Some(id) =>
                    {
                        break None;
                    }
                    Some(Event::Message(ServerMessage::Error(e)))
                        if e.code == ErrorCode::RateLimited =>
                    {
                        assert_eq!(e.client_id, Some(id), "{e:?}");
                        break Some(e.retry_after_ms.expect("a refusal says how long to wait"));
                    }
                    Some(Event::Message(_)) => {}
                    other => panic!("line {id}: {other:?} after {refusals} refusals"),
                }
            };
            match wait {
                None => break,
                Some(ms) => {
                    refusals += 1;
                    tokio::time::sleep(Duration::from_millis(ms)).await;
                }
            }
        }
    }
    assert!(
        refusals > 3,
        "the sender went faster than the rate ({refusals} refusals), so strikes would have closed it"
    );
}

#[tokio::test]
async fn typing_hints_around_every_message_never_make_a_chat_wait() {
    // The relay's real limits: 5 a second, a burst of 20.
    let relay = TestRelay::start(Config {
        max_failed_joins: 10_000,
        ..Config::default()
    })
    .await;
    let (_, mut members) = relay.room_with(&["ann"]).await;
    let ann = &mut members[0];
    for id in 1..=15u64 {
        ann.typing(true).await;
        ann.chat(id, "typed by hand").await;
        ann.typing(false).await;
    }
    // A last chat as the marker: an answer to any hint above (a refusal) would come
    // before its echo, and `recv_chat` takes nothing but chats.
    ann.chat(16, "the end").await;
    for id in 1..=16u64 {
        let chat = ann.recv_chat().await;
        assert_eq!(chat.client_id, Some(id));
    }
}
