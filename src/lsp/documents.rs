//! The editor's open buffers, and the file system that serves them to the
//! engine in place of the disk: what is analysed is what the user sees,
//! saved or not.

use std::collections::HashMap;
use std::io;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::Arc;

use lsp_types::Uri;

use crate::files::{FileSystem, OsFileSystem};
use crate::paths::normalize;

/// One open buffer.
#[derive(Debug, Clone)]
pub struct Document {
    /// The URI the client knows it by.
    pub uri: Uri,
    /// The client's version of the text.
    pub version: i32,
    /// The full text (full sync).
    pub text: Arc<str>,
}

/// The open buffers, by normalized absolute path.
#[derive(Debug, Default)]
pub struct Documents {
    open: HashMap<PathBuf, Document>,
}

impl Documents {
    /// Opens (or replaces) the buffer at `path`.
    pub fn open(&mut self, path: PathBuf, document: Document) {
        self.open.insert(path, document);
    }

    /// Replaces the text of an open buffer; `false` when it is not open or
    /// the version is older than the one held (a late, reordered message).
    pub fn change(&mut self, path: &Path, version: i32, text: String) -> bool {
        match self.open.get_mut(path) {
            Some(doc) if version >= doc.version => {
                doc.version = version;
                doc.text = Arc::from(text);
                true
            }
            _ => false,
        }
    }

    /// Closes a buffer: from now on the disk speaks for the file.
    pub fn close(&mut self, path: &Path) -> Option<Document> {
        self.open.remove(path)
    }

    /// The open buffer at `path`.
    pub fn get(&self, path: &Path) -> Option<&Document> {
        self.open.get(path)
    }

    /// Every open buffer.
    pub fn iter(&self) -> impl Iterator<Item = (&PathBuf, &Document)> {
        self.open.iter()
    }

    /// A frozen copy of the buffers' texts and versions, for one analysis:
    /// later edits do not reach an analysis under way, so every text it
    /// reads twice (to parse, then for a position or a fix) is the same.
    pub fn snapshot(&self) -> Overlay {
        let texts = self
            .open
            .iter()
            .map(|(path, doc)| (path.clone(), (doc.version, Arc::clone(&doc.text))))
            .collect();
        Overlay {
            texts: Arc::new(texts),
        }
    }
}

/// The disk, with the open buffers laid over it.
#[derive(Debug, Clone, Default)]
pub struct Overlay {
    texts: Arc<HashMap<PathBuf, (i32, Arc<str>)>>,
}

impl Overlay {
    /// The buffer's text at `path`, when it is open.
    pub fn text(&self, path: &Path) -> Option<&Arc<str>> {
        self.texts.get(path).map(|(_, text)| text)
    }

    /// The version of the buffer at `path`, when it is open.
    pub fn version(&self, path: &Path) -> Option<i32> {
        self.texts.get(path).map(|(version, _)| *version)
    }

    /// The open buffers' paths.
    pub fn paths(&self) -> impl Iterator<Item = &PathBuf> {
        self.texts.keys()
    }

    /// The text at `path`: the buffer when open, else the disk's.
    pub fn read_text(&self, path: &Path) -> Option<String> {
        match self.lookup(path) {
            Some(text) => Some(text.to_string()),
            None => crate::files::read_text(&OsFileSystem, path),
        }
    }

    fn lookup(&self, path: &Path) -> Option<&Arc<str>> {
        if self.texts.is_empty() {
            return None;
        }
        if let Some(text) = self.text(path) {
            return Some(text);
        }
        // The engine may reach a file by another spelling of its path (`..`
        // segments). Symlinks are not resolved: that would cost a system
        // call per file read, and the walk spells paths as the folder does.
        self.text(&normalize(path))
    }
}

impl FileSystem for Overlay {
    fn read(&self, path: &Path) -> io::Result<Vec<u8>> {
        match self.lookup(path) {
            Some(text) => Ok(text.as_bytes().to_vec()),
            None => OsFileSystem.read(path),
        }
    }

    fn read_into(&self, path: &Path, scratch: &mut Vec<u8>) -> io::Result<usize> {
        match self.lookup(path) {
            Some(text) => {
                scratch.clear();
                scratch.extend_from_slice(text.as_bytes());
                Ok(text.len())
            }
            None => OsFileSystem.read_into(path, scratch),
        }
    }
}

/// The path of a `file:` URI (percent-decoded, normalized, absolute), or
/// `None` for another scheme (an untitled buffer, a diff view).
pub fn uri_to_path(uri: &Uri) -> Option<PathBuf> {
    let text = uri.as_str();
    let rest = text.strip_prefix("file://")?;
    // `file:///home/x` has an empty authority; `file://localhost/x` too.
    let rest = rest.strip_prefix("localhost").unwrap_or(rest);
    if !rest.starts_with('/') {
        return None;
    }
    let rest = rest.split(['?', '#']).next().unwrap_or(rest);
    let decoded = percent_decode(rest)?;
    Some(normalize(Path::new(&decoded)))
}

/// The `file:` URI of an absolute path.
pub fn path_to_uri(path: &Path) -> Option<Uri> {
    let mut text = String::from("file://");
    for byte in path.to_str()?.bytes() {
        if byte.is_ascii_alphanumeric() || b"/-._~!$&'()*+,;=:@".contains(&byte) {
            text.push(char::from(byte));
        } else {
            text.push_str(&format!("%{byte:02X}"));
        }
    }
    Uri::from_str(&text).ok()
}

fn percent_decode(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = std::str::from_utf8(bytes.get(i + 1..i + 3)?).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uris_round_trip() {
        let path = Path::new("/tmp/a b/é.ts");
        let uri = path_to_uri(path).unwrap();
        assert_eq!(uri.as_str(), "file:///tmp/a%20b/%C3%A9.ts");
        assert_eq!(uri_to_path(&uri).unwrap(), path);
        let untitled = Uri::from_str("untitled:Untitled-1").unwrap();
        assert_eq!(uri_to_path(&untitled), None);
    }

    #[test]
    fn open_buffers_are_read_before_the_disk() {
        let mut docs = Documents::default();
        let uri = path_to_uri(Path::new("/nowhere/x.ts")).unwrap();
        docs.open(
            PathBuf::from("/nowhere/x.ts"),
            Document {
                uri,
                version: 1,
                text: Arc::from("class A {}"),
            },
        );
        let overlay = docs.snapshot();
        assert_eq!(
            overlay.read(Path::new("/nowhere/./x.ts")).unwrap(),
            b"class A {}"
        );
        assert!(overlay.read(Path::new("/nowhere/y.ts")).is_err());
    }
}
