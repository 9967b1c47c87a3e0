#!/usr/bin/env python3
"""Makes the real analysis evaluation set that `son1k-bench analysis` scores (issue #29).

Externally authored, labelled music from package registries, rendered deterministically:

* scores in music21's corpus (PyPI `music21`): Bach chorales (MusicXML by Margaret Greentree,
  jsbchorales.net) and the other composers' scores that carry a key with its mode (<key><mode> in
  MusicXML, `*G:`-style key interpretations in Humdrum) and/or a metronome mark;
* folk tunes in music21's ABC tunebooks whose header carries a key with mode (K:) and a tempo (Q:);
* MIDI songs shipped in Debian packages (`openttd-openmsx`, when installed), with their drums:
  tempo and beats from the file's own tempo and time-signature events.

Labels come only from the material: the tempo from the score's metronome mark / the tune's Q: /
the MIDI tempo events (all of which drive the rendering, so the audio is exactly at that tempo),
the beats from the score's or file's metric grid (time signatures, pickups) through the MIDI tempo
map, the key from the key the score writes with its mode (a bare key signature is no key label;
modal keys are recorded as written and left out of major/minor scoring). Nothing is hand-labelled.

Each piece is rendered whole with fluidsynth and a General MIDI SoundFont, then one excerpt of
EXCERPT seconds is cut starting on a beat. Audio and a copy of the labels go to OUT (default
~/.cache/son1k-real-analysis); the manifest (provenance + labels + beat times) is written to
data/real-analysis-set/manifest.json in the repository, so a regenerated set can be compared.

Usage: make-real-analysis-set.py [--out DIR] [--manifest PATH] [--limit N]
Needs: pip install music21 mido; apt-get install fluidsynth fluid-soundfont-gm (or timgm6mb-soundfont);
optional: apt-get install openttd-openmsx.
"""
import argparse
import glob
import hashlib
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import wave
import zipfile

import mido
import music21
from music21 import converter, corpus, key as m21key, meter, stream, tempo as m21tempo

RATE = 44100
EXCERPT = 25.0
MIN_EXCERPT = 12.0
SOUNDFONTS = ["/usr/share/sounds/sf2/FluidR3_GM.sf2", "/usr/share/sounds/sf2/TimGM6mb.sf2"]
NAMES = ["C", "Db", "D", "Eb", "E", "F", "F#", "G", "Ab", "A", "Bb", "B"]
MINOR_NAMES = ["C", "C#", "D", "Eb", "E", "F", "F#", "G", "G#", "A", "Bb", "B"]
# How many pieces each source gives (with 12 chorales for the key only, about 145 excerpts).
CHORALES = 45
OTHER_SCORES = 20
ABC_TUNES = 40
MIDI_SONGS = 31


def key_name(tonic_pc, mode):
    names = MINOR_NAMES if mode == "minor" else NAMES
    return f"{names[tonic_pc % 12]} {mode}"


MODE_WORDS = {
    "": "major", "maj": "major", "major": "major", "ion": "major", "ionian": "major",
    "m": "minor", "min": "minor", "minor": "minor", "aeo": "minor", "aeolian": "minor",
    "dor": "dorian", "dorian": "dorian", "phr": "phrygian", "phrygian": "phrygian",
    "lyd": "lydian", "lydian": "lydian", "mix": "mixolydian", "mixolydian": "mixolydian",
    "loc": "locrian", "locrian": "locrian",
}
PCS = {"C": 0, "D": 2, "E": 4, "F": 5, "G": 7, "A": 9, "B": 11}


def abc_key(field):
    """The tonic pitch class and mode an ABC K: field writes, or None (K:none, K:HP, clefs only)."""
    m = re.match(r"\s*([A-Ga-g])([#b]?)\s*([A-Za-z]*)", field)
    if not m:
        return None
    pc = PCS[m.group(1).upper()] + {"#": 1, "b": -1, "": 0}[m.group(2)]
    word = m.group(3).lower()
    if word.startswith(("clef", "treble", "bass", "alto", "tenor")):
        word = ""
    mode = MODE_WORDS.get(word) or MODE_WORDS.get(word[:3])
    if mode is None:
        return None
    return pc % 12, mode


