//! A file on its way to the room (or refused before it was read), and the type its name
//! suggests: the leaf both the desktop's side and the browser's (`platform`) hand
//! files over in.

/// A file to upload: its name, declared type and bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Picked {
    /// The file's name.
    pub name: String,
    /// Its type, guessed from the name.
    pub mime: String,
    /// Its bytes.
    pub bytes: Vec<u8>,
}

/// A file that was not read, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Unread {
    /// Over the size the relay takes, by its size alone (its bytes were never read): the
    /// model says so in words (`Model::refuse_file`).
    TooBig {
        /// The file's name.
        name: String,
        /// Its size in bytes, as the file system or the browser says.
        size: u64,
        /// Where it can be read again to make a smaller copy (a path on the desktop, the
        /// browser's `File` on the web); `None` when it cannot be (a file that grew while
        /// read, bytes with no file behind them).
        source: Option<crate::platform::FileSource>,
    },
    /// It could not be read, in words for the room.
    Failed(String),
}

/// What reading a file for upload gives.
pub type Read = Result<Picked, Unread>;

/// The MIME type a file name suggests (the relay sniffs the bytes anyway).
pub fn mime_for(name: &str) -> &'static str {
    let lower = name.to_ascii_lowercase();
    let ext = lower.rsplit('.').next().unwrap_or_default();
    match ext {
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "txt" | "md" => "text/plain",
        "pdf" => "application/pdf",
        _ => "application/octet-stream",
    }
}
