#!/usr/bin/env bash
# Seeds the decoder's fuzz corpus with one small valid file per format (made here with sox/ffmpeg,
# nothing downloaded), so the fuzzer starts from real headers instead of random bytes.
set -euo pipefail
out="$1"
mkdir -p "$out"
[ -n "$(ls -A "$out" 2>/dev/null)" ] && exit 0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
sox -n -r 8000 -c 1 -b 16 "$tmp/s16.wav" synth 0.05 sine 440
sox -n -r 8000 -c 2 -b 24 "$tmp/s24.wav" synth 0.05 sine 440
sox -n -r 8000 -c 1 -e floating-point -b 32 "$tmp/f32.wav" synth 0.05 sine 440
sox -n -r 8000 -c 1 -b 16 "$tmp/a.aiff" synth 0.05 sine 440
sox -n -r 8000 -c 1 -b 16 "$tmp/a.flac" synth 0.05 sine 440
ffmpeg -v error -i "$tmp/s16.wav" -c:a libmp3lame -b:a 32k "$tmp/a.mp3"
ffmpeg -v error -i "$tmp/s16.wav" -c:a libvorbis "$tmp/a.ogg"
ffmpeg -v error -i "$tmp/s16.wav" -c:a aac -b:a 32k "$tmp/a.m4a"
# The first byte picks the format hint in the target (see fuzz_targets/decode.rs).
i=0
for f in s16.wav s24.wav f32.wav a.aiff a.flac a.mp3 a.ogg a.m4a; do
  case "$f" in *.wav) h=1;; *.aiff) h=2;; *.flac) h=3;; *.mp3) h=4;; *.ogg) h=5;; *.m4a) h=6;; esac
  { printf "\\x$(printf %02x $h)"; cat "$tmp/$f"; } > "$out/seed-$i"
  i=$((i+1))
done
echo "fuzz corpus seeded in $out"
