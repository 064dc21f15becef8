//! Commands typed in the composer that the app carries out itself.

use super::*;

fn send(m: &mut Model, line: &str) -> Vec<Effect> {
    m.room.as_mut().expect("in a room").composer.draft = line.into();
    m.send_draft(Now::current())
}

#[test]
fn a_bare_attach_opens_the_same_picker_as_the_attach_button() {
    let now = Now::current();
    let mut m = joined(now);
    assert_eq!(send(&mut m, "/attach"), vec![Effect::AttachFile(None)]);
    let composer = &m.room.as_ref().expect("in a room").composer;
    assert_eq!(composer.error, None, "no 'cannot send files' refusal");
    assert!(composer.draft.is_empty());
}

#[test]
fn attach_with_a_path_attaches_that_file() {
    let now = Now::current();
    let mut m = joined(now);
    assert_eq!(
        send(&mut m, "/attach /home/ann/my cat.png"),
        vec![Effect::AttachFile(Some("/home/ann/my cat.png".into()))]
    );
    assert_eq!(m.room.as_ref().expect("in a room").composer.error, None);
}

#[test]
fn save_points_at_the_save_button_instead_of_claiming_files_cannot_be_saved() {
    let now = Now::current();
    let mut m = joined(now);
    assert_eq!(send(&mut m, "/save abc"), vec![]);
    let error = m.room.as_ref().expect("in a room").composer.error.clone();
    assert_eq!(
        error.as_deref(),
        Some("To save a file, use Save on its message.")
    );
}
