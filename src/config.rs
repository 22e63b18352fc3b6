//! `cronlock.toml`: the names cronlock looks for and how loud each rule is.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::registry::{Rule, Severity};

/// The lock decorators recognised when the configuration does not replace them.
pub const DEFAULT_LOCK_DECORATORS: [&str; 8] = [
    "ClusterSafeCron",
    "ClusterSafeCronEveryMinute",
    "ClusterSafeCronEvery5Minutes",
    "ClusterSafeCronEvery10Minutes",
    "ClusterSafeCronEvery30Minutes",
    "ClusterSafeCronEveryHour",
    "ClusterSafeCronEveryDay",
    "Lock",
];

/// The decorator `--migrate-cron` turns `@Cron` into.
pub const MIGRATED_DECORATOR: &str = "ClusterSafeCron";

/// The decorator name other libraries also export: it counts only when it
/// comes from the package's lock source.
pub const AMBIGUOUS_LOCK_DECORATOR: &str = "Lock";

/// The name `@Lock` also accepts for the member.
pub const LOCK_ALT_MEMBER: &str = "distributedLockService";

/// The effective configuration.
#[derive(Debug, Clone)]
pub struct Config {
    /// Decorator names that need the lock service.
    pub lock_decorators: Vec<String>,
    /// The injected type.
    pub lock_service_type: String,
    /// The member the decorators read.
    pub lock_service_member: String,
    /// The module that provides the lock service.
    pub lock_module: String,
    /// Where lock names are imported from when a file does not say.
    pub import_source: Option<String>,
    /// Globs of paths to skip.
    pub exclude: Vec<String>,
    /// The modifier the fix gives an injected `lockService`, when configured;
    /// else `protected readonly` under `noUnusedLocals`, `private readonly`
    /// otherwise.
    pub lock_service_modifier: Option<String>,
    /// Per-rule severity; `None` turns a rule off.
    pub severities: BTreeMap<Rule, Option<Severity>>,
    /// The file this came from, if any.
    pub path: Option<PathBuf>,
    /// `fix --migrate-cron`: unlocked `@Cron` jobs get a fix.
    pub migrate_cron: bool,
    /// Skip parsing files that mention none of the configured names (on
    /// unless `--no-prefilter`; results are the same either way).
    pub prefilter: bool,
    /// In-house decorators that lock on their own, and the member each reads.
    pub guards: Vec<Guard>,
    /// `baseline = "..."`: the baseline file (relative to the configuration
    /// file once loaded).
    pub baseline: Option<PathBuf>,
    /// `parse-timeout = SECS`: the parse budget (`--parse-timeout` wins).
    pub parse_timeout: Option<f64>,
    /// `[[lock-call]]`: calls in a job's body that take a distributed lock.
    pub lock_calls: Vec<LockCall>,
}

/// A `[[lock-call]]`: `this.<member>.<method>(...)` in a scheduled method's
/// body (callbacks included) takes a distributed lock, so the job is locked
/// although it carries no lock decorator (refly's
/// `await this.redis.acquireLock(key, 120)`, redlock's `using`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LockCall {
    /// The member, by the type it is declared with (`RedisService`).
    pub member_type: Option<String>,
    /// The member, by name (`redis`).
    pub member: Option<String>,
    /// The methods that lock (`acquireLock`).
    pub methods: Vec<String>,
}

impl LockCall {
    /// Whether calling `method` on the member `member`, declared with type
    /// `member_type` (when known), takes the lock.
    pub fn matches(&self, member: &str, member_type: Option<&str>, method: &str) -> bool {
        self.methods.iter().any(|m| m == method)
            && (self.member.as_deref() == Some(member)
                || (self.member_type.is_some() && self.member_type.as_deref() == member_type))
    }
}

/// A `[[guard]]`: decorators that are already cluster-safe (a method
/// carrying one is locked) but read a member of their own through `this`,
/// which the class must therefore have.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Guard {
    /// The decorators' exported names.
    pub decorators: Vec<String>,
    /// The member they read.
    pub member: String,
    /// The member's type, for the fix.
    pub type_name: Option<String>,
    /// Where the type is imported from: a module specifier, or a path
    /// relative to the configuration file's directory.
    pub import_source: Option<String>,
}

