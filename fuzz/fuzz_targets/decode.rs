//! Arbitrary bytes into the decoder, with every format hint: it must return an error or audio,
//! never panic, hang or exhaust memory.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&first, rest)) = data.split_first() else {
        return;
    };
    let hints = [None, Some("wav"), Some("aiff"), Some("flac"), Some("mp3"), Some("ogg"), Some("m4a")];
    let hint = hints[usize::from(first) % hints.len()];
    if let Ok(audio) = son1k_audio::decode_bytes(rest.to_vec(), hint) {
        assert!(audio.channel_count() > 0 && audio.sample_rate > 0);
    }
});
