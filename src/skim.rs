//! Skimming: function bodies that mention nothing cronlock looks for are
//! blanked (every byte but line breaks turned into a space) before swc parses
//! the file, so that the parser reads `{   }` where a method's code was.
//!
//! Most of a scheduler's bytes are the code of its jobs, and the model reads
//! from a body only what a few words announce: `this.lockService` reads (the
//! lock member), `new X(...)`, `super(...)`, `NestFactory.create`,
//! `Test.createTestingModule`, `this.registry.addCronJob(...)` and uses of the
//! imported `Cron`. A body in which none of [`Skimmer`]'s words appears as a
//! whole identifier (comments and strings count too, which only keeps more)
//! adds nothing to the model, and skipping it saves about 5/6 of the parse.
//!
//! The blanked text keeps every offset, so the model's ranges index the
//! original. It is trusted only when all of these hold, else the file is
//! parsed in full:
//! - the scanner read the whole file with confidence (strings, template
//!   literals, comments and regular expressions; a `/` whose meaning depends
//!   on what came before, after `}`, stops it);
//! - swc parses the blanked text without an error, and every blanked range is
//!   exactly the inside of a function body in what it parsed;
//! - no blanked range names an imported lock, schedule or bootstrap name
//!   under another local name (`import { Cron as Every }`).
//!
//! What skimming gives up: a syntax error inside a blanked body is not
//! reported by `check` (`fix` parses every text it writes in full, so it
//! never edits such a file). `--no-prefilter` parses every file and every
//! body in full.

use std::ops::Range;

use aho_corasick::AhoCorasick;
use swc_ecma_ast as ast;
use swc_ecma_visit::{Visit, VisitWith};

use crate::config::Config;
use crate::model::FileModel;
use crate::parse::{is_word_byte, span_range};
use crate::project::whole_words;

/// Words whose presence in a body keeps it, besides the configuration's
/// names (see [`Config::interesting_names`]).
const BODY_WORDS: [&str; 5] = ["new", "super", "addCronJob", "addInterval", "addTimeout"];

/// Finds the bodies worth blanking.
#[derive(Clone)]
pub struct Skimmer {
    words: AhoCorasick,
    names: Vec<String>,
}

impl Skimmer {
    /// The skimmer for `config`; `None` when the prefilter is off.
    pub fn new(config: &Config) -> Option<Skimmer> {
        if !config.prefilter {
            return None;
        }
        let mut names = config.interesting_names();
        names.extend(BODY_WORDS.iter().map(|w| (*w).to_string()));
        // A `[[lock-call]]` in a job's body locks the job: keep such bodies.
        names.extend(
            config
                .lock_calls
                .iter()
                .flat_map(|c| c.methods.iter().cloned()),
        );
        let words = AhoCorasick::builder()
            .match_kind(aho_corasick::MatchKind::LeftmostLongest)
            .build(&names)
            .ok()?;
        Some(Skimmer { words, names })
    }

    /// The insides of the function bodies of `code` that may be blanked
    /// (byte ranges, maximal: none inside another), or `None` when the
    /// scanner cannot read `code` with confidence.
    pub fn regions(&self, code: &str) -> Option<Vec<Range<usize>>> {
        let mut bodies = scan_bodies(code.as_bytes())?;
        let mentions: Vec<usize> = whole_words(&self.words, code.as_bytes()).collect();
        let mentioned = |r: &Range<usize>| {
            let first = mentions.partition_point(|&at| at < r.start);
            mentions.get(first).is_some_and(|&at| at < r.end)
        };
        let mut chosen: Vec<Range<usize>> = Vec::new();
        // Outer bodies first, so that a blanked body takes its inner ones.
        bodies.sort_unstable_by_key(|body| body.start);
        for body in bodies {
            let inside_chosen = chosen.last().is_some_and(|last| body.start < last.end);
            if !inside_chosen && !body.is_empty() && !mentioned(&body) {
                chosen.push(body);
            }
        }
        Some(chosen)
    }

    /// Whether a blanked range of `code` names a local alias of an imported
    /// name that matters (`import { Cron as Every }`): then the body's uses
    /// of it count, and the file is parsed in full.
    pub fn alias_in(&self, code: &str, regions: &[Range<usize>], model: &FileModel) -> bool {
        let aliases: Vec<&str> = model
            .imports
            .iter()
            .flat_map(|i| &i.named)
            .filter(|n| n.local != n.imported && self.names.contains(&n.imported))
            .map(|n| n.local.as_str())
            .collect();
        if aliases.is_empty() {
            return false;
        }
        let Ok(matcher) = AhoCorasick::new(&aliases) else {
            return true;
        };
        regions.iter().any(|r| {
            code.get(r.clone())
                .is_some_and(|inside| whole_words(&matcher, inside.as_bytes()).next().is_some())
        })
    }
}

