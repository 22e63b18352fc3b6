//! What the fix needs from the tsconfig that governs a file: whether it sets
//! `noUnusedLocals`, following `extends` (a relative path, or a package in
//! node_modules such as `@tsconfig/node20/tsconfig.json`). Module resolution
//! (`paths`, `baseUrl`) is `oxc_resolver`'s job; this reads one flag it does
//! not keep.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use serde_json::Value;

/// How many `extends` links are followed (a cycle ends here too).
const MAX_EXTENDS: usize = 8;

/// Answers per config, remembered.
#[derive(Debug, Default)]
pub struct Tsconfigs {
    nearest: NearestConfigs,
    by_config: Mutex<HashMap<PathBuf, bool>>,
}

impl Tsconfigs {
    /// Whether the nearest `tsconfig.json` above `file` sets `noUnusedLocals`
    /// (files with findings share a few configs among many directories:
    /// each config is read once).
    pub fn no_unused_locals(&self, file: &Path) -> bool {
        let Some(config) = file.parent().and_then(|dir| self.nearest.of(dir)) else {
            return false;
        };
        if let Some(known) = self
            .by_config
            .lock()
            .ok()
            .and_then(|c| c.get(&config).copied())
        {
            return known;
        }
        let answer = flag(&config, "noUnusedLocals", 0).unwrap_or(false);
        if let Ok(mut cache) = self.by_config.lock() {
            cache.insert(config, answer);
        }
        answer
    }
}

/// The nearest `tsconfig.json` at or above a directory, remembered for it
/// and for every directory on the way up (each asked of the disk once).
#[derive(Debug, Default)]
pub struct NearestConfigs {
    by_dir: Mutex<HashMap<PathBuf, Option<PathBuf>>>,
}

impl NearestConfigs {
    /// The nearest `tsconfig.json` at or above `dir`.
    pub fn of(&self, dir: &Path) -> Option<PathBuf> {
        if let Some(known) = self.by_dir.lock().ok().and_then(|c| c.get(dir).cloned()) {
            return known;
        }
        let here = dir.join("tsconfig.json");
        let found = if here.is_file() {
            Some(here)
        } else {
            dir.parent().and_then(|parent| self.of(parent))
        };
        if let Ok(mut cache) = self.by_dir.lock() {
            cache.insert(dir.to_path_buf(), found.clone());
        }
        found
    }

    /// Forgets every answer (the file system changed).
    pub fn clear(&mut self) {
        if let Ok(by_dir) = self.by_dir.get_mut() {
            by_dir.clear();
        }
    }
}

/// The value of `compilerOptions.<name>` in the config at `path`, its own
/// or inherited (a later `extends` entry wins over an earlier one, the file
/// over all of them).
fn flag(path: &Path, name: &str, depth: usize) -> Option<bool> {
    if depth > MAX_EXTENDS {
        return None;
    }
    let config = read_jsonc(path)?;
    if let Some(own) = config
        .get("compilerOptions")
        .and_then(|o| o.get(name))
        .and_then(Value::as_bool)
    {
        return Some(own);
    }
    let dir = path.parent()?;
    let extends: Vec<&str> = match config.get("extends") {
        Some(Value::String(one)) => vec![one.as_str()],
        Some(Value::Array(many)) => many.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    };
    extends
        .iter()
        .rev()
        .filter_map(|target| extended(dir, target))
        .find_map(|base| flag(&base, name, depth + 1))
}

/// The file an `extends` entry written in `dir` names.
fn extended(dir: &Path, target: &str) -> Option<PathBuf> {
    let with_json = |p: PathBuf| {
        if p.is_file() {
            Some(p)
        } else if p.is_dir() {
            Some(p.join("tsconfig.json")).filter(|p| p.is_file())
        } else {
            let mut named = p.into_os_string();
            named.push(".json");
            Some(PathBuf::from(named)).filter(|p| p.is_file())
        }
    };
    if target.starts_with('.') || Path::new(target).is_absolute() {
        return with_json(dir.join(target));
    }
    dir.ancestors()
        .map(|d| d.join("node_modules").join(target))
        .find_map(with_json)
}

/// A tsconfig's JSON, comments and trailing commas allowed.
fn read_jsonc(path: &Path) -> Option<Value> {
    let mut text = std::fs::read_to_string(path).ok()?;
    json_strip_comments::strip(&mut text).ok()?;
    serde_json::from_str(&text).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(dir: &Path, name: &str, text: &str) {
        let path = dir.join(name);
        if let Some(parent) = path.parent() {
            let _ = std::fs::create_dir_all(parent);
        }
        let _ = std::fs::write(path, text);
    }

    #[test]
    fn follows_extends_with_comments_and_packages() {
        let Ok(dir) = tempfile::tempdir() else {
            return;
        };
        let root = dir.path();
        write(
            root,
            "tsconfig.base.json",
            "{\n  // shared\n  \"compilerOptions\": { \"noUnusedLocals\": true, },\n}\n",
        );
        write(
            root,
            "apps/api/tsconfig.json",
            r#"{ "extends": "../../tsconfig.base.json" }"#,
        );
        write(
            root,
            "apps/worker/tsconfig.json",
            r#"{ "extends": "../../tsconfig.base.json", "compilerOptions": { "noUnusedLocals": false } }"#,
        );
        write(
            root,
            "node_modules/@acme/tsconfig/strict.json",
            r#"{ "compilerOptions": { "noUnusedLocals": true } }"#,
        );
        write(
            root,
            "libs/x/tsconfig.json",
            r#"{ "extends": ["@acme/tsconfig/strict"] }"#,
        );
        write(
            root,
            "libs/y/tsconfig.json",
            r#"{ "extends": "./missing.json" }"#,
        );
        let configs = Tsconfigs::default();
        assert!(configs.no_unused_locals(&root.join("apps/api/src/a.ts")));
        assert!(!configs.no_unused_locals(&root.join("apps/worker/src/a.ts")));
        assert!(configs.no_unused_locals(&root.join("libs/x/src/deep/a.ts")));
        assert!(!configs.no_unused_locals(&root.join("libs/y/a.ts")));
    }
}
