// The musical names the engines return as fixed English identifiers: the genres (son1k-core's
// Genre ids), the instruments a prompt can ask for (son1k-compose's Instrument ids, in override
// messages) and the stems a generated take has (son1k-compose's part and layer names). Each
// language's table (en.ts, es.ts) names every one of them; a test checks the lists against the
// Rust sources.

export const GENRE_IDS = [
  "pop",
  "rock",
  "electronic",
  "hip-hop",
  "trap",
  "jazz",
  "classical",
  "latin",
  "country",
  "reggaeton",
  "house",
  "techno",
  "lo-fi",
  "ambient",
  "cumbia",
  "bolero",
  "ballad",
  "funk",
  "drum-and-bass",
  "rnb",
  "metal",
  "folk",
  "blues",
  "reggae",
  "salsa",
  "bachata",
  "merengue",
  "dembow",
  "corridos",
] as const;
export type GenreId = (typeof GENRE_IDS)[number];

/** Instruments a prompt can ask for (`Instrument::id`: lower-case English). */
export const INSTRUMENT_IDS = [
  "piano",
  "electric piano",
  "guitar",
  "acoustic guitar",
  "electric guitar",
  "distorted guitar",
  "requinto",
  "bajo sexto",
  "strings",
  "violin",
  "cello",
  "orchestra",
  "brass",
  "trumpet",
  "trombone",
  "tuba",
  "horn",
  "sax",
  "flute",
  "clarinet",
  "oboe",
  "synth",
  "organ",
  "bells",
  "marimba",
  "harp",
  "accordion",
  "808",
  "bongó",
  "congas",
  "timbales",
] as const;

/** The stems of a generated take (`stems/<name>.wav`). */
export const STEM_IDS = [
  "drums",
  "perc",
  "bass",
  "keys",
  "pad",
  "lead",
  "vocal",
  "piano",
  "rhodes",
  "organ",
  "synth",
  "guitar",
  "guitar2",
  "guitar-2",
  "acoustic",
  "requinto",
  "bajo-sexto",
  "strings",
  "strings-2",
  "violin",
  "cello",
  "brass",
  "brass-2",
  "trombone",
  "horn",
  "sax",
  "flute",
  "clarinet",
  "oboe",
  "woodwinds",
  "bells",
  "marimba",
  "harp",
  "accordion",
  "extra",
] as const;

/** Every instrument or stem identifier a table names. */
export type InstrumentId = (typeof INSTRUMENT_IDS)[number] | (typeof STEM_IDS)[number];

export type Letter = "C" | "D" | "E" | "F" | "G" | "A" | "B";

/** One language's musical names. */
export interface MusicNames {
  /** The note names of the seven letters ("D" → "Re"). */
  notes: Record<Letter, string>;
  /** Written after the note for a sharp and a flat. */
  sharp: string;
  flat: string;
  major: string;
  minor: string;
  genres: Record<GenreId, string>;
  instruments: Record<InstrumentId, string>;
}