/// `text` with `regions` (offsets into it) blanked: every byte but `\n` and
/// `\r` becomes a space. Regions start and end at ASCII braces, so whole
/// characters go and the result is UTF-8.
pub fn blank(text: &str, regions: &[Range<usize>]) -> String {
    let mut bytes = text.as_bytes().to_vec();
    for region in regions {
        if let Some(inside) = bytes.get_mut(region.clone()) {
            for b in inside.iter_mut().filter(|b| !matches!(b, b'\n' | b'\r')) {
                *b = b' ';
            }
        }
    }
    String::from_utf8(bytes).unwrap_or_else(|_| text.to_string())
}

/// Whether every one of `regions` (offsets into the parsed text) is exactly
/// the inside of a function body of `module`.
pub fn are_bodies(module: &ast::Module, regions: &[Range<usize>]) -> bool {
    let mut found = Bodies::default();
    module.visit_with(&mut found);
    found.insides.sort_unstable_by_key(|r| r.start);
    regions.iter().all(|r| {
        found
            .insides
            .binary_search_by_key(&r.start, |inside| inside.start)
            .is_ok_and(|i| found.insides[i] == *r)
    })
}

/// The insides of the function bodies of a module.
#[derive(Default)]
struct Bodies {
    insides: Vec<Range<usize>>,
}

impl Visit for Bodies {
    fn visit_function_body(&mut self, body: &ast::FunctionBody) {
        let whole = span_range(body.span);
        if whole.len() >= 2 {
            self.insides.push(whole.start + 1..whole.end - 1);
        }
        body.visit_children_with(self);
    }
}

/// What came before, for telling a regular expression from a division and a
/// function body from any other `{`.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Prev {
    /// Start of file, or punctuation after which an expression starts.
    Operator,
    /// `=>`.
    Arrow,
    /// An identifier that ends an expression (a name, `this`, a type name).
    Name,
    /// A keyword after which an expression or a block starts, not a value
    /// (see [`KEYWORDS`]).
    Keyword,
    /// A number, string, template, regular expression or `]`.
    Value,
    /// `)` closing a parameter list or a call (the head of a statement or
    /// a constructor's parameters count as [`Prev::Operator`]: what follows
    /// is not a body to blank, and a `/` there opens a regular expression).
    CloseParen,
    /// `}`.
    CloseBrace,
    /// `>`.
    Greater,
}

/// A bracket the scanner is inside.
#[derive(Clone, Copy)]
enum Open {
    /// `{` at this offset; whether it may open a function body.
    Brace { at: usize, body: bool },
    /// `${` in a template literal: its `}` goes back to the template.
    Template,
    /// `(`; whether it is the head of a control statement or constructor.
    Paren { head: bool },
}

/// Keywords after which an expression (a `/` there opens a regular
/// expression) or a block (`else {`: not a function body) starts.
const KEYWORDS: [&str; 20] = [
    "return",
    "typeof",
    "instanceof",
    "in",
    "of",
    "new",
    "delete",
    "void",
    "throw",
    "case",
    "yield",
    "await",
    "extends",
    "default",
    "keyof",
    "else",
    "try",
    "finally",
    "do",
    "static",
];
/// Words whose `(...)` is the head of a statement (or a constructor's
/// parameters): the `{` after it is not a body to blank, and a `/` after it
/// opens a regular expression.
const HEAD_KEYWORDS: [&str; 7] = [
    "if",
    "for",
    "while",
    "with",
    "switch",
    "catch",
    "constructor",
];

