//! The mention sound: a short, soft two-note chime.
//!
//! On the web it is synthesized with the Web Audio API (no sound file to download). Natively
//! there is no audio backend: an audio crate (cpal/rodio) would pull ALSA development
//! packages into every build for one beep, so there the window's attention request (taskbar
//! flash or dock bounce) is the signal, [`AVAILABLE`] is `false`, and the app offers no
//! sound toggle (one that changed nothing would mislead). Each target's side is the
//! platform's ([`crate::platform::play_chime`]).

/// Whether this build can play the chime: only the web build has a sound backend. Where it
/// is `false` the sound toggle is not shown at all.
pub const AVAILABLE: bool = crate::platform::CHIME;

/// Plays the chime, if this platform can. Failures (no audio device, the browser's autoplay
/// policy before the user has interacted with the page) are silent: a missed chime is
/// harmless, and the attention request still happens.
pub fn play() {
    crate::platform::play_chime();
}
