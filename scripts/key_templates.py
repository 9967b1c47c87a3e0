"""The key templates the librosa peers score a mean chroma against: the same profiles
son1k-analysis uses (Temperley's probabilistic model, Kostka–Payne corpus, the
minor lowered seventh raised to 0.30), so a key comparison
between son1k and librosa is about the signal path."""

import numpy as np

MAJOR = np.array([0.748, 0.060, 0.488, 0.082, 0.670, 0.460, 0.096, 0.715, 0.104, 0.366, 0.057, 0.400])
MINOR = np.array([0.712, 0.084, 0.474, 0.618, 0.049, 0.460, 0.105, 0.747, 0.404, 0.067, 0.300, 0.330])
NAMES_MAJOR = ["C", "Db", "D", "Eb", "E", "F", "F#", "G", "Ab", "A", "Bb", "B"]
NAMES_MINOR = ["C", "C#", "D", "Eb", "E", "F", "F#", "G", "G#", "A", "Bb", "B"]


def key_of(chroma):
    """The best-correlating key for a 12-bin mean chroma, like "F# minor"."""
    best = None
    for tonic in range(12):
        for mode, prof, names in (("major", MAJOR, NAMES_MAJOR), ("minor", MINOR, NAMES_MINOR)):
            r = np.corrcoef(chroma, np.roll(prof, tonic))[0, 1]
            if best is None or r > best[0]:
                best = (r, f"{names[tonic]} {mode}")
    return best[1]