/// The insides of every `{...}` that may be a function body (after a
/// parameter list, a return type or `=>`), in order of their `}`; `None`
/// when something cannot be read with confidence (an unterminated string,
/// comment, template or regular expression, unbalanced brackets, a `/`
/// after `}`).
fn scan_bodies(code: &[u8]) -> Option<Vec<Range<usize>>> {
    let mut bodies = Vec::new();
    let mut stack: Vec<Open> = Vec::new();
    let mut prev = Prev::Operator;
    // Inside a return type (after `)` `:`), the depth it began at: a `{`
    // there after a type (not right after `:`, `|`, `<`...) opens the body.
    let mut return_type: Option<usize> = None;
    let mut last_word: &[u8] = b"";
    let mut i = 0;
    if code.starts_with(b"#!") {
        i = memchr::memchr(b'\n', code).unwrap_or(code.len());
    }
    while let Some(&b) = code.get(i) {
        match b {
            b' ' | b'\t' | b'\n' | b'\r' => i += 1,
            b'/' if code.get(i + 1) == Some(&b'/') => {
                i = memchr::memchr(b'\n', &code[i..]).map_or(code.len(), |n| i + n);
            }
            b'/' if code.get(i + 1) == Some(&b'*') => {
                i = i + 2 + memchr::memmem::find(&code[i + 2..], b"*/")? + 2;
            }
            b'/' => {
                match prev {
                    Prev::CloseBrace => return None,
                    Prev::Name | Prev::Value | Prev::CloseParen => {
                        i += 1;
                        prev = Prev::Operator;
                    }
                    _ => {
                        i = skip_regex(code, i)?;
                        prev = Prev::Value;
                    }
                }
                return_type = None;
            }
            b'\'' | b'"' => {
                i = skip_string(code, i)?;
                prev = Prev::Value;
            }
            b'`' => {
                i = skip_template(code, i + 1, &mut stack)?;
                prev = Prev::Value;
            }
            b'{' => {
                // In a return type, a `{` right after `:`, `|` or `<` is a
                // type literal; after a type, the body.
                let ends_type = return_type == Some(stack.len()) && prev != Prev::Operator;
                let body = matches!(prev, Prev::CloseParen | Prev::Arrow) || ends_type;
                if body {
                    return_type = None;
                }
                stack.push(Open::Brace { at: i, body });
                prev = Prev::Operator;
                i += 1;
            }
            b'}' => {
                let popped = stack.pop()?;
                if return_type.is_some_and(|depth| depth > stack.len()) {
                    return_type = None;
                }
                match popped {
                    Open::Brace { at, body } => {
                        if body {
                            bodies.push(at + 1..i);
                        }
                        prev = Prev::CloseBrace;
                        i += 1;
                    }
                    Open::Template => {
                        i = skip_template(code, i + 1, &mut stack)?;
                        prev = Prev::Value;
                    }
                    Open::Paren { .. } => return None,
                }
            }
            b'(' => {
                let head =
                    prev == Prev::Name && HEAD_KEYWORDS.iter().any(|k| k.as_bytes() == last_word);
                stack.push(Open::Paren { head });
                prev = Prev::Operator;
                i += 1;
            }
            b')' => {
                let Open::Paren { head } = stack.pop()? else {
                    return None;
                };
                if return_type.is_some_and(|depth| depth > stack.len()) {
                    return_type = None;
                }
                prev = if head {
                    Prev::Operator
                } else {
                    Prev::CloseParen
                };
                i += 1;
            }
            b']' => {
                prev = Prev::Value;
                i += 1;
            }
            b'=' if code.get(i + 1) == Some(&b'>') => {
                prev = Prev::Arrow;
                i += 2;
            }
            b':' => {
                if prev == Prev::CloseParen {
                    return_type = Some(stack.len());
                }
                prev = Prev::Operator;
                i += 1;
            }
            b'>' => {
                prev = Prev::Greater;
                i += 1;
            }
            b';' | b'=' | b',' => {
                if return_type == Some(stack.len()) {
                    return_type = None;
                }
                prev = Prev::Operator;
                i += 1;
            }
            b'0'..=b'9' => {
                while code.get(i).is_some_and(|&c| is_word_byte(c) || c == b'.') {
                    i += 1;
                }
                prev = Prev::Value;
            }
            _ if is_word_byte(b) => {
                let start = i;
                while code.get(i).is_some_and(|&c| is_word_byte(c)) {
                    i += 1;
                }
                let word = &code[start..i];
                // `a.return`, `x?.delete`: a property, not a keyword.
                let after_dot = code[..start].trim_ascii_end().ends_with(b".");
                last_word = if after_dot { b"" } else { word };
                prev = if after_dot {
                    Prev::Name
                } else if KEYWORDS.iter().any(|k| k.as_bytes() == word) {
                    Prev::Keyword
                } else {
                    Prev::Name
                };
            }
            b'!' if matches!(prev, Prev::Name | Prev::Value | Prev::CloseParen)
                && code.get(i + 1) != Some(&b'=') =>
            {
                // A non-null assertion (`total! / 2`): still after a value.
                i += 1;
            }
            _ => {
                // Other punctuation: `.`, operators, `@`, `#`, `?`, `!`, `\`.
                prev = Prev::Operator;
                i += 1;
            }
        }
    }
    stack.is_empty().then_some(bodies)
}