/// A member that decorators read through `this` and that the fix injects,
/// with everything that follows from it (subclasses pass it to `super`,
/// testing modules provide its type): the lock service first, then every
/// `[[guard]]` member that has a `type`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Injection<'c> {
    /// The member (`lockService`).
    pub member: &'c str,
    /// Its type (`DistributedLockService`).
    pub type_name: &'c str,
    /// The module a testing module may import instead of providing the type.
    pub module: Option<&'c str>,
    /// The guard it belongs to; `None` for the lock service.
    pub guard: Option<usize>,
}

impl Guard {
    /// `@A` or `@A`/`@B`, for messages.
    pub fn label(&self) -> String {
        self.decorators
            .iter()
            .map(|d| format!("`@{d}`"))
            .collect::<Vec<_>>()
            .join("/")
    }
}

impl Default for Config {
    fn default() -> Self {
        Config {
            lock_decorators: DEFAULT_LOCK_DECORATORS
                .iter()
                .map(|s| s.to_string())
                .collect(),
            lock_service_type: "DistributedLockService".to_string(),
            lock_service_member: "lockService".to_string(),
            lock_module: "DistributedLockModule".to_string(),
            import_source: None,
            exclude: Vec::new(),
            lock_service_modifier: None,
            severities: BTreeMap::new(),
            path: None,
            migrate_cron: false,
            prefilter: true,
            guards: Vec::new(),
            baseline: None,
            parse_timeout: None,
            lock_calls: Vec::new(),
        }
    }
}

