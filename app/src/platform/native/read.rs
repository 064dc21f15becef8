//! Reading a file to upload, natively, always on a thread of its own: a file over the
//! relay's limit is refused by its size (file system metadata) without reading a byte, and
//! the read itself stops one byte past the limit, so a file that grows meanwhile cannot
//! fill memory. The frame loop never waits on a disk.

use std::io::Read as _;
use std::path::Path;
use std::sync::mpsc::Sender;

use crate::files::picked::{Picked, Read, Unread, mime_for};

/// Reads the file at `path` on a new thread, at most `max` bytes, into `tx` (waking egui).
pub fn spawn_path(path: std::path::PathBuf, max: u64, tx: Sender<Read>, ctx: egui::Context) {
    std::thread::spawn(move || {
        let _ = tx.send(read_file(&path, max));
        ctx.request_repaint();
    });
}

/// Reads a dropped file on a new thread, at most `max` bytes, into `tx` (waking egui).
pub fn spawn_dropped(
    file: egui::DroppedFileHandle,
    max: u64,
    tx: Sender<Read>,
    ctx: egui::Context,
) {
    std::thread::spawn(move || {
        let _ = tx.send(read_dropped(&*file, max));
        ctx.request_repaint();
    });
}

/// The name a file is sent under: the last part of its path.
pub fn name_of(path: &Path) -> String {
    path.file_name()
        .map_or_else(|| "file".to_owned(), |n| n.to_string_lossy().into_owned())
}

/// Reads the file at `path` as an attachment (its name, and a type guessed from it), or
/// refuses it by its size if it is over `max`.
pub fn read_file(path: &Path, max: u64) -> Read {
    let name = name_of(path);
    let failed = |e: std::io::Error| Unread::Failed(format!("Could not read {name}: {e}"));
    let file = std::fs::File::open(path).map_err(failed)?;
    let size = file.metadata().map_err(failed)?.len();
    if size > max {
        let source = Some(path.to_owned());
        return Err(Unread::TooBig { name, size, source });
    }
    let mut bytes = Vec::new();
    file.take(max.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(failed)?;
    picked(name, bytes, max)
}

/// Reads a dropped file: refused by its size when its path is a file over `max`; else
/// read through egui's handle (which may have no file behind its path).
pub fn read_dropped(file: &dyn egui::DroppedFile, max: u64) -> Read {
    let name = name_of(file.path());
    if let Ok(meta) = std::fs::metadata(file.path())
        && meta.len() > max
    {
        return Err(Unread::TooBig {
            name,
            size: meta.len(),
            source: Some(file.path().to_owned()),
        });
    }
    let bytes = file
        .bytes()
        .map_err(|e| Unread::Failed(format!("Could not read {name}: {e}")))?;
    picked(name, bytes, max)
}

/// `bytes` as a [`Picked`] file, unless they are more than `max` (the file grew).
fn picked(name: String, bytes: Vec<u8>, max: u64) -> Read {
    let size = bytes.len() as u64;
    if size > max {
        // It grew while read: no offer of a smaller copy of a file that keeps changing.
        return Err(Unread::TooBig {
            name,
            size,
            source: None,
        });
    }
    Ok(Picked {
        mime: mime_for(&name).to_owned(),
        name,
        bytes,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A file called `name` in a fresh temporary directory (removed, with the file, when
    /// dropped): `.0` is the directory, `.1` the file's path.
    struct Temp(
        #[expect(dead_code, reason = "held for its drop")] tempfile::TempDir,
        std::path::PathBuf,
    );

    impl Temp {
        fn new(name: &str) -> Self {
            let dir = tempfile::tempdir().expect("temp dir");
            let path = dir.path().join(name);
            Self(dir, path)
        }
    }

    #[test]
    fn a_file_over_the_limit_is_refused_by_its_size_without_reading_it() {
        // 64 GiB, sparse: reading it would take minutes and more memory than the machine has.
        let big = Temp::new("huge.bin");
        let file = std::fs::File::create(&big.1).expect("create");
        file.set_len(64 << 30).expect("sparse");
        assert_eq!(
            read_file(&big.1, 1000),
            Err(Unread::TooBig {
                name: "huge.bin".into(),
                size: 64 << 30,
                source: Some(big.1.clone()),
            })
        );
    }

    #[test]
    fn a_file_within_the_limit_is_read_whole_with_a_type_from_its_name() {
        let small = Temp::new("notes.txt");
        std::fs::write(&small.1, b"hello").expect("write");
        let read = read_file(&small.1, 5).expect("read");
        assert_eq!(
            (read.name.as_str(), read.mime.as_str()),
            ("notes.txt", "text/plain")
        );
        assert_eq!(read.bytes, b"hello");
        assert!(matches!(
            read_file(&small.1, 4),
            Err(Unread::TooBig { size: 5, .. })
        ));
    }

    /// A dropped file whose bytes must never be read.
    #[derive(Debug)]
    struct Untouchable(std::path::PathBuf);

    impl egui::DroppedFile for Untouchable {
        fn path(&self) -> &Path {
            &self.0
        }

        fn bytes(&self) -> Result<Vec<u8>, String> {
            panic!("a file over the limit was read");
        }
    }

    #[test]
    fn a_dropped_file_over_the_limit_is_refused_before_its_bytes_are_asked_for() {
        let big = Temp::new("movie.mkv");
        std::fs::File::create(&big.1)
            .and_then(|f| f.set_len(5 << 30))
            .expect("sparse");
        let read = read_dropped(&Untouchable(big.1), 4 << 20);
        assert!(matches!(read, Err(Unread::TooBig { size, .. }) if size == 5 << 30));
    }

    #[test]
    fn a_missing_file_says_it_could_not_be_read() {
        let gone = Temp::new("gone.png");
        let Err(Unread::Failed(why)) = read_file(&gone.1, 1000) else {
            panic!("read a file that is not there");
        };
        assert!(why.starts_with("Could not read gone.png"), "{why}");
    }
}
