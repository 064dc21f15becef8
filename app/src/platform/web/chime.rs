//! The mention chime in the browser: synthesized with the Web Audio API (no sound file
//! to download).

use std::cell::OnceCell;

use wasm_bindgen::JsValue;
use web_sys::AudioContext;

thread_local! {
    /// One context for the page's lifetime: browsers cap how many a page may create.
    static CONTEXT: OnceCell<Option<AudioContext>> = const { OnceCell::new() };
}

/// Two sine notes (E6 then A6), each fading out over 150 ms.
pub fn play() -> Result<(), JsValue> {
    let ctx = CONTEXT.with(|cell| cell.get_or_init(|| AudioContext::new().ok()).clone());
    let ctx = ctx.ok_or_else(|| JsValue::from_str("no AudioContext"))?;
    // A context created before any user gesture starts suspended; a later call resumes it.
    let _ = ctx.resume();
    let start = ctx.current_time();
    for (i, hz) in [1318.5_f32, 1760.0].into_iter().enumerate() {
        let at = start + 0.12 * i as f64;
        let tone = ctx.create_oscillator()?;
        tone.frequency().set_value(hz);
        let volume = ctx.create_gain()?;
        volume.gain().set_value_at_time(0.15, at)?;
        volume
            .gain()
            .exponential_ramp_to_value_at_time(0.001, at + 0.15)?;
        tone.connect_with_audio_node(&volume)?;
        volume.connect_with_audio_node(&ctx.destination())?;
        tone.start_with_when(at)?;
        tone.stop_with_when(at + 0.16)?;
    }
    Ok(())
}