/// A configuration file that cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The file could not be read.
    #[error("{path}: {source}")]
    Read {
        /// The file.
        path: String,
        /// Why.
        source: std::io::Error,
    },
    /// The file is not valid for cronlock.
    #[error("{path}:{line}: {message}")]
    Invalid {
        /// The file.
        path: String,
        /// 1-based line of the offending key or value.
        line: usize,
        /// What is wrong, naming the key.
        message: String,
    },
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawConfig {
    lock_decorators: Option<Vec<String>>,
    extra_lock_decorators: Option<Vec<String>>,
    lock_service_type: Option<String>,
    lock_service_member: Option<String>,
    lock_module: Option<String>,
    import_source: Option<String>,
    exclude: Option<Vec<String>>,
    lock_service_modifier: Option<toml::Spanned<String>>,
    rules: Option<BTreeMap<String, toml::Spanned<String>>>,
    baseline: Option<toml::Spanned<String>>,
    parse_timeout: Option<toml::Spanned<f64>>,
    guard: Option<Vec<toml::Spanned<RawGuard>>>,
    lock_call: Option<Vec<toml::Spanned<RawLockCall>>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawLockCall {
    member_type: Option<String>,
    member: Option<String>,
    methods: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawGuard {
    decorators: Vec<String>,
    member: String,
    #[serde(rename = "type")]
    type_name: Option<String>,
    import_source: Option<String>,
}

impl Config {
    /// Finds `cronlock.toml` in `start` (or its directory) or any ancestor.
    pub fn discover(start: &Path) -> Option<PathBuf> {
        Config::discover_with(start, Path::is_file)
    }

    /// [`Config::discover`], asking `exists` whether a candidate file is
    /// there (the language server also counts an unsaved buffer).
    pub fn discover_with(start: &Path, exists: impl Fn(&Path) -> bool) -> Option<PathBuf> {
        let absolute = std::path::absolute(start).ok()?;
        let mut dir = if absolute.is_dir() {
            Some(absolute.as_path())
        } else {
            absolute.parent()
        };
        while let Some(current) = dir {
            let candidate = current.join("cronlock.toml");
            if exists(&candidate) {
                return Some(candidate);
            }
            dir = current.parent();
        }
        None
    }

    /// Reads and validates a configuration file.
    pub fn load(path: &Path) -> Result<Config, ConfigError> {
        Config::load_from(path, &crate::files::OsFileSystem)
    }

    /// [`Config::load`], reading the file through `fs` (the language
    /// server's buffers over the disk).
    pub fn load_from(
        path: &Path,
        fs: &dyn crate::files::FileSystem,
    ) -> Result<Config, ConfigError> {
        let shown = path.display().to_string();
        let text = fs
            .read(path)
            .and_then(|bytes| {
                String::from_utf8(bytes)
                    .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidData, e))
            })
            .map_err(|source| ConfigError::Read {
                path: shown.clone(),
                source,
            })?;
        let mut config = Config::parse(&text).map_err(|(line, message)| ConfigError::Invalid {
            path: shown,
            line,
            message,
        })?;
        if let Some(baseline) = &config.baseline {
            config.baseline = Some(path.parent().unwrap_or(Path::new(".")).join(baseline));
        }
        config.path = Some(path.to_path_buf());
        Ok(config)
    }

    /// Parses configuration text; errors carry a 1-based line and a message.
    pub fn parse(text: &str) -> Result<Config, (usize, String)> {
        let line_of = |offset: usize| text[..offset.min(text.len())].matches('\n').count() + 1;
        let raw: RawConfig = toml::from_str(text).map_err(|error| {
            let line = error.span().map_or(1, |span| line_of(span.start));
            let message = error.message().trim().to_string();
            let key = text
                .lines()
                .nth(line - 1)
                .and_then(|l| l.split_once('='))
                .map(|(k, _)| k.trim().to_string())
                .filter(|k| !k.is_empty() && !message.contains(&format!("`{k}`")));
            match key {
                Some(key) => (line, format!("`{key}`: {message}")),
                None => (line, message),
            }
        })?;
        let mut config = Config::default();
        if let Some(list) = raw.lock_decorators {
            config.lock_decorators = list;
        }
        config
            .lock_decorators
            .extend(raw.extra_lock_decorators.unwrap_or_default());
        let set = |target: &mut String, value: Option<String>| {
            if let Some(value) = value {
                *target = value;
            }
        };
        set(&mut config.lock_service_type, raw.lock_service_type);
        set(&mut config.lock_service_member, raw.lock_service_member);
        set(&mut config.lock_module, raw.lock_module);
        config.import_source = raw.import_source;
        config.exclude = raw.exclude.unwrap_or_default();
        if let Some(modifier) = raw.lock_service_modifier {
            let line = line_of(modifier.span().start);
            let value = modifier.into_inner();
            if !is_parameter_modifier(&value) {
                return Err((
                    line,
                    format!(
                        "invalid value `{value}` for lock-service-modifier: expected \"private readonly\", \
\"protected readonly\", \"public readonly\", \"readonly\", \"private\", \"protected\" or \"public\""
                    ),
                ));
            }
            config.lock_service_modifier =
                Some(value.split_whitespace().collect::<Vec<_>>().join(" "));
        }
        if let Some(secs) = raw.parse_timeout {
            let line = line_of(secs.span().start);
            let secs = secs.into_inner();
            if !crate::budget::is_valid(secs) {
                return Err((
                    line,
                    format!(
                        "invalid value `{secs}` for parse-timeout: expected seconds, more than 0 and at most 86400"
                    ),
                ));
            }
            config.parse_timeout = Some(secs);
        }
        for guard in raw.guard.unwrap_or_default() {
            let line = line_of(guard.span().start);
            config
                .guards
                .push(checked_guard(guard.into_inner()).map_err(|m| (line, m))?);
        }
        for call in raw.lock_call.unwrap_or_default() {
            let line = line_of(call.span().start);
            config
                .lock_calls
                .push(checked_lock_call(call.into_inner()).map_err(|m| (line, m))?);
        }
        if let Some(baseline) = raw.baseline {
            if baseline.get_ref().trim().is_empty() {
                return Err((
                    line_of(baseline.span().start),
                    "`baseline`: empty path (omit the key for the default cronlock-baseline.json)"
                        .to_string(),
                ));
            }
            config.baseline = Some(PathBuf::from(baseline.into_inner()));
        }
        for (name, value) in raw.rules.unwrap_or_default() {
            let line = line_of(value.span().start);
            let rule = Rule::from_name(&name).ok_or_else(|| {
                (
                    line,
                    format!("unknown rule `{name}` in [rules] (see `cronlock rules`)"),
                )
            })?;
            let severity = match value.get_ref().as_str() {
                "off" => None,
                "warning" => Some(Severity::Warning),
                "error" => Some(Severity::Error),
                other => {
                    return Err((
                        line,
                        format!(
                            "invalid value `{other}` for rules.{name}: expected \"off\", \"warning\" or \"error\""
                        ),
                    ));
                }
            };
            config.severities.insert(rule, severity);
        }
        Ok(config)
    }

    /// The modifier for an injected `lockService` in a file whose tsconfig
    /// does (`true`) or does not set `noUnusedLocals`: the decorator reads
    /// the member through `this` at run time, which TypeScript cannot see,
    /// so a `private` one fails such a build with TS6138.
    pub fn member_modifier(&self, no_unused_locals: bool) -> &str {
        match &self.lock_service_modifier {
            Some(configured) => configured,
            None if no_unused_locals => "protected readonly",
            None => "private readonly",
        }
    }

    /// The severity of `rule` after configuration; `None` when it is off.
    pub fn severity(&self, rule: Rule) -> Option<Severity> {
        self.severities
            .get(&rule)
            .copied()
            .unwrap_or(Some(rule.default_severity()))
    }

    /// Rewrites a text written with the default names (`lockService`,
    /// `DistributedLockService`, `DistributedLockModule`) in the configured ones.
    pub fn localize(&self, text: &str) -> String {
        text.replace("DistributedLockService", &self.lock_service_type)
            .replace("DistributedLockModule", &self.lock_module)
            .replace("lockService", &self.lock_service_member)
    }

    /// Whether `name` is a configured lock decorator.
    pub fn is_lock_decorator(&self, name: &str) -> bool {
        self.lock_decorators.iter().any(|d| d == name)
    }

    /// The lock service, then each `[[guard]]` member the fix can inject
    /// (one per member: the first guard naming it gives the type).
    pub fn injections(&self) -> Vec<Injection<'_>> {
        let mut out = vec![Injection {
            member: &self.lock_service_member,
            type_name: &self.lock_service_type,
            module: Some(&self.lock_module),
            guard: None,
        }];
        for (index, guard) in self.guards.iter().enumerate() {
            let Some(type_name) = guard.type_name.as_deref() else {
                continue;
            };
            if out.iter().any(|i| i.member == guard.member) {
                continue;
            }
            out.push(Injection {
                member: &guard.member,
                type_name,
                module: None,
                guard: Some(index),
            });
        }
        out
    }

    /// The guard whose decorators include `name`.
    pub fn guard_of(&self, name: &str) -> Option<usize> {
        self.guards
            .iter()
            .position(|g| g.decorators.iter().any(|d| d == name))
    }

    /// Whether importing `name` from a module marks that module as a lock source.
    pub fn marks_lock_source(&self, name: &str) -> bool {
        (self.is_lock_decorator(name) && name != AMBIGUOUS_LOCK_DECORATOR)
            || name == self.lock_service_type
            || name == self.lock_module
    }

    /// The parse budget this configuration asks for: its `parse-timeout`,
    /// else the default.
    pub fn parse_budget(&self) -> crate::budget::ParseBudget {
        self.parse_timeout.map_or_else(
            crate::budget::ParseBudget::default,
            crate::budget::ParseBudget::from_secs,
        )
    }

    /// Every name whose absence from a file means the file cannot produce a finding.
    pub fn interesting_names(&self) -> Vec<String> {
        let mut names = self.lock_decorators.clone();
        names.extend([
            self.lock_service_type.clone(),
            self.lock_service_member.clone(),
            self.lock_module.clone(),
            LOCK_ALT_MEMBER.to_string(),
            "Cron".to_string(),
            "Interval".to_string(),
            "Timeout".to_string(),
            "Module".to_string(),
            "NestFactory".to_string(),
            "createTestingModule".to_string(),
            "SchedulerRegistry".to_string(),
        ]);
        for guard in &self.guards {
            names.extend(guard.decorators.iter().cloned());
            names.push(guard.member.clone());
            names.extend(guard.type_name.iter().cloned());
        }
        names
    }
}

