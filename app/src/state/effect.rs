//! What the model asks of the outside ([`Effect`]) and what the join screen asks of the
//! model ([`Intent`]): the reducer's inputs and outputs that are not relay messages.

use confab_protocol::{ClientMessage, RoomCode};

use super::{Alert, Purpose};

/// Something the app must do for the model: the only way the model reaches the outside.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Effect {
    /// Open a WebSocket to this address (dropping any previous one).
    Connect(String),
    /// Send this message on the open socket.
    Send(ClientMessage),
    /// Close the socket.
    Disconnect,
    /// A mention or whisper arrived while the window was unfocused: ring, ask for
    /// attention and raise this system notification.
    Alert(Alert),
    /// Put this room's invite on the clipboard (a new room was made to carry on in).
    CopyInvite(RoomCode),
    /// An attachment's bytes arrived: decode them to show, or hand them to the person.
    Fetched {
        /// The attachment's id.
        id: String,
        /// Its cleaned name (to save under).
        name: String,
        /// Why it was fetched.
        purpose: Purpose,
        /// The whole file.
        bytes: Vec<u8>,
    },
    /// `/attach` was sent: read the file at this path, or (`None`) open the same picker
    /// as the attach button.
    AttachFile(Option<String>),
}

/// What the join screen asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Intent {
    /// Create a new room.
    Create,
    /// Join this existing room.
    Join(RoomCode),
}
