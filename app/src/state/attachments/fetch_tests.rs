//! Where downloads are at: never dropped, failed visibly when their room is gone, fresh
//! after leaving and joining again.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use confab_protocol::{
    Attachment, ClientMessage, ErrorCode, RoomCode, ServerMessage, WelcomeMessage,
};

use super::tests::{descriptor, joined, name, notices, sent, welcome};
use crate::state::{Effect, FetchStatus, Intent, Now, Purpose};

fn picture(n: usize) -> Attachment {
    Attachment {
        id: format!("{n:032}"),
        name: format!("p{n}.png"),
        sniffed_mime: Some("image/png".into()),
        ..descriptor(2)
    }
}

/// The whole of `a` (2 bytes) in one chunk.
fn whole(a: &Attachment) -> ServerMessage {
    ServerMessage::AttachmentChunk {
        id: a.id.clone(),
        offset: 0,
        size: 2,
        data: STANDARD.encode(b"ok"),
    }
}

fn asked_for(effects: &[Effect]) -> Vec<String> {
    sent(effects)
        .into_iter()
        .filter_map(|m| match m {
            ClientMessage::FetchAttachment { id, offset: 0 } => Some(id),
            _ => None,
        })
        .collect()
}

#[test]
fn forty_pictures_asked_for_at_once_all_wait_their_turn_and_all_come_down() {
    let now = Now::current();
    let mut m = joined(now);
    let pictures: Vec<Attachment> = (0..40).map(picture).collect();
    let mut asked = Vec::new();
    for p in &pictures {
        asked.extend(asked_for(&m.fetch(p, Purpose::Show, now)));
    }
    assert_eq!(asked.len(), 1, "one download at a time");
    for p in &pictures {
        assert!(
            m.attachments.fetch_status(&p.id).is_some(),
            "{} was dropped",
            p.name
        );
    }
    let mut fetched = 0;
    while let Some(id) = asked.pop() {
        let p = pictures.iter().find(|p| p.id == id).expect("one of ours");
        for effect in m.on_message(whole(p), now) {
            match effect {
                Effect::Fetched { .. } => fetched += 1,
                Effect::Send(ClientMessage::FetchAttachment { id, .. }) => asked.push(id),
                other => panic!("{other:?}"),
            }
        }
        assert_eq!(m.attachments.fetch_status(&id), None, "handed over");
    }
    assert_eq!(fetched, 40);
}

#[test]
fn the_picture_asked_for_last_comes_down_next() {
    let now = Now::current();
    let mut m = joined(now);
    let (a, b, c) = (picture(1), picture(2), picture(3));
    m.fetch(&a, Purpose::Show, now);
    m.fetch(&b, Purpose::Show, now);
    m.fetch(&c, Purpose::Show, now);
    assert_eq!(
        m.attachments.fetch_status(&a.id),
        Some(FetchStatus::Fetching)
    );
    assert_eq!(
        m.attachments.fetch_status(&c.id),
        Some(FetchStatus::Waiting)
    );
    assert_eq!(asked_for(&m.on_message(whole(&a), now)), vec![c.id]);
}

#[test]
fn a_picture_not_found_fails_visibly_and_retry_asks_again() {
    let now = Now::current();
    let mut m = joined(now);
    let a = picture(1);
    m.fetch(&a, Purpose::Show, now);
    let gone = ServerMessage::error(ErrorCode::AttachmentNotFound, "gone");
    assert_eq!(m.on_message(gone, now), vec![]);
    assert_eq!(m.attachments.fetch_status(&a.id), Some(FetchStatus::Failed));
    assert_eq!(
        asked_for(&m.fetch(&a, Purpose::Show, now)),
        vec![a.id.clone()]
    );
    assert_eq!(
        m.attachments.fetch_status(&a.id),
        Some(FetchStatus::Fetching)
    );
}

#[test]
fn a_failed_save_is_told_in_words() {
    let now = Now::current();
    let mut m = joined(now);
    let a = descriptor(6);
    m.fetch(&a, Purpose::Save, now);
    m.on_message(
        ServerMessage::error(ErrorCode::AttachmentNotFound, "gone"),
        now,
    );
    assert!(
        notices(&m).contains(&"Could not download notes.txt: the server no longer has it.".into()),
        "{:?}",
        notices(&m)
    );
}

#[test]
fn leaving_and_joining_again_forgets_every_download_so_pictures_are_asked_for_afresh() {
    let now = Now::current();
    let mut m = joined(now);
    let (a, b) = (picture(1), picture(2));
    m.fetch(&a, Purpose::Show, now);
    m.fetch(&b, Purpose::Show, now);
    m.leave();
    let room = RoomCode::parse("K7QX2MHDP").expect("valid code");
    m.start("ws://relay", name("ann"), Intent::Join(room));
    m.on_opened();
    m.on_message(welcome(), now);
    assert_eq!(m.attachments.fetch_status(&a.id), None);
    assert_eq!(m.attachments.fetch_status(&b.id), None);
    assert_eq!(asked_for(&m.fetch(&a, Purpose::Show, now)), vec![a.id]);
}

