//! Files the desktop webview reads from the studio's folders (takes, project audio, voice
//! recordings) through the shell's URI schemes: a request path becomes a file inside one folder,
//! or nothing. The shell only turns a [`Served`] into its HTTP response.

use std::fs;
use std::path::{Path, PathBuf};

use crate::paths::contained;

/// What a request for a file under a served folder gets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Served {
    /// The file's bytes and its MIME type.
    File {
        /// The whole file.
        bytes: Vec<u8>,
        /// `audio/wav`, `audio/midi`, `application/json`, `audio/flac` or
        /// `application/octet-stream`.
        mime: &'static str,
    },
    /// The path would leave the folder, or names nothing (a 400).
    BadPath,
    /// No such file (a 404), with the reason.
    Missing(String),
}

/// A file under `root` for a request path such as `/take-1/stems/bass.wav`. Each segment is
/// percent-decoded and must then be a plain name (see [`crate::paths::plain_name`]), so a request
/// can never leave the folder it is served from.
pub fn resolve(root: &Path, request_path: &str) -> Option<PathBuf> {
    let decoded = request_path
        .split('/')
        .map(percent_decode)
        .collect::<Option<Vec<String>>>()?;
    // A decoded `/` would join two segments into one path below: refuse it here.
    if decoded.iter().any(|s| s.contains('/')) {
        return None;
    }
    contained(root, &decoded.join("/"))
}

/// Reads the file a request names under `root`.
pub fn serve(root: &Path, request_path: &str) -> Served {
    match resolve(root, request_path) {
        None => Served::BadPath,
        Some(file) => match fs::read(&file) {
            Ok(bytes) => Served::File {
                mime: mime_for(&file),
                bytes,
            },
            Err(e) => Served::Missing(format!("{}: {e}", file.display())),
        },
    }
}

pub(crate) fn percent_decode(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = s.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

fn mime_for(file: &Path) -> &'static str {
    match file.extension().and_then(|e| e.to_str()) {
        Some("wav") => "audio/wav",
        Some("mid") => "audio/midi",
        Some("json") => "application/json",
        Some("flac") => "audio/flac",
        _ => "application/octet-stream",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_cannot_leave_the_served_folder() {
        let songs = Path::new("/data/songs");
        assert_eq!(
            resolve(songs, "/take-1/stems/bass.wav"),
            Some(songs.join("take-1/stems/bass.wav"))
        );
        for bad in [
            "/../secret",
            "/take-1/../../x",
            "/.hidden",
            "/a%2F..",
            "/a\\b",
            "/",
            "/%2e%2e/secret",
            "/a%2Fb",
            "/a%5Cb",
            "/c%3A",
            "/%ff",
            "/%2",
        ] {
            assert_eq!(resolve(songs, bad), None, "{bad}");
        }
        // Project folders and demos may have accents, spaces and brackets in their names.
        assert_eq!(
            resolve(songs, "/canci%C3%B3n-1/audio/demo%20(1).wav"),
            Some(songs.join("canción-1/audio/demo (1).wav"))
        );
    }
}
