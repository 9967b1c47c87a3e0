// One table for every string the UI shows, in English and Spanish.
// Tests check that both languages have exactly the same keys and no empty text.

export type Lang = "en" | "es";

const en = {
  "app.name": "Son1k Studio",
  "nav.dashboard": "Dashboard",
  "nav.ghost": "Ghost Studio",
  "nav.generator": "Generator",
  "nav.lyrics": "Lyric Studio",
  "nav.voice": "Voice",
  "nav.pool": "Pool",
  "nav.account": "Account",
  "nav.settings": "Settings",
  "lang.label": "Language",
  "common.loading": "Loading…",
  "common.cancel": "Cancel",
  "common.close": "Close",
  "common.retry": "Retry",
  "common.notBuilt": "Not built yet",
  "common.desktopOnly":
    "This screen talks to the studio engine, which runs inside the desktop app. Start it with `make studio`.",
  "dash.title": "Dashboard",
  "dash.subtitle": "What this installation has and what it can reach.",
  "dash.version": "Version",
  "dash.dataDir": "Data folder",
  "dash.cacheDir": "Cache folder",
  "dash.notCreated": "created on first save",
  "dash.engines": "Song engines",
  "dash.ready": "ready",
  "dash.unavailable": "unavailable",
  "dash.ollama": "Ollama (lyrics)",
  "dash.reachable": "reachable",
  "dash.audio": "Audio",
  "dash.outputs": "Outputs",
  "dash.inputs": "Inputs",
  "dash.noDevices": "none",
  "dash.tiers": "Plans",
  "dash.perDay": "per day",
  "dash.perMonth": "per month",
  "dash.generations": "generations",
  "dash.unlimited": "unlimited",
  "dash.refresh": "Check again",
  "gen.title": "The Generator",
  "gen.subtitle":
    "Describe the song; the four knobs and the fields build the prompt live. Generating audio arrives with the song engine.",
  "gen.genre": "Genre",
  "gen.genreAuto": "Auto-detect",
  "gen.mood": "Mood",
  "gen.bpm": "BPM",
  "gen.key": "Key",
  "gen.instruments": "Instruments (comma separated)",
  "gen.notes": "Notes",
  "gen.instrumental": "Instrumental (no vocals)",
  "gen.promptLang": "Prompt language",
  "gen.prompt": "Prompt",
  "gen.chars": "characters",
  "gen.presets": "Presets",
  "gen.copy": "Copy prompt",
  "gen.copied": "Prompt copied",
  "gen.engineMissing":
    "Generation is not available yet: the procedural song engine arrives with the Generator issue.",
  "knob.expressivity": "Expressivity",
  "knob.rareza": "Rareza",
  "knob.garage": "Garage",
  "knob.trash": "Trash",
  "ghost.title": "Ghost Studio",
  "ghost.body":
    "Demo in, produced track out: multitrack session, knobs that transform audio, A/B and export. Not built yet — it arrives with the Ghost Studio issue.",
  "lyrics.title": "Lyric Studio",
  "lyrics.body":
    "Lyrics with a local Ollama, metre and rhyme in Spanish and English. Not built yet — it arrives with the Lyric Studio issue.",
  "voice.title": "Voice",
  "voice.body":
    "DSP voice transform and neural voice conversion. Not built yet — it arrives with the Voice studio issue.",
  "pool.title": "Community pool",
  "pool.body":
    "Browse, claim and like community songs. Not built yet — it arrives with the Account and sync issue.",
  "account.title": "Account",
  "account.body":
    "Sign in, plan, remaining generations and checkout. Not built yet — it arrives with the Account and sync issue. Until then the studio works offline as FREE.",
  "settings.title": "Settings",
  "settings.language": "Interface language",
  "settings.shortcuts": "Keyboard shortcuts",
  "settings.more": "Audio device, folders and model settings arrive with their issues.",
  "keys.screens": "Go to screen 1–8",
  "keys.undo": "Undo a knob or field change",
  "keys.redo": "Redo",
  "keys.help": "Show shortcuts",
  "error.title": "Something went wrong",
} as const;

export type MessageKey = keyof typeof en;

