//! Path arithmetic without the file system: absolute and normalised keys,
//! relative paths and specifiers, and paths as shown to people.

use std::path::{Component, Path, PathBuf};

/// `path` made absolute against the working directory (lexically).
pub fn absolute(path: &Path) -> PathBuf {
    std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf())
}

/// Removes `.` and resolves `..` without touching the file system.
pub fn normalize(path: &Path) -> PathBuf {
    // Never longer than `path`: sized once, so that the many keys kept for
    // a whole run carry no spare capacity from growing.
    let mut out = PathBuf::with_capacity(path.as_os_str().len());
    for component in path.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

/// The path from directory `from` to `to`, `..` included, `/`-separated
/// (empty when they are the same).
pub fn relative_path(from: &Path, to: &Path) -> String {
    let from: Vec<Component> = from.components().collect();
    let to: Vec<Component> = to.components().collect();
    let common = from.iter().zip(&to).take_while(|(a, b)| a == b).count();
    let mut parts: Vec<String> = vec!["..".to_string(); from.len() - common];
    parts.extend(
        to[common..]
            .iter()
            .map(|c| c.as_os_str().to_string_lossy().into_owned()),
    );
    parts.join("/")
}

/// `base` (a displayed directory, `.` for the current one) followed by
/// `relative` (which may climb with `..`), simplified: `apps/api` + `..`
/// is `apps`, `.` + `../..` is `../..`.
pub fn display_join(base: &str, relative: &str) -> String {
    let mut parts: Vec<&str> = base
        .split('/')
        .filter(|p| !p.is_empty() && *p != ".")
        .collect();
    for part in relative.split('/').filter(|p| !p.is_empty() && *p != ".") {
        if part == ".." && parts.last().is_some_and(|last| *last != "..") {
            parts.pop();
        } else {
            parts.push(part);
        }
    }
    let lead = if base.starts_with('/') { "/" } else { "" };
    if parts.is_empty() {
        if lead.is_empty() {
            ".".to_string()
        } else {
            lead.to_string()
        }
    } else {
        format!("{lead}{}", parts.join("/"))
    }
}

/// `./x` or `../x`: how a file in `from_dir` imports `target`.
pub fn relative_specifier(from_dir: &Path, target: &Path) -> String {
    let joined = relative_path(from_dir, target);
    if joined.starts_with("..") {
        joined
    } else {
        format!("./{joined}")
    }
}

/// A specifier without its script extension (`./x.js` -> `./x`).
pub fn strip_script_extension(specifier: &str) -> &str {
    for ext in [".js", ".mjs", ".cjs", ".ts", ".mts", ".cts"] {
        if let Some(stripped) = specifier.strip_suffix(ext) {
            return stripped;
        }
    }
    specifier
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_join_climbs_and_descends() {
        assert_eq!(display_join(".", ""), ".");
        assert_eq!(display_join(".", "apps/api"), "apps/api");
        assert_eq!(display_join("apps/api", ".."), "apps");
        assert_eq!(display_join(".", "../.."), "../..");
        assert_eq!(display_join("../x", "../y"), "../y");
        assert_eq!(display_join("/abs/dir", "sub"), "/abs/dir/sub");
    }

    #[test]
    fn relative_path_between_directories() {
        assert_eq!(relative_path(Path::new("/a/b"), Path::new("/a/b")), "");
        assert_eq!(relative_path(Path::new("/a/b/c"), Path::new("/a")), "../..");
        assert_eq!(relative_path(Path::new("/a"), Path::new("/a/b")), "b");
    }
}