#[test]
fn a_room_that_ends_fails_its_downloads_instead_of_leaving_them_waiting() {
    let now = Now::current();
    let mut m = joined(now);
    let (a, b) = (picture(1), picture(2));
    m.fetch(&a, Purpose::Show, now);
    m.fetch(&b, Purpose::Show, now);
    m.on_closed("reset", now);
    m.reconnect_now(now);
    m.on_opened();
    let effects = m.on_message(ServerMessage::error(ErrorCode::RoomNotFound, "gone"), now);
    assert_eq!(effects, vec![Effect::Disconnect]);
    assert_eq!(m.attachments.fetch_status(&a.id), Some(FetchStatus::Failed));
    assert_eq!(m.attachments.fetch_status(&b.id), Some(FetchStatus::Failed));
    // A picture first drawn after the room ended fails at once too: nothing will come.
    let c = picture(3);
    assert_eq!(m.fetch(&c, Purpose::Show, now), vec![]);
    assert_eq!(m.attachments.fetch_status(&c.id), Some(FetchStatus::Failed));
}

#[test]
fn a_new_room_fails_the_old_rooms_downloads_and_asks_the_new_room_for_none_of_them() {
    let now = Now::current();
    let mut m = joined(now);
    let (a, b) = (picture(1), picture(2));
    m.fetch(&a, Purpose::Show, now);
    m.fetch(&b, Purpose::Show, now);
    m.on_closed("reset", now);
    m.reconnect_now(now);
    m.on_opened();
    m.on_message(ServerMessage::error(ErrorCode::RoomNotFound, "gone"), now);
    // Failed already when the room ended; asked for again while the new room opens...
    m.fetch(&a, Purpose::Show, now);
    m.new_room();
    m.on_opened();
    let ServerMessage::Welcome(w) = welcome() else {
        unreachable!()
    };
    let fresh = RoomCode::parse("ABCDEFGHJ").expect("valid code");
    let w = WelcomeMessage { room: fresh, ..*w };
    let effects = m.on_message(ServerMessage::Welcome(Box::new(w)), now);
    // ...it is the old room's file: the new room is never asked, it fails visibly.
    assert!(asked_for(&effects).is_empty(), "{effects:?}");
    assert_eq!(m.attachments.fetch_status(&a.id), Some(FetchStatus::Failed));
    assert_eq!(m.attachments.fetch_status(&b.id), Some(FetchStatus::Failed));
}

#[test]
fn a_file_over_the_limit_is_refused_by_its_size_alone_in_the_same_words_as_attaching_it() {
    let now = Now::current();
    let mut m = joined(now);
    assert_eq!(m.attachments.max_file_bytes(), 1000);
    m.refuse_file("huge.bin", 17_000_000_000, false, now);
    m.attach("big.bin", "", vec![0; 1001], now);
    let said = notices(&m);
    assert_eq!(
        said,
        vec![
            "Not sent: huge.bin is 15.8 GiB, and this server takes files up to 1000 B. Send a smaller copy (phones and photo apps can share a picture at a smaller size).".to_owned(),
            "Not sent: big.bin is 1001 B, and this server takes files up to 1000 B. Send a smaller copy (phones and photo apps can share a picture at a smaller size).".to_owned(),
        ]
    );
    m.refuse_file("fits.bin", 1000, true, now);
    assert_eq!(notices(&m).len(), 2, "a file that fits is not refused");
}

/// The problems shown in the room: (text, whether it offers a smaller copy).
fn problems(m: &crate::state::Model) -> Vec<(String, bool)> {
    let session = m.room.as_ref().expect("in a room");
    (session.timeline.entries().iter())
        .filter_map(|e| match &e.kind {
            crate::state::EntryKind::Problem { text, smaller } => Some((text.clone(), *smaller)),
            _ => None,
        })
        .collect()
}

#[test]
fn a_picture_over_the_limit_is_an_error_that_offers_a_smaller_copy_once() {
    let now = Now::current();
    let mut m = joined(now);
    let offer = m.refuse_file("beach.jpg", 18_000_000, true, now);
    let offer = offer.expect("an offer for a picture the app can read again");
    assert_eq!(
        problems(&m),
        vec![(
            "Not sent: beach.jpg is 17.2 MiB, and this server takes files up to 1000 B.".into(),
            true
        )]
    );
    assert!(m.take_smaller(offer), "the first click takes the offer");
    assert!(!m.take_smaller(offer), "a second click sends nothing more");
    assert!(!problems(&m)[0].1, "the button is gone");
    assert!(!m.take_smaller(offer + 1), "no such offer");
}

#[test]
fn a_file_the_app_cannot_shrink_gets_no_offer_and_says_what_to_do_instead() {
    let now = Now::current();
    let mut m = joined(now);
    assert_eq!(m.refuse_file("disk.img", 18_000_000, false, now), None);
    let said = problems(&m);
    assert_eq!(said.len(), 1);
    assert!(!said[0].1, "no offer");
    assert!(said[0].0.ends_with(
        "Send a smaller copy (phones and photo apps can share a picture at a smaller size)."
    ));
}
