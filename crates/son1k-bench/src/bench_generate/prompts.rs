//! The prompt set: every genre with a Spanish and an English prompt, and the lyrics it sings.

/// One genre of the prompt set.
pub(crate) struct BenchGenre {
    /// Name in the table.
    pub name: &'static str,
    /// Genre ids (as `song.json` writes them) that count as having understood the prompt.
    pub accept: &'static [&'static str],
    /// The Spanish prompt.
    pub es: &'static str,
    /// The English prompt.
    pub en: &'static str,
    /// A loop-based electronic style, which may keep one chord per bar.
    pub loops: bool,
}

pub(super) const fn g(
    name: &'static str,
    accept: &'static [&'static str],
    es: &'static str,
    en: &'static str,
    loops: bool,
) -> BenchGenre {
    BenchGenre {
        name,
        accept,
        es,
        en,
        loops,
    }
}

/// The prompt set: every genre the issue lists, one prompt in each language.
pub(crate) const GENRES: [BenchGenre; 27] = [
    g(
        "pop",
        &["pop"],
        "una canción pop alegre con piano y sintetizadores",
        "an upbeat pop song with piano and synths",
        false,
    ),
    g(
        "rock",
        &["rock"],
        "un rock con guitarras distorsionadas y batería potente",
        "a driving rock song with distorted guitars",
        false,
    ),
    g(
        "metal",
        &["metal"],
        "un metal agresivo con doble bombo y guitarras pesadas",
        "an aggressive metal track with double kick and heavy guitars",
        false,
    ),
    g(
        "hip-hop",
        &["hip-hop", "hiphop"],
        "un hip hop clásico de boom bap con samples de piano",
        "a classic boom bap hip hop beat with a dusty piano",
        false,
    ),
    g(
        "trap",
        &["trap"],
        "un trap oscuro con 808 y hi-hats rápidos",
        "a dark trap beat with 808 bass and fast hi-hats",
        true,
    ),
    g(
        "r&b",
        &["rnb", "r&b"],
        "un r&b suave y romántico con piano eléctrico",
        "a smooth romantic r&b song with electric piano",
        false,
    ),
    g(
        "house",
        &["house"],
        "un house bailable con piano y bombo a negras",
        "a deep house groove with piano chords",
        true,
    ),
    g(
        "techno",
        &["techno"],
        "un techno hipnótico de club",
        "a hypnotic warehouse techno track",
        true,
    ),
    g(
        "drum & bass",
        &["drum-and-bass", "dnb"],
        "un drum and bass enérgico con bajo reese",
        "an energetic drum and bass roller with a reese bass",
        true,
    ),
    g(
        "lo-fi",
        &["lo-fi", "lofi"],
        "un lo-fi relajado para estudiar",
        "a chill lo-fi beat to study to",
        false,
    ),
    g(
        "ambient",
        &["ambient"],
        "un ambient tranquilo con pads largos",
        "a calm ambient soundscape with long pads",
        true,
    ),
    g(
        "jazz",
        &["jazz"],
        "un jazz con contrabajo, piano y platillo ride",
        "a melancholic jazz ballad with piano and upright bass",
        false,
    ),
    g(
        "blues",
        &["blues"],
        "un blues lento con guitarra y armónica",
        "a slow shuffle blues with guitar",
        false,
    ),
    g(
        "funk",
        &["funk"],
        "un funk bailable con clavinet y bajo slap",
        "a funky groove with clavinet and slap bass",
        false,
    ),
    g(
        "classical",
        &["classical"],
        "una pieza de música clásica para orquesta de cuerdas",
        "a classical piece for string orchestra and woodwinds",
        false,
    ),
    g(
        "country",
        &["country"],
        "un country alegre con guitarra acústica",
        "a country song with steel-string acoustic guitar",
        false,
    ),
    g(
        "folk",
        &["folk"],
        "una canción folk íntima con guitarra acústica",
        "an intimate folk song with fingerpicked acoustic guitar",
        false,
    ),
    g(
        "ballad",
        &["ballad", "balada"],
        "una balada romántica con piano y cuerdas",
        "a romantic ballad with piano and strings",
        false,
    ),
    g(
        "bolero",
        &["bolero"],
        "un bolero romántico con requinto y bongó",
        "a romantic bolero with requinto guitar and bongos",
        false,
    ),
    g(
        "reggaeton",
        &["reggaeton"],
        "un reguetón para perrear con dembow",
        "a reggaeton party track",
        false,
    ),
    g(
        "dembow",
        &["dembow"],
        "un dembow dominicano bien movido",
        "a fast Dominican dembow track",
        false,
    ),
    g(
        "cumbia",
        &["cumbia"],
        "una cumbia alegre con acordeón",
        "a happy cumbia with accordion and guacharaca",
        false,
    ),
    g(
        "salsa",
        &["salsa"],
        "una salsa con piano, trompetas y congas",
        "a salsa dura with piano montuno, trumpets and congas",
        false,
    ),
    g(
        "bachata",
        &["bachata"],
        "una bachata romántica con requinto",
        "a romantic bachata with requinto guitar and bongos",
        false,
    ),
    g(
        "merengue",
        &["merengue"],
        "un merengue rápido con tambora y güira",
        "a fast merengue with tambora and accordion",
        false,
    ),
    g(
        "reggae",
        &["reggae"],
        "un reggae relajado con órgano y guitarra",
        "a roots reggae one drop with organ skank",
        false,
    ),
    g(
        "corridos",
        &[
            "corridos",
            "corrido",
            "regional-mexicano",
            "regional mexicano",
            "norteno",
            "norteño",
        ],
        "un corrido norteño con acordeón y bajo sexto",
        "a Mexican corrido with accordion and bajo sexto",
        false,
    ),
];

/// Short lyrics with plenty of sibilants, one per language.
pub(super) const LYRICS_ES: &str = "[Verso]\nSigo tus pasos por la ciudad\nsiento que el sol se va sin piedad\nbuscas la luz en cada estación\ny se deshace mi voz\n[Coro]\nSí, solo sé que tú eres mi sol\nsuenan las calles con esta canción\nsalta, sonríe, siente el calor\nsiempre seremos los dos\n";
pub(super) const LYRICS_EN: &str = "[Verse]\nStreetlights are softly singing your name\nsmoke in the city, sparks in the rain\nsomething is shifting, I sense it at last\nshadows are fading so fast\n[Chorus]\nSo stay, this is the best of us\nkiss me and sway, just trust\nsing it out loud, it's a sweet sensation\nstars on the seaside station\n";