/// A `[[guard]]` that makes sense: decorators named, identifiers where
/// identifiers go, an `import-source` only with a `type`.
fn checked_guard(raw: RawGuard) -> Result<Guard, String> {
    if raw.decorators.is_empty() {
        return Err("[[guard]] `decorators` is empty: name the decorators that lock".to_string());
    }
    let names = raw
        .decorators
        .iter()
        .chain([&raw.member])
        .chain(&raw.type_name);
    if let Some(bad) = names.into_iter().find(|n| !is_identifier(n)) {
        return Err(format!("[[guard]]: `{bad}` is not an identifier"));
    }
    if raw.import_source.is_some() && raw.type_name.is_none() {
        return Err("[[guard]] `import-source` needs a `type` to import".to_string());
    }
    Ok(Guard {
        decorators: raw.decorators,
        member: raw.member,
        type_name: raw.type_name,
        import_source: raw.import_source.filter(|s| !s.is_empty()),
    })
}

/// A `[[lock-call]]` that makes sense: a member (by type or name) and at
/// least one method, all identifiers.
fn checked_lock_call(raw: RawLockCall) -> Result<LockCall, String> {
    if raw.member_type.is_none() && raw.member.is_none() {
        return Err(
            "[[lock-call]] needs `member-type` (the injected member's type) or `member` (its name)"
                .to_string(),
        );
    }
    if raw.methods.is_empty() {
        return Err(
            "[[lock-call]] `methods` is empty: name the methods that take the lock".to_string(),
        );
    }
    let names = raw
        .methods
        .iter()
        .chain(&raw.member_type)
        .chain(&raw.member);
    if let Some(bad) = names.into_iter().find(|n| !is_identifier(n)) {
        return Err(format!("[[lock-call]]: `{bad}` is not an identifier"));
    }
    Ok(LockCall {
        member_type: raw.member_type,
        member: raw.member,
        methods: raw.methods,
    })
}

