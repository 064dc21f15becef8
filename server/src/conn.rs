//! The identity of one WebSocket connection: a leaf every room module names, importing
//! nothing from the relay.

/// Identifies one WebSocket connection for the lifetime of the process.
pub type ConnId = u64;
