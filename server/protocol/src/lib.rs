//! Confab's wire protocol, shared by the relay (`confab-server`) and the client (`confab`).
//!
//! Every WebSocket text frame carries one JSON object, internally tagged by `"type"`.
//! Frames from a client decode to [`ClientMessage`]; frames from the relay to
//! [`ServerMessage`]. `docs/protocol.md` at the repository root is the human-readable page.
//!
//! # Layout
//! - [`username`]: [`Username`], the validated display name and its uniqueness key.
//! - [`room_code`]: [`RoomCode`], a case- and separator-insensitive room code.
//! - [`attachment`]: the descriptor of an uploaded file, the attachment limits, file names.
//! - [`command`]: the line grammar clients share (`/w`, `/me`, ...) and the "same name" rule.
//! - [`markup`]: the chat formatting subset (`*bold*`, `_italic_`, code, quotes, lists).
//! - [`mention`]: when a message calls someone by name (`@ann`, or `ann:` at a line start).
//! - [`page_url`]: [`PageUrl`], a web page's address: the relay it talks to, its room.
//! - [`invite`]: [`Invite`], every form of invite read one way, and invite links written.
//! - [`private`]: private rooms' keys, signatures, safety codes and (feature `seal`)
//!   sealing and opening.
//! - [`client`]: messages a client sends, and [`decode_client`] with typed errors.
//! - [`server`]: messages the relay sends, [`ErrorCode`] and the close codes.
//! - [`status`]: [`MemberStatus`], online, away or reconnecting.
//!
//! This crate is serde, two small URL-escaping crates and the private rooms' crypto
//! crates (RustCrypto, dalek) only: no sockets, no async
//! runtime, so it builds for `wasm32`.

pub mod attachment;
pub mod backoff;
pub mod client;
pub mod command;
pub mod invite;
pub mod markup;
pub mod mention;
pub mod page_url;
pub mod private;
pub mod room_code;
pub mod server;
pub mod status;
pub mod username;

pub use attachment::{Attachment, AttachmentLimits, MAX_MIME_CHARS, clean_file_name, clean_mime};
pub use client::{ClientMessage, DecodeError, decode_client, features};
pub use invite::{Invite, InviteError};
pub use page_url::PageUrl;
pub use room_code::{RoomCode, RoomCodeError};
pub use server::{
    Changes, ChatMessage, ErrorCode, ErrorMessage, Limits, MAX_EMOJI_BYTES, MAX_REACTION_KINDS,
    MAX_REACTIONS_PER_MEMBER, NamedStatus, PresenceChange, Reaction, RoomState, ServerMessage,
    WelcomeMessage, WhisperMessage, close_code, is_reaction_emoji,
};
pub use status::MemberStatus;
pub use username::{UNICODE_VERSION, Username, UsernameError};

/// Client-chosen identifier of a chat message or whisper, echoed back to its sender only,
/// so the sender can match the relay's copy (with its sequence number) to its own draft.
pub type ClientId = u64;

/// Per-room sequence number of a chat message: 1 for the room's first message, then +1.
pub type Seq = u64;

/// Milliseconds since the Unix epoch (UTC), as stamped by the relay.
pub type Millis = u64;