def abc_tempo(field):
    """Beats per minute of the beat an ABC Q: field names (`1/4=120`, `3/8=80`, `120`)."""
    m = re.search(r"(\d+)/(\d+)\s*=\s*(\d+(?:\.\d+)?)", field)
    if m:
        return float(m.group(3)), float(m.group(1)) / float(m.group(2)) * 4.0
    m = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*", field)
    if m:
        return float(m.group(1)), None
    return None


def sha(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()[:16]


def tempo_map(mid):
    """(tick, seconds, microseconds per quarter) at each tempo change of a MIDI file."""
    changes = []
    for track in mid.tracks:
        tick = 0
        for msg in track:
            tick += msg.time
            if msg.type == "set_tempo":
                changes.append((tick, msg.tempo))
    changes.sort()
    out, last_tick, secs, us = [(0, 0.0, 500000)], 0, 0.0, 500000
    for tick, t in changes:
        secs += (tick - last_tick) * us / 1e6 / mid.ticks_per_beat
        last_tick, us = tick, t
        if out[-1][0] == tick:
            out[-1] = (tick, secs, t)
        else:
            out.append((tick, secs, t))
    return out


def tick_to_seconds(tmap, tpq, tick):
    base = tmap[0]
    for entry in tmap:
        if entry[0] <= tick:
            base = entry
        else:
            break
    return base[1] + (tick - base[0]) * base[2] / 1e6 / tpq


def last_note_tick(mid):
    end = 0
    for track in mid.tracks:
        tick = 0
        for msg in track:
            tick += msg.time
            if msg.type in ("note_on", "note_off"):
                end = max(end, tick)
    return end


def first_note_tick(mid):
    first = None
    for track in mid.tracks:
        tick = 0
        for msg in track:
            tick += msg.time
            if msg.type == "note_on" and msg.velocity > 0:
                first = tick if first is None else min(first, tick)
                break
    return first or 0


def render(midi_path, wav_path, soundfont, until_s):
    """Renders the file up to `until_s` seconds (the rest of the piece is not needed)."""
    mid = mido.MidiFile(midi_path)
    tmap = tempo_map(mid)
    short = mido.MidiFile(type=mid.type, ticks_per_beat=mid.ticks_per_beat)
    for track in mid.tracks:
        kept, tick, last, channels = mido.MidiTrack(), 0, 0, set()
        for msg in track:
            tick += msg.time
            if tick_to_seconds(tmap, mid.ticks_per_beat, tick) > until_s:
                break
            if msg.type == "end_of_track":
                continue
            if hasattr(msg, "channel"):
                channels.add(msg.channel)
            kept.append(msg.copy(time=tick - last))
            last = tick
        # At the cut every note and pedal the track holds is released (sustain off, all notes
        # off, all sound off) and the track ends: fluidsynth stops once the last voice is silent,
        # so a note left sounding at the cut would keep it rendering.
        for ch in sorted(channels):
            for control in (64, 123, 120):
                kept.append(mido.Message("control_change", channel=ch, control=control, value=0, time=0))
        kept.append(mido.MetaMessage("end_of_track", time=0))
        short.tracks.append(kept)
    cut_path = wav_path + ".cut.mid"
    short.save(cut_path)
    subprocess.run(
        ["fluidsynth", "-ni", "-q", "-g", "0.5", "-r", str(RATE), "-F", wav_path, soundfont, cut_path],
        check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=150,
    )


def cut(wav_in, wav_out, start, seconds):
    with wave.open(wav_in, "rb") as w:
        rate, ch, width, n = w.getframerate(), w.getnchannels(), w.getsampwidth(), w.getnframes()
        a = int(round(start * rate))
        b = min(n, a + int(round(seconds * rate)))
        w.setpos(min(a, n))
        frames = w.readframes(max(0, b - a))
    with wave.open(wav_out, "wb") as o:
        o.setnchannels(ch)
        o.setsampwidth(width)
        o.setframerate(rate)
        o.writeframes(frames)
    return (b - a) / rate


def excerpt_labels(beats, first_note, end, key_at):
    """Chooses the excerpt (starting on the first beat at or after the first note, after skipping
    up to 10% of the piece, at most 15 s) and labels it from the beat grid."""
    skip = min(15.0, 0.1 * (end - first_note))
    starts = [b for b in beats if b >= first_note + skip - 1e-6]
    if not starts:
        return None
    start = starts[0]
    length = min(EXCERPT, end - start)
    if length < MIN_EXCERPT:
        start = next((b for b in beats if b >= first_note - 1e-6), start)
        length = min(EXCERPT, end - start)
        if length < MIN_EXCERPT:
            return None
    inside = [round(b - start, 4) for b in beats if start - 1e-6 <= b <= start + length + 1e-6]
    ibis = [b - a for a, b in zip(inside, inside[1:])]
    if len(ibis) < 4:
        return None
    bpm = 60.0 / statistics.median(ibis)
    # Steady: nine beats in ten within 4% of the median interval (a shortened bar at a repeat
    # shifts the grid without changing the tempo).
    med = statistics.median(ibis)
    steady = sum(1 for d in ibis if abs(d - med) <= 0.04 * med) >= 0.9 * len(ibis)
    return {
        "start_s": round(start, 4),
        "seconds": round(length, 3),
        "bpm": round(bpm, 3),
        "steady_tempo": steady,
        "beats": inside,
        "key": key_at(start),
    }


# ---- music21 scores ---------------------------------------------------------------------------

def score_grid(score):
    """Beat offsets in quarter lengths from the score's own measures and time signatures."""
    part = score.parts[0] if score.parts else score
    beats = []
    ts = None
    for m in part.getElementsByClass(stream.Measure):
        found = m.getElementsByClass(meter.TimeSignature)
        if found:
            ts = found[0]
        if ts is None:
            ts = meter.TimeSignature("4/4")
        beat = ts.beatDuration.quarterLength
        offset, length = float(m.offset), float(m.duration.quarterLength)
        origin = offset - float(m.paddingLeft)
        k = 0
        while True:
            q = origin + k * beat
            if q >= offset + length - 1e-6:
                break
            if q >= offset - 1e-6:
                beats.append(q)
            k += 1
    return beats, (ts.ratioString if ts is not None else "4/4")


def score_keys(score):
    """(offset in quarters, key name or written mode) for each key the score writes with a mode."""
    part = score.parts[0] if score.parts else score
    out = []
    for k in part.flatten().getElementsByClass(m21key.KeySignature):
        if isinstance(k, m21key.Key) and k.mode in ("major", "minor"):
            out.append((float(k.getOffsetInHierarchy(part)), key_name(k.tonic.pitchClass, k.mode), k.mode))
        elif isinstance(k, m21key.Key):
            out.append((float(k.getOffsetInHierarchy(part)), None, k.mode))
        else:
            out.append((float(k.getOffsetInHierarchy(part)), None, None))
    return out


def from_score(score, ident, source, tmpdir, soundfont, out_dir, tempo_written):
    mid_path = os.path.join(tmpdir, ident + ".mid")
    score.write("midi", fp=mid_path)
    mid = mido.MidiFile(mid_path)
    tpq = mid.ticks_per_beat
    tmap = tempo_map(mid)
    qbeats, ts = score_grid(score)
    to_s = lambda q: tick_to_seconds(tmap, tpq, q * tpq)
    beats = [to_s(q) for q in qbeats]
    keys = score_keys(score)
    keys_s = [(to_s(q), name, mode) for q, name, mode in keys]

    def key_at(t):
        current = None
        for at, name, mode in keys_s:
            if at <= t + 1e-6:
                current = (name, mode)
        return current

    first = tick_to_seconds(tmap, tpq, first_note_tick(mid))
    end = tick_to_seconds(tmap, tpq, last_note_tick(mid))
    lab = excerpt_labels(beats, first, end, key_at)
    if lab is None:
        return None
    wav = os.path.join(out_dir, ident + ".wav")
    if not os.path.exists(wav):  # a rerun reuses what it rendered (the labels are recomputed)
        full = os.path.join(tmpdir, ident + ".wav")
        render(mid_path, full, soundfont, lab["start_s"] + lab["seconds"] + 1.0)
        cut(full, wav, lab["start_s"], lab["seconds"])
        os.remove(full)
    with wave.open(wav, "rb") as w:
        lab["seconds"] = round(w.getnframes() / w.getframerate(), 3)
    k = lab.pop("key")
    changes = [name for at, name, _ in keys_s if lab["start_s"] < at < lab["start_s"] + lab["seconds"]]
    item = {
        "id": ident,
        "file": ident + ".wav",
        "source": source,
        "meter": ts,
        **lab,
        "tempo_label": tempo_written,
        "key": k[0] if k else None,
        "mode_written": k[1] if k else None,
        "key_changes_inside": len(changes),
    }
    if not tempo_written:
        # No tempo written: the renderer's default tempo is no label of the music's.
        item["bpm"] = None
        item["beats"] = None
        item["steady_tempo"] = None
    return item


def raw_text(path):
    """The MusicXML text of a .xml or .mxl file (for the labels as written)."""
    path = str(path)
    if path.endswith(".mxl"):
        with zipfile.ZipFile(path) as z:
            name = next(n for n in z.namelist() if n.endswith((".xml", ".musicxml")) and not n.startswith("META"))
            return z.read(name).decode("utf-8", "replace")
    with open(path, encoding="utf-8", errors="replace") as f:
        return f.read()


def written_tempo(score, text):
    """The score's first written tempo in quarter notes per minute: a metronome mark music21
    read, else the first <sound tempo> of the MusicXML (which music21 does not always read)."""
    marks = [m for m in score.recurse().getElementsByClass(m21tempo.MetronomeMark) if m.number is not None]
    if marks:
        return marks[0].getQuarterBPM(), "metronome mark"
    m = re.search(r'<sound[^>]*\stempo="([0-9.]+)"', text or "")
    if m:
        qpm = float(m.group(1))
        # Make the rendering follow the written tempo.
        part = score.parts[0] if score.parts else score
        first = part.getElementsByClass(stream.Measure)
        (first[0] if first else part).insert(0, m21tempo.MetronomeMark(number=qpm, referent=1.0))
        return qpm, "<sound tempo>"
    return None, None


def scores(tmpdir, soundfont, out_dir, limit):
    items = []
    version = music21.__version__
    chorales = sorted(str(p) for p in corpus.getComposer("bach") if os.path.basename(str(p)).startswith("bwv"))
    seen, unique = set(), []
    for p in chorales:
        stem = os.path.splitext(os.path.basename(p))[0]
        if p.endswith((".mxl", ".xml")) and stem not in seen:
            seen.add(stem)
            unique.append(p)
    # Chorales with a written tempo first (tempo, beats and key), then a few more for the key.
    with_tempo = [p for p in unique if re.search(r'<sound[^>]*\stempo=', raw_text(p))]
    rest = [p for p in unique if p not in with_tempo]
    picks = with_tempo[: min(CHORALES, limit)] + rest[:: max(1, len(rest) // 12)][: min(12, limit)]
    for p in picks:
        s = converter.parse(p)
        qpm, how = written_tempo(s, raw_text(p))
        ident = "bach-" + os.path.splitext(os.path.basename(p))[0].replace(".", "_")
        item = from_score(s, ident, provenance(p, "music21", version, f"MusicXML <key><mode>; tempo: {how}"), tmpdir, soundfont, out_dir, qpm is not None)
        if item and item["key"]:
            items.append(item)
            print(f"  {ident}: {item['bpm']} BPM, {item['key']}", file=sys.stderr)
    corpus_root = os.path.join(os.path.dirname(music21.__file__), "corpus")
    # (The string quartets of Haydn, Mozart and Beethoven are left out: fluidsynth does not
    # finish their renderings here, and parsing them takes minutes.)
    others = []
    for composer in ["joplin", "handel"]:
        try:
            paths = sorted(str(p) for p in corpus.getComposer(composer))
        except Exception:
            continue
        paths = [p for p in paths if p.endswith((".mxl", ".xml", ".krn")) and os.path.getsize(p) < 120_000]
        others.extend((composer, p) for p in paths[:6])
    n = 0
    for composer, p in others:
        if n >= min(OTHER_SCORES, limit):
            break
        try:
            s = converter.parse(p)
            if isinstance(s, stream.Opus):
                continue
            qpm, how = written_tempo(s, raw_text(p) if not p.endswith(".krn") else "")
            has_mode = any(name for _, name, _ in score_keys(s))
            if not has_mode and qpm is None:
                continue
            ident = composer + "-" + re.sub(r"[^A-Za-z0-9]+", "_", os.path.splitext(os.path.relpath(p, corpus_root))[0].split("/", 1)[-1])[:50]
            item = from_score(s, ident, provenance(p, "music21", version, f"score key with mode; tempo: {how}"), tmpdir, soundfont, out_dir, qpm is not None)
        except Exception as e:  # a file music21 cannot read or render is skipped, and said
            print(f"  skip {p}: {e}", file=sys.stderr)
            continue
        if item and (item["key"] or item["bpm"]):
            items.append(item)
            n += 1
            print(f"  {ident}: {item['bpm']} BPM, {item['key']}", file=sys.stderr)
    return items


def provenance(path, package, version, labels):
    path = str(path)
    inside = path.split("/corpus/", 1)[-1]
    return {"package": f"PyPI {package} {version}", "path": "corpus/" + inside, "sha256_16": sha(path), "labels_from": labels}


# ---- ABC tunes --------------------------------------------------------------------------------

def abc_tunes(tmpdir, soundfont, out_dir, limit):
    version = music21.__version__
    root = os.path.join(os.path.dirname(music21.__file__), "corpus")
    books = sorted(glob.glob(os.path.join(root, "**", "*.abc"), recursive=True))
    candidates = []
    for book in books:
        text = open(book, encoding="latin-1").read()
        for tune in re.split(r"\n(?=X:)", text):
            head = {}
            for line in tune.splitlines():
                m = re.match(r"([A-Za-z]):(.*)", line)
                if m and m.group(1) in "XTKQML" and m.group(1) not in head:
                    head[m.group(1)] = m.group(2).strip()
                if line.startswith("K:"):
                    break
            if "K" not in head or "Q" not in head or "X" not in head:
                continue
            k, q = abc_key(head["K"]), abc_tempo(head["Q"])
            if k is not None and q is not None:
                candidates.append((book, tune, head, k))
    # Spread over the tunebooks: every n-th candidate.
    step = max(1, len(candidates) // max(1, min(ABC_TUNES, limit)))
    items = []
    for book, tune, head, k in candidates[::step]:
            if len(items) >= min(ABC_TUNES, limit):
                return items
            try:
                s = converter.parse(tune, format="abc")
            except Exception as e:
                print(f"  skip {book} X:{head['X']}: {e}", file=sys.stderr)
                continue
            if isinstance(s, stream.Opus):
                if not s.scores:
                    continue
                s = s.scores[0]
            ident = "abc-" + os.path.splitext(os.path.basename(book))[0] + "-" + re.sub(r"\W+", "", head["X"])
            try:
                item = from_score(s, ident, {
                    "package": f"PyPI music21 {version}", "path": "corpus/" + os.path.relpath(book, root),
                    "tune": f"X:{head['X']} T:{head.get('T', '')}", "sha256_16": sha(book),
                    "labels_from": f"K:{head['K']} Q:{head['Q']} (tune header)",
                }, tmpdir, soundfont, out_dir, True)
            except Exception as e:
                print(f"  skip {book} X:{head['X']}: {e}", file=sys.stderr)
                continue
            if item is None:
                continue
            pc, mode = k
            item["mode_written"] = mode
            item["key"] = key_name(pc, mode) if mode in ("major", "minor") else None
            items.append(item)
            print(f"  {ident}: {item['bpm']} BPM, {item['key']} ({mode})", file=sys.stderr)
    return items


# ---- MIDI songs in Debian packages -------------------------------------------------------------

def midi_grid(mid):
    """Beat ticks from the file's time-signature events (compound meters beat in dotted quarters)."""
    sigs = []
    for track in mid.tracks:
        tick = 0
        for msg in track:
            tick += msg.time
            if msg.type == "time_signature":
                sigs.append((tick, msg.numerator, msg.denominator))
    sigs.sort()
    if not sigs or sigs[0][0] > 0:
        sigs.insert(0, (0, 4, 4))
    end = last_note_tick(mid)
    tpq = mid.ticks_per_beat
    beats = []
    for i, (at, num, den) in enumerate(sigs):
        until = sigs[i + 1][0] if i + 1 < len(sigs) else end + 1
        unit = tpq * 4 / den
        if den >= 8 and num % 3 == 0 and num > 3:
            unit *= 3
        t = at
        while t < until:
            beats.append(t)
            t += unit
    meter_name = f"{sigs[0][1]}/{sigs[0][2]}"
    return beats, meter_name


def midi_songs(tmpdir, soundfont, out_dir, limit):
    files = sorted(glob.glob("/usr/share/games/openttd/baseset/openmsx/*.mid")
                   + glob.glob("/usr/share/openttd/baseset/openmsx/*.mid"))
    pkg = debian_version("openttd-openmsx")
    items = []
    for path in files:
        if len(items) >= min(MIDI_SONGS, limit):
            break
        try:
            mid = mido.MidiFile(path)
        except Exception as e:
            print(f"  skip {path}: {e}", file=sys.stderr)
            continue
        tpq = mid.ticks_per_beat
        tmap = tempo_map(mid)
        ticks, ts = midi_grid(mid)
        beats = [tick_to_seconds(tmap, tpq, t) for t in ticks]
        first = tick_to_seconds(tmap, tpq, first_note_tick(mid))
        end = tick_to_seconds(tmap, tpq, last_note_tick(mid))
        lab = excerpt_labels(beats, first, end, lambda _t: None)
        if lab is None:
            continue
        ident = "openmsx-" + re.sub(r"\W+", "_", os.path.splitext(os.path.basename(path))[0])
        wav = os.path.join(out_dir, ident + ".wav")
        if not os.path.exists(wav):
            full = os.path.join(tmpdir, ident + ".wav")
            try:
                render(path, full, soundfont, lab["start_s"] + lab["seconds"] + 1.0)
            except subprocess.SubprocessError as e:
                print(f"  skip {path}: {e}", file=sys.stderr)
                continue
            cut(full, wav, lab["start_s"], lab["seconds"])
            os.remove(full)
        with wave.open(wav, "rb") as w:
            lab["seconds"] = round(w.getnframes() / w.getframerate(), 3)
        lab.pop("key")
        items.append({
            "id": ident, "file": ident + ".wav",
            "source": {"package": f"Debian openttd-openmsx {pkg}", "path": path, "sha256_16": sha(path),
                       "labels_from": "MIDI tempo and time-signature events"},
            "meter": ts, **lab, "tempo_label": True, "key": None, "mode_written": None, "key_changes_inside": 0,
        })
        print(f"  {ident}: {items[-1]['bpm']} BPM", file=sys.stderr)
    return items


def debian_version(pkg):
    try:
        return subprocess.run(["dpkg-query", "-W", "-f=${Version}", pkg], capture_output=True, text=True).stdout or "?"
    except OSError:
        return "?"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", default=os.path.expanduser("~/.cache/son1k-real-analysis"))
    here = os.path.dirname(os.path.abspath(__file__))
    ap.add_argument("--manifest", default=os.path.join(here, "..", "data", "real-analysis-set", "manifest.json"))
    ap.add_argument("--limit", type=int, default=1000, help="at most this many pieces per source")
    args = ap.parse_args()
    soundfont = next((s for s in SOUNDFONTS if os.path.exists(s)), None)
    if soundfont is None:
        sys.exit("no General MIDI SoundFont: apt-get install fluid-soundfont-gm (or timgm6mb-soundfont)")
    os.makedirs(args.out, exist_ok=True)
    items = []
    with tempfile.TemporaryDirectory() as tmp:
        print("music21 scores …", file=sys.stderr)
        items += scores(tmp, soundfont, args.out, args.limit)
        print("ABC tunes …", file=sys.stderr)
        items += abc_tunes(tmp, soundfont, args.out, args.limit)
        print("MIDI songs from Debian packages …", file=sys.stderr)
        items += midi_songs(tmp, soundfont, args.out, args.limit)
    for it in items:
        it["sha256_16_audio"] = sha(os.path.join(args.out, it["file"]))
    manifest = {
        "about": "Real analysis evaluation set (issue #29): externally authored, labelled music rendered "
                 "deterministically; labels from the material only. Made by scripts/make-real-analysis-set.py.",
        "soundfont": os.path.basename(soundfont),
        "fluidsynth": subprocess.run(["fluidsynth", "--version"], capture_output=True, text=True).stdout.splitlines()[0],
        "music21": music21.__version__,
        "rate": RATE,
        "items": items,
    }
    text = json.dumps(manifest, indent=1, sort_keys=False)
    os.makedirs(os.path.dirname(os.path.abspath(args.manifest)), exist_ok=True)
    with open(args.manifest, "w") as f:
        f.write(text + "\n")
    with open(os.path.join(args.out, "manifest.json"), "w") as f:
        f.write(text + "\n")
    tempo = sum(1 for i in items if i["bpm"])
    keys = sum(1 for i in items if i["key"])
    print(f"{len(items)} excerpts ({tempo} with tempo and beats, {keys} with a major/minor key) in {args.out}", file=sys.stderr)


if __name__ == "__main__":
    main()