const es: Record<MessageKey, string> = {
  "app.name": "Son1k Studio",
  "nav.dashboard": "Panel",
  "nav.ghost": "Ghost Studio",
  "nav.generator": "Generador",
  "nav.lyrics": "Estudio de letras",
  "nav.voice": "Voz",
  "nav.pool": "Pool",
  "nav.account": "Cuenta",
  "nav.settings": "Ajustes",
  "lang.label": "Idioma",
  "common.loading": "Cargando…",
  "common.cancel": "Cancelar",
  "common.close": "Cerrar",
  "common.retry": "Reintentar",
  "common.notBuilt": "Aún no construido",
  "common.desktopOnly":
    "Esta pantalla habla con el motor del estudio, que corre dentro de la app de escritorio. Ábrela con `make studio`.",
  "dash.title": "Panel",
  "dash.subtitle": "Lo que tiene esta instalación y lo que puede alcanzar.",
  "dash.version": "Versión",
  "dash.dataDir": "Carpeta de datos",
  "dash.cacheDir": "Carpeta de caché",
  "dash.notCreated": "se crea al guardar por primera vez",
  "dash.engines": "Motores de canciones",
  "dash.ready": "listo",
  "dash.unavailable": "no disponible",
  "dash.ollama": "Ollama (letras)",
  "dash.reachable": "accesible",
  "dash.audio": "Audio",
  "dash.outputs": "Salidas",
  "dash.inputs": "Entradas",
  "dash.noDevices": "ninguna",
  "dash.tiers": "Planes",
  "dash.perDay": "por día",
  "dash.perMonth": "por mes",
  "dash.generations": "generaciones",
  "dash.unlimited": "ilimitado",
  "dash.refresh": "Comprobar de nuevo",
  "gen.title": "El Generador",
  "gen.subtitle":
    "Describe la canción; las cuatro perillas y los campos construyen el prompt en vivo. Generar audio llega con el motor de canciones.",
  "gen.genre": "Género",
  "gen.genreAuto": "Detección automática",
  "gen.mood": "Ánimo",
  "gen.bpm": "BPM",
  "gen.key": "Tonalidad",
  "gen.instruments": "Instrumentos (separados por comas)",
  "gen.notes": "Notas",
  "gen.instrumental": "Instrumental (sin voz)",
  "gen.promptLang": "Idioma del prompt",
  "gen.prompt": "Prompt",
  "gen.chars": "caracteres",
  "gen.presets": "Presets",
  "gen.copy": "Copiar prompt",
  "gen.copied": "Prompt copiado",
  "gen.engineMissing":
    "Generar aún no está disponible: el motor procedural de canciones llega con la issue del Generador.",
  "knob.expressivity": "Expresividad",
  "knob.rareza": "Rareza",
  "knob.garage": "Garage",
  "knob.trash": "Trash",
  "ghost.title": "Ghost Studio",
  "ghost.body":
    "Entra una demo, sale un tema producido: sesión multipista, perillas que transforman el audio, A/B y exportación. Aún no construido: llega con la issue de Ghost Studio.",
  "lyrics.title": "Estudio de letras",
  "lyrics.body":
    "Letras con un Ollama local, métrica y rima en español e inglés. Aún no construido: llega con la issue del Estudio de letras.",
  "voice.title": "Voz",
  "voice.body":
    "Transformación de voz por DSP y conversión neural. Aún no construido: llega con la issue del estudio de voz.",
  "pool.title": "Pool comunitario",
  "pool.body":
    "Explora, reclama y marca canciones de la comunidad. Aún no construido: llega con la issue de cuenta y sincronización.",
  "account.title": "Cuenta",
  "account.body":
    "Inicio de sesión, plan, generaciones restantes y pago. Aún no construido: llega con la issue de cuenta y sincronización. Mientras tanto el estudio funciona sin conexión como FREE.",
  "settings.title": "Ajustes",
  "settings.language": "Idioma de la interfaz",
  "settings.shortcuts": "Atajos de teclado",
  "settings.more": "Dispositivo de audio, carpetas y modelos llegan con sus issues.",
  "keys.screens": "Ir a la pantalla 1–8",
  "keys.undo": "Deshacer un cambio de perilla o campo",
  "keys.redo": "Rehacer",
  "keys.help": "Mostrar atajos",
  "error.title": "Algo salió mal",
};

export const messages: Record<Lang, Record<MessageKey, string>> = { en, es };

/** Looks up `key` in `lang`, falling back to English (never to the raw key). */
export function translate(lang: Lang, key: MessageKey): string {
  return messages[lang][key] ?? messages.en[key];
}

/** Reads a saved language, or the system's when it is Spanish, else English. */
export function initialLang(saved: string | null, navigatorLang: string | undefined): Lang {
  if (saved === "en" || saved === "es") return saved;
  return navigatorLang?.toLowerCase().startsWith("es") ? "es" : "en";
}
