//! Names that differ only by combining marks are look-alikes within a room, while accented
//! names stay valid on their own.

use confab_protocol::ErrorCode;
use confab_tests::TestRelay;

#[tokio::test]
async fn a_name_that_adds_only_a_combining_mark_is_refused_as_taken() {
    let relay = TestRelay::start_default().await;
    let (room, _members) = relay.room_with(&["alice"]).await;
    let mut impostor = relay.client().await;
    impostor.send_join("alice\u{0301}", &room).await;
    assert_eq!(impostor.recv_error().await.code, ErrorCode::NameTaken);
}

#[tokio::test]
async fn accented_names_join_as_themselves() {
    let relay = TestRelay::start_default().await;
    let (room, _members) = relay.room_with(&["José"]).await;
    let (_zoe, welcome) = relay.member("Zoë", &room).await;
    assert_eq!(welcome.you.as_str(), "Zoë");
}
