#!/usr/bin/env python3
"""Peer for `son1k-bench analysis`: librosa's beat tracker and a chroma key estimate.

Usage: librosa_bench.py FILE [FILE ...]
Prints one JSON object per file: {"file", "bpm", "key", "seconds_tempo_key"}; the timing covers
beat_track + chroma + key scoring on audio already loaded at 22050 Hz (loading is not timed).
librosa is warmed up on the first file (numba compilation is not timed). The key uses the same Temperley profiles as son1k so the comparison is about the signal path.
"""
import json
import sys
import time

import numpy as np
import librosa

from key_templates import key_of


warmed = False
for path in sys.argv[1:]:
    y, sr = librosa.load(path, sr=22050, mono=True)
    if not warmed:
        # librosa compiles parts of itself (numba) on first use: warm up so only the work is timed.
        librosa.beat.beat_track(y=y[: sr * 10], sr=sr)
        librosa.feature.chroma_stft(y=y[: sr * 10], sr=sr)
        warmed = True
    start = time.perf_counter()
    tempo, _beats = librosa.beat.beat_track(y=y, sr=sr)
    chroma = librosa.feature.chroma_stft(y=y, sr=sr).mean(axis=1)
    key = key_of(chroma)
    elapsed = time.perf_counter() - start
    print(json.dumps({"file": path, "bpm": float(np.atleast_1d(tempo)[0]), "key": key, "seconds_tempo_key": elapsed}))
