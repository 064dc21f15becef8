//! What the join screen says when no connection could be made.

use super::*;

#[test]
fn an_unreachable_server_is_explained_without_the_socket_library_text() {
    let mut m = Model::new(1, Now::current());
    m.start("ws://chat.example:9001", name("ann"), Intent::Create);
    m.on_closed(
        "Connect: IO error: Connection refused (os error 111)",
        Now::current(),
    );
    let error = m.join_error.expect("the join screen says why");
    assert!(
        error.starts_with("Could not reach the server at ws://chat.example:9001"),
        "{error}"
    );
    assert!(error.contains("Is the address right"), "{error}");
    assert!(!error.contains("os error"), "{error}");
    assert!(!error.contains("IO error"), "{error}");
}

#[test]
fn a_hosting_failure_shows_on_the_join_screen_until_hosting_starts_again() {
    let mut m = Model::new(1, Now::current());
    m.hosting_failed("port 9001 is in use by another program");
    assert_eq!(
        m.join_error(),
        Some("Could not host a room: port 9001 is in use by another program")
    );
    assert_eq!(
        *m.status(),
        ConnectionState::Offline,
        "nothing is connecting"
    );
    m.hosting_started();
    assert_eq!(m.join_error(), None);
}
