//! Arbitrary bytes into the decoder, with every format hint: it must return an error or audio,
//! never panic out of `decode_bytes`, hang or exhaust memory.
#![no_main]

use libfuzzer_sys::fuzz_target;
use std::sync::Once;

static HOOK: Once = Once::new();

/// libfuzzer-sys aborts on every panic. Panics raised inside symphonia are caught by the
/// decoder's guard and become errors (the contract under test), so they are let through to it;
/// a panic anywhere else, our code included, still aborts and is reported as a crash.
fn contain_decoder_panics() {
    HOOK.call_once(|| {
        let fuzzer_hook = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            let in_symphonia = info.location().is_some_and(|l| l.file().contains("/symphonia"));
            if !in_symphonia {
                fuzzer_hook(info);
            }
        }));
    });
}

fuzz_target!(|data: &[u8]| {
    contain_decoder_panics();
    let Some((&first, rest)) = data.split_first() else {
        return;
    };
    let hints = [None, Some("wav"), Some("aiff"), Some("flac"), Some("mp3"), Some("ogg"), Some("m4a")];
    let hint = hints[usize::from(first) % hints.len()];
    if let Ok(audio) = son1k_audio::decode_bytes(rest.to_vec(), hint) {
        assert!(audio.channel_count() > 0 && audio.sample_rate > 0);
    }
});
