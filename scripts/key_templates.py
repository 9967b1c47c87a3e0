"""The key templates the librosa peers score a mean chroma against: the same Temperley profiles
son1k-analysis uses, so a key comparison between son1k and librosa is about the signal path."""

import numpy as np

MAJOR = np.array([5.0, 2.0, 3.5, 2.0, 4.5, 4.0, 2.0, 4.5, 2.0, 3.5, 1.5, 4.0])
MINOR = np.array([5.0, 2.0, 3.5, 4.5, 2.0, 4.0, 2.0, 4.5, 3.5, 2.0, 3.5, 2.5])
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
