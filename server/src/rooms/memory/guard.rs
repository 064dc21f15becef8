//! A room's lock, and the timer that sends its waiting presence batch: unlocking a room with
//! changes waiting (and no timer set) sets the timer, so no operation can forget to.

use std::ops::{Deref, DerefMut};
use std::sync::{Arc, Mutex, MutexGuard, Weak};

use crate::rooms::memory::room::Room;

/// One room behind its own lock, shared by the directory and the room's members.
pub type RoomCell = Arc<Mutex<Room>>;

/// Locks one room; a panic in an earlier holder poisons only that room, and it carries on.
pub fn lock_room(cell: &RoomCell) -> RoomGuard<'_> {
    let room = cell.lock().unwrap_or_else(|poisoned| {
        tracing::error!("room lock poisoned by an earlier panic; continuing");
        poisoned.into_inner()
    });
    RoomGuard { room, cell }
}

/// A locked room. Unlocking it with presence changes waiting (and no timer set) sets the
/// timer that sends them, so no operation can forget to.
pub struct RoomGuard<'a> {
    room: MutexGuard<'a, Room>,
    cell: &'a RoomCell,
}

impl Deref for RoomGuard<'_> {
    type Target = Room;

    fn deref(&self) -> &Room {
        &self.room
    }
}

impl DerefMut for RoomGuard<'_> {
    fn deref_mut(&mut self) -> &mut Room {
        &mut self.room
    }
}

impl Drop for RoomGuard<'_> {
    fn drop(&mut self) {
        let Some(at) = self.room.presence.arm() else {
            return;
        };
        match tokio::runtime::Handle::try_current() {
            Ok(runtime) => {
                runtime.spawn(send_presence_at(Arc::downgrade(self.cell), at));
            }
            // No runtime (a synchronous test): nothing could send them later, so now.
            // Sending may evict someone, whose departure waits in turn: until none does.
            Err(_) => loop {
                self.room.presence.disarm();
                self.room.flush_presence();
                if self.room.presence.arm().is_none() {
                    break;
                }
            },
        }
    }
}

/// Sends a room's waiting presence changes at `at`, unless the room is gone by then.
async fn send_presence_at(room: Weak<Mutex<Room>>, at: tokio::time::Instant) {
    tokio::time::sleep_until(at).await;
    if let Some(cell) = room.upgrade() {
        let mut room = lock_room(&cell);
        room.presence.disarm();
        room.flush_presence();
    }
}