/// The offset after the string literal opening at `start`.
fn skip_string(code: &[u8], start: usize) -> Option<usize> {
    let quote = code[start];
    let mut i = start + 1;
    loop {
        match *code.get(i)? {
            b'\\' => i += 2,
            b'\n' | b'\r' => return None,
            c if c == quote => return Some(i + 1),
            _ => i += 1,
        }
    }
}

/// The offset after the template text from `i` (just after `` ` `` or the
/// `}` of a `${...}`): after the closing `` ` ``, or after `${`, with
/// [`Open::Template`] pushed so that its `}` comes back here.
fn skip_template(code: &[u8], mut i: usize, stack: &mut Vec<Open>) -> Option<usize> {
    loop {
        match *code.get(i)? {
            b'\\' => i += 2,
            b'`' => return Some(i + 1),
            b'$' if code.get(i + 1) == Some(&b'{') => {
                stack.push(Open::Template);
                return Some(i + 2);
            }
            _ => i += 1,
        }
    }
}

/// The offset after the regular expression literal opening at `start`
/// (flags included).
fn skip_regex(code: &[u8], start: usize) -> Option<usize> {
    let mut i = start + 1;
    let mut in_class = false;
    loop {
        match *code.get(i)? {
            b'\\' => i += 2,
            b'\n' | b'\r' => return None,
            b'[' => {
                in_class = true;
                i += 1;
            }
            b']' => {
                in_class = false;
                i += 1;
            }
            b'/' if !in_class => {
                i += 1;
                while code.get(i).is_some_and(|&c| is_word_byte(c)) {
                    i += 1;
                }
                return Some(i);
            }
            _ => i += 1,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn skimmer() -> Skimmer {
        Skimmer::new(&Config::default()).expect("skimmer")
    }

    fn blanked(code: &str) -> String {
        let regions = skimmer().regions(code).expect("readable");
        blank(code, &regions)
    }

    #[test]
    fn blanks_bodies_that_mention_nothing() {
        let code = "class A {\n  run(x: number): Promise<void> {\n    return x / 2;\n  }\n}\n";
        assert_eq!(
            blanked(code),
            "class A {\n  run(x: number): Promise<void> {\n                 \n  }\n}\n"
        );
    }

    #[test]
    fn keeps_bodies_that_mention_a_word_and_blanks_inside_them() {
        let code = "class A {\n  run() {\n    this.lockService.x();\n    const f = () => { go(); };\n  }\n}\n";
        assert_eq!(
            blanked(code),
            "class A {\n  run() {\n    this.lockService.x();\n    const f = () => {       };\n  }\n}\n"
        );
    }

    #[test]
    fn finds_bodies_after_return_types() {
        for (code, body) in [
            ("class A { f(): void { x(); } }", "{ x(); }"),
            (
                "class A { f(): Promise<{ a: { b: 1 } }> { x(); } }",
                "{ x(); }",
            ),
            ("class A { f(): string[] { x(); } }", "{ x(); }"),
            ("class A { f(): A | B { x(); } }", "{ x(); }"),
            ("class A { get f(): { a: 1 } { x(); } }", "{ x(); }"),
            ("function f(cb: (x: number) => void) { x(); }", "{ x(); }"),
            (
                "const f = async <T>(x: T): Promise<T> => { x(); };",
                "{ x(); }",
            ),
        ] {
            let regions = skimmer().regions(code).expect("readable");
            let open = code.rfind(body).expect("body") + 1;
            assert_eq!(regions, vec![open..open + body.len() - 2], "{code}");
        }
    }

    #[test]
    fn keeps_constructors_and_control_blocks() {
        let code = "class A {\n  constructor(a: B) { go(); }\n}\nif (x) { y(); }\n";
        assert_eq!(blanked(code), code);
    }

    #[test]
    fn reads_strings_templates_comments_and_regexes() {
        let code = "function f() { const s = '}'; const t = `${ { a: '}' } }`; /* } */ // }\n return /}[}]/g.test(s) }\n";
        let regions = skimmer().regions(code).expect("readable");
        assert_eq!(regions, vec![14..code.len() - 2]);
    }

    #[test]
    fn gives_up_on_what_it_cannot_read() {
        for code in [
            "function f() { if (a) {} /x/.test(b) }",
            "function f() { 'open\n }",
            "function f() { `open }",
            "function f() { /* open }",
            "function f() { (}",
        ] {
            assert_eq!(skimmer().regions(code), None, "{code}");
        }
    }

    #[test]
    fn a_regex_after_a_control_head_is_read_as_one() {
        let code = "function f() { if (a) /}/.test(b); }";
        let regions = skimmer().regions(code).expect("readable");
        assert_eq!(regions, vec![14..code.len() - 1]);
    }
}