fn is_identifier(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c.is_alphabetic() || c == '_' || c == '$')
        && chars.all(|c| c.is_alphanumeric() || c == '_' || c == '$')
}

/// `private readonly`, `protected`, `readonly`...: what makes a constructor
/// parameter a property (an accessibility, then `readonly`, at least one).
fn is_parameter_modifier(value: &str) -> bool {
    let words: Vec<&str> = value.split_whitespace().collect();
    match words.as_slice() {
        [access] => matches!(*access, "private" | "protected" | "public" | "readonly"),
        [access, "readonly"] => matches!(*access, "private" | "protected" | "public"),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lock_service_modifier_is_checked_and_chosen() {
        let err =
            Config::parse("exclude = []\nlock-service-modifier = \"privat readonly\"\n").err();
        let (line, message) = err.unwrap_or_default();
        assert_eq!(line, 2);
        assert!(message.contains("lock-service-modifier"), "{message}");
        let default = Config::default();
        assert_eq!(default.member_modifier(false), "private readonly");
        assert_eq!(default.member_modifier(true), "protected readonly");
        let set =
            Config::parse("lock-service-modifier = \"public  readonly\"\n").unwrap_or_default();
        assert_eq!(set.member_modifier(true), "public readonly");
        assert!(is_parameter_modifier("readonly"));
        assert!(!is_parameter_modifier("readonly private"));
        assert!(!is_parameter_modifier(""));
    }

    #[test]
    fn parse_timeout_is_a_positive_number_of_seconds() {
        let config = Config::parse("parse-timeout = 2.5\n").unwrap_or_default();
        assert_eq!(config.parse_timeout, Some(2.5));
        let config = Config::parse("parse-timeout = 10\n").unwrap_or_default();
        assert_eq!(config.parse_timeout, Some(10.0));
        let (line, message) = Config::parse("exclude = []\nparse-timeout = 0\n")
            .err()
            .unwrap_or_default();
        assert_eq!(line, 2);
        assert!(message.contains("parse-timeout"), "{message}");
    }

    #[test]
    fn guards_are_read_and_checked() {
        let text = "[[guard]]\ndecorators = [\"LockAndRetry\"]\nmember = \"redLockService\"\n\
type = \"RedlockService\"\nimport-source = \"src/redlock\"\n\n[[guard]]\ndecorators = [\"Once\"]\nmember = \"mutex\"\n";
        let config = Config::parse(text).unwrap_or_default();
        assert_eq!(config.guards.len(), 2);
        assert_eq!(config.guard_of("Once"), Some(1));
        assert_eq!(
            config.guards[0].type_name.as_deref(),
            Some("RedlockService")
        );
        assert_eq!(config.guards[0].label(), "`@LockAndRetry`");
        let (line, message) =
            Config::parse("exclude = []\n[[guard]]\ndecorators = []\nmember = \"m\"\n")
                .err()
                .unwrap_or_default();
        assert_eq!(line, 2);
        assert!(message.contains("decorators"), "{message}");
        let (_, message) = Config::parse(
            "[[guard]]\ndecorators = [\"A\"]\nmember = \"m\"\nimport-source = \"x\"\n",
        )
        .err()
        .unwrap_or_default();
        assert!(message.contains("needs a `type`"), "{message}");
        let (line, message) = Config::parse("[[guard]]\ndecorators = [\"A\"]\nmembr = \"m\"\n")
            .err()
            .unwrap_or_default();
        assert_eq!(line, 3);
        assert!(message.contains("membr"), "{message}");
    }

    #[test]
    fn lock_calls_are_read_and_checked() {
        let text = "[[lock-call]]\nmember-type = \"RedisService\"\nmethods = [\"acquireLock\"]\n\n\
[[lock-call]]\nmember = \"redlock\"\nmethods = [\"using\", \"acquire\"]\n";
        let config = Config::parse(text).unwrap_or_default();
        assert_eq!(config.lock_calls.len(), 2);
        let [redis, redlock] = &config.lock_calls[..] else {
            panic!("two lock calls");
        };
        assert!(redis.matches("redis", Some("RedisService"), "acquireLock"));
        assert!(!redis.matches("redis", Some("RedisService"), "get"));
        assert!(!redis.matches("redis", None, "acquireLock"));
        assert!(redlock.matches("redlock", None, "using"));
        assert!(!redlock.matches("lock", Some("Redlock"), "using"));
        let (line, message) = Config::parse("exclude = []\n[[lock-call]]\nmethods = [\"x\"]\n")
            .err()
            .unwrap_or_default();
        assert_eq!(line, 2);
        assert!(message.contains("member-type"), "{message}");
        let (_, message) = Config::parse("[[lock-call]]\nmember = \"redis\"\nmethods = []\n")
            .err()
            .unwrap_or_default();
        assert!(message.contains("methods"), "{message}");
        let (_, message) =
            Config::parse("[[lock-call]]\nmember = \"this.redis\"\nmethods = [\"a\"]\n")
                .err()
                .unwrap_or_default();
        assert!(message.contains("not an identifier"), "{message}");
    }

    #[test]
    fn errors_name_the_key_and_line() {
        let err = Config::parse("lock-module = \"X\"\nlock-decorator = []\n").err();
        let (line, message) = err.unwrap_or_default();
        assert_eq!(line, 2);
        assert!(message.contains("lock-decorator"), "{message}");
        let (line, message) = Config::parse("[rules]\nunlocked-cron = \"loud\"\n")
            .err()
            .unwrap_or_default();
        assert_eq!(line, 2);
        assert!(message.contains("rules.unlocked-cron"), "{message}");
        let (_, message) = Config::parse("lock-module = 3\n").err().unwrap_or_default();
        assert!(
            message.contains("lock-module") || message.contains("string"),
            "{message}"
        );
    }
}
