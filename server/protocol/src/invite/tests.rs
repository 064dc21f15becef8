//! Every invite form, round trips, and garbage refused in words.

use proptest::prelude::*;

use super::*;

fn code() -> RoomCode {
    RoomCode::parse("K7QX2MHDP").expect("valid")
}

fn invite(relay: Option<&str>) -> Invite {
    Invite {
        relay: relay.map(Into::into),
        code: code(),
        key: None,
    }
}

fn private_invite(relay: Option<&str>) -> Invite {
    Invite {
        key: Some(crate::private::RoomKey::from_bytes([7; 32])),
        ..invite(relay)
    }
}

#[test]
fn a_private_rooms_link_carries_its_key_after_the_code_in_every_form() {
    let invite = private_invite(Some("wss://chat.example"));
    let key = invite.key.as_ref().map(|k| k.encode()).unwrap_or_default();
    let link = invite.link(Some("https://chat.example/"));
    assert_eq!(link, format!("https://chat.example/#K7Q-X2M-HDP.{key}"));
    assert_eq!(Invite::parse(&link), Ok(invite.clone()));
    let confab = invite.confab_link();
    assert!(confab.ends_with(&format!("#{key}")), "{confab}");
    assert_eq!(Invite::parse(&confab), Ok(invite));
    assert_eq!(
        Invite::parse(&format!("ws://chat.example/#K7Q-X2M-HDP.{key}")),
        Ok(private_invite(Some("ws://chat.example")))
    );
    assert_eq!(
        Invite::parse(&format!("k7qx2mhdp.{key}")),
        Ok(private_invite(None))
    );
    let page = PageUrl::parse(&link).expect("a page");
    assert_eq!(page.room(), Some(code()));
}

#[test]
fn a_damaged_key_in_a_private_link_is_refused_in_words() {
    let key = crate::private::RoomKey::from_bytes([7; 32]).encode();
    let damaged = format!("https://chat.example/#K7Q-X2M-HDP.{}*", &key[1..]);
    assert_eq!(
        Invite::parse(&damaged),
        Err(InviteError::Key(RoomKeyError::Malformed))
    );
}

#[test]
fn a_bare_code_in_any_case_with_or_without_dashes_names_no_relay() {
    for text in ["K7Q-X2M-HDP", " k7q-x2m-hdp ", "k7qx2mhdp", "K7Q X2M HDP"] {
        assert_eq!(Invite::parse(text), Ok(invite(None)), "{text:?}");
    }
}

#[test]
fn a_websocket_link_names_its_relay_and_room() {
    assert_eq!(
        Invite::parse("ws://10.0.0.5:9001/#k7q-x2m-hdp"),
        Ok(invite(Some("ws://10.0.0.5:9001")))
    );
    assert_eq!(
        Invite::parse("WSS://chat.example/ws#K7Q-X2M-HDP"),
        Ok(invite(Some("wss://chat.example/ws")))
    );
}

#[test]
fn an_https_page_link_joins_the_wss_relay_on_the_same_host_and_port() {
    assert_eq!(
        Invite::parse("https://chat.example/#K7Q-X2M-HDP"),
        Ok(invite(Some("wss://chat.example")))
    );
    assert_eq!(
        Invite::parse("http://10.0.0.5:9001/#k7q%2Dx2m-hdp"),
        Ok(invite(Some("ws://10.0.0.5:9001")))
    );
    assert_eq!(
        Invite::parse("http://127.0.0.1:8080/?relay=ws%3A%2F%2F127.0.0.1%3A4567#K7QX2MHDP"),
        Ok(invite(Some("ws://127.0.0.1:4567"))),
        "a page's ?relay= wins, as on the web"
    );
}

#[test]
fn a_confab_link_names_its_room_and_its_percent_encoded_relay() {
    let link = "confab://join/K7Q-X2M-HDP?relay=ws%3A%2F%2F10.0.0.5%3A9001";
    assert_eq!(Invite::parse(link), Ok(invite(Some("ws://10.0.0.5:9001"))));
    assert_eq!(Invite::parse("confab:join/k7qx2mhdp/"), Ok(invite(None)));
    assert_eq!(Invite::parse("CONFAB://JOIN/k7q-x2m-hdp"), Ok(invite(None)));
}

#[test]
fn garbage_is_refused_with_a_reason() {
    let cases: [(&str, InviteError); 10] = [
        ("", InviteError::Code(RoomCodeError::Empty)),
        ("abc/def", InviteError::Code(RoomCodeError::BadChar('/'))),
        ("https://chat.example/", InviteError::NoCode),
        ("https://chat.example/#", InviteError::NoCode),
        ("https:///#K7Q", InviteError::NoHost),
        ("ws://#K7Q", InviteError::NoHost),
        ("ws://", InviteError::NoHost),
        ("confab://room/K7Q", InviteError::NoCode),
        (
            "confab://join/K7Q?relay=javascript:alert(1)",
            InviteError::BadRelay,
        ),
        ("ftp://x.org/#K7Q", InviteError::Scheme("ftp".into())),
    ];
    for (text, error) in cases {
        assert_eq!(Invite::parse(text), Err(error), "{text:?}");
    }
    let words = InviteError::Scheme("mailto".into()).to_string();
    assert!(
        words.contains("mailto:") && words.contains("confab:"),
        "{words}"
    );
}

#[test]
fn the_link_is_the_page_when_there_is_one() {
    let ours = invite(Some("wss://chat.example"));
    assert_eq!(
        ours.link(Some("https://chat.example/#OLD")),
        "https://chat.example/#K7Q-X2M-HDP"
    );
    assert_eq!(
        ours.message(Some("https://chat.example/")),
        "https://chat.example/#K7Q-X2M-HDP",
        "a page link needs no words: it opens in any browser"
    );
}

#[test]
fn without_a_page_the_link_is_a_confab_link_with_the_code_and_server_in_words() {
    let ours = invite(Some("ws://127.0.0.1:9001"));
    assert_eq!(
        ours.link(None),
        "confab://join/K7Q-X2M-HDP?relay=ws%3A%2F%2F127.0.0.1%3A9001"
    );
    assert_eq!(
        ours.message(Some("not a page")),
        "confab://join/K7Q-X2M-HDP?relay=ws%3A%2F%2F127.0.0.1%3A9001\n\
         Room code: K7Q-X2M-HDP\n\
         Server: ws://127.0.0.1:9001"
    );
    assert_eq!(
        invite(None).message(None),
        "confab://join/K7Q-X2M-HDP\nRoom code: K7Q-X2M-HDP"
    );
}

#[test]
fn every_link_and_message_reads_back_as_the_same_invite() {
    let ours = invite(Some("wss://relay.example:8443/ws?x=1&y=2"));
    assert_eq!(Invite::parse(&ours.link(None)), Ok(ours.clone()));
    let first_line = |text: &str| text.lines().next().unwrap_or_default().to_owned();
    assert_eq!(Invite::parse(&first_line(&ours.message(None))), Ok(ours));
}

proptest! {
    #[test]
    fn parse_never_panics(text in any::<String>()) {
        let _ = Invite::parse(&text);
    }

    #[test]
    fn links_like_garbage_never_panic(tail in "[#?/:%a-zA-Z0-9=&.@\\[\\]-]{0,30}") {
        for scheme in ["ws://", "wss://", "http://", "https://", "confab:", "confab://join/"] {
            let _ = Invite::parse(&format!("{scheme}{tail}"));
        }
    }
}
