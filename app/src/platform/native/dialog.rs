//! The desktop's own file dialogs (the `rfd` crate), for the 📎 button and Save. Native
//! only; no drawing and no model.
//!
//! A dialog is made a child of the app's window (rfd's `set_parent`: the portal then keeps
//! it in front of the window and modal to it, on X11 and on Wayland); where the window has
//! no handle (tests) it opens on its own. Each dialog runs on a thread of its own and
//! answers through a channel (waking egui with `request_repaint`), so the frame loop never
//! waits on it: the chat keeps drawing and receiving while a dialog is open. On Linux rfd asks the desktop portal over D-Bus
//! (libdbus is loaded at run time, so nothing is needed to build) and falls back to
//! `zenity`; where neither can answer (a headless machine, a bare window manager) the app
//! says so and offers its path field instead, see [`unavailable`].

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::Sender;

use crate::files::{Read, Report};

/// Why no file dialog can open on this machine, if none can, in words for the person.
///
/// On Linux and the BSDs a dialog needs a D-Bus session bus (for the desktop portal) or
/// `zenity` on the `PATH`; this cannot see whether the bus has a portal on it, so a
/// dialog may still fail to appear: the app then also offers the path field (see
/// [`Report::NoFileChosen`]). Elsewhere (Windows, macOS) the system always has one.
pub fn unavailable() -> Option<String> {
    #[cfg(any(
        target_os = "linux",
        target_os = "freebsd",
        target_os = "dragonfly",
        target_os = "netbsd",
        target_os = "openbsd"
    ))]
    {
        let bus = std::env::var_os("DBUS_SESSION_BUS_ADDRESS").is_some()
            || std::env::var_os("XDG_RUNTIME_DIR")
                .is_some_and(|dir| std::path::Path::new(&dir).join("bus").exists());
        let zenity = std::env::var_os("PATH")
            .is_some_and(|path| std::env::split_paths(&path).any(|d| d.join("zenity").is_file()));
        unavailable_with(bus, zenity)
    }
    #[cfg(not(any(
        target_os = "linux",
        target_os = "freebsd",
        target_os = "dragonfly",
        target_os = "netbsd",
        target_os = "openbsd"
    )))]
    None
}

/// [`unavailable`]'s rule, given whether there is a session bus and whether there is
/// `zenity`.
pub fn unavailable_with(bus: bool, zenity: bool) -> Option<String> {
    (!bus && !zenity).then(|| {
        "No file chooser can open on this computer. Type the file's path below, or drag \
         the file onto this window. (A file chooser needs the desktop's portal service or \
         the zenity program: installing zenity brings it.)"
            .to_owned()
    })
}

/// Marks a dialog as open for as long as it lives, so a second click on 📎 or Save does
/// not stack another dialog on the first.
struct Open(Arc<AtomicBool>);

impl Open {
    /// Takes the one dialog slot, if it is free.
    fn take(slot: &Arc<AtomicBool>) -> Option<Self> {
        (!slot.swap(true, Ordering::AcqRel)).then(|| Self(slot.clone()))
    }
}

impl Drop for Open {
    fn drop(&mut self) {
        self.0.store(false, Ordering::Release);
    }
}

/// Opens the "attach a file" dialog. The chosen file is read on the dialog's thread (or
/// refused by its size, over `max` bytes, unread) and sent to `picked_tx`; a dialog closed
/// without a file sends [`Report::NoFileChosen`] to `report_tx`. Returns `false` (and
/// opens nothing) while another dialog is open.
pub fn pick(
    slot: &Arc<AtomicBool>,
    window: &eframe::Frame,
    max: u64,
    (picked_tx, report_tx): (Sender<Read>, Sender<Report>),
    ctx: egui::Context,
) -> bool {
    let Some(open) = Open::take(slot) else {
        return false;
    };
    let dialog = rfd::FileDialog::new()
        .set_title("Attach a file")
        .set_parent(window);
    std::thread::spawn(move || {
        let chosen = dialog.pick_file();
        drop(open);
        match chosen {
            Some(path) => {
                let _ = picked_tx.send(super::read::read_file(&path, max));
            }
            None => {
                let _ = report_tx.send(Report::NoFileChosen);
            }
        }
        ctx.request_repaint();
    });
    true
}

/// Asks where to save `bytes` as `name` (starting in `dir`), writes it there, and reports
/// what happened. Returns the bytes back if another dialog is open.
pub fn save(
    slot: &Arc<AtomicBool>,
    window: &eframe::Frame,
    name: String,
    bytes: Vec<u8>,
    dir: &Path,
    report_tx: Sender<Report>,
    ctx: egui::Context,
) -> Result<(), Vec<u8>> {
    let Some(open) = Open::take(slot) else {
        return Err(bytes);
    };
    let dialog = rfd::FileDialog::new()
        .set_title("Save")
        .set_directory(dir)
        .set_file_name(&name)
        .set_parent(window);
    std::thread::spawn(move || {
        let chosen = dialog.save_file();
        drop(open);
        let said = match chosen {
            Some(path) => match std::fs::write(&path, &bytes) {
                Ok(()) => format!("Saved {name} to {}", path.display()),
                Err(e) => format!("Could not save {name}: {e}"),
            },
            None => format!("Did not save {name}: no place was chosen."),
        };
        let _ = report_tx.send(Report::Notice(said));
        ctx.request_repaint();
    });
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_machine_without_a_session_bus_or_zenity_has_no_dialog_and_says_why() {
        let why = unavailable_with(false, false).expect("no dialog");
        assert!(why.starts_with("No file chooser can open"), "{why}");
        assert!(
            why.contains("Type the file's path") && why.contains("drag"),
            "{why}"
        );
        assert_eq!(unavailable_with(true, false), None);
        assert_eq!(unavailable_with(false, true), None);
    }

    #[test]
    fn only_one_dialog_is_open_at_a_time() {
        let slot = Arc::new(AtomicBool::new(false));
        let first = Open::take(&slot).expect("free");
        assert!(Open::take(&slot).is_none(), "taken while the first is open");
        drop(first);
        assert!(Open::take(&slot).is_some(), "free again once it closed");
    }
}
