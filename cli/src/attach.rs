//! Files in the room: how an attachment's message reads in the terminal.

use confab_protocol::Attachment;

/// `[file cat.png, image/png, 12.1 KiB, 640x480] (/save 0123…)`: what a message carrying
/// an attachment shows. The name is cleaned like any text from other people.
pub fn describe(file: &Attachment) -> String {
    let kind = file.sniffed_mime.as_deref().unwrap_or(&file.mime);
    let size = human_size(file.size);
    let pixels = match (file.width, file.height) {
        (Some(w), Some(h)) => format!(", {w}x{h}"),
        _ => String::new(),
    };
    format!(
        "[file {}, {}, {size}{pixels}] (/save {})",
        crate::render::clean(&confab_protocol::clean_file_name(&file.name)),
        crate::render::clean(kind),
        file.id
    )
}

/// `812 B`, `12.1 KiB`, `4.0 MiB`.
pub fn human_size(bytes: u64) -> String {
    #[allow(clippy::cast_precision_loss)] // Shown to one decimal: precision is not needed.
    let b = bytes as f64;
    if bytes < 1024 {
        format!("{bytes} B")
    } else if bytes < 1024 * 1024 {
        format!("{:.1} KiB", b / 1024.0)
    } else {
        format!("{:.1} MiB", b / (1024.0 * 1024.0))
    }
}
