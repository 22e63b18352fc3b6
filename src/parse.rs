//! Parsing TypeScript with swc, and the mapping from swc spans to byte offsets.
//!
//! swc reserves `BytePos(0)` as a dummy position, so the parser is started at
//! [`START`] and every span is shifted back by it. A UTF-8 BOM is never shown
//! to the parser: [`SourceText`](crate::source::SourceText) hands over the text
//! after it and adds the BOM's length back, so offsets always index the file's
//! original bytes.

use std::ops::Range;

use swc_common::{BytePos, Span, Spanned, input::StringInput};
use swc_ecma_ast::Module;
use swc_ecma_parser::{Parser, Syntax, TsSyntax};

/// Where the parser's positions start (swc reserves 0).
const START: u32 = 1;

/// A syntax error, as a byte offset into the parsed text and swc's message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyntaxError {
    /// Byte offset into the text that was parsed.
    pub offset: usize,
    /// swc's description of the problem.
    pub message: String,
    /// The parse overran the budget ([`crate::budget`]): the message is the
    /// whole story, not swc's.
    pub timed_out: bool,
}

/// Parses `text` as a TypeScript module with decorators enabled, on the
/// caller's stack: for any file from the user, use [`with_module`], which
/// brings a stack deep enough for the file.
///
/// Recoverable errors count as failures too: cronlock never edits a file that
/// swc only half understood.
pub fn parse_module(text: &str) -> Result<Module, SyntaxError> {
    PARSING.with(|flag| flag.set(true));
    let result = std::panic::catch_unwind(|| parse_unguarded(text));
    PARSING.with(|flag| flag.set(false));
    result.unwrap_or_else(|_| {
        Err(SyntaxError {
            offset: 0,
            message: "the TypeScript parser (swc) crashed on this file".to_string(),
            timed_out: false,
        })
    })
}

thread_local! {
    static PARSING: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Whether this thread is inside the parser: a panic there is turned into a
/// parse error, so the panic hook should stay quiet.
pub fn is_parsing() -> bool {
    PARSING.with(std::cell::Cell::get)
}

fn parse_unguarded(text: &str) -> Result<Module, SyntaxError> {
    let syntax = Syntax::Typescript(TsSyntax {
        decorators: true,
        ..Default::default()
    });
    let end = START + u32::try_from(text.len()).unwrap_or(u32::MAX - START);
    let input = StringInput::new(text, BytePos(START), BytePos(end));
    let mut parser = Parser::new(syntax, input, None);
    let result = parser.parse_module();
    let recovered = parser.take_errors();
    let module = result.map_err(|error| syntax_error(&error))?;
    match recovered.first() {
        Some(error) => Err(syntax_error(error)),
        None => Ok(module),
    }
}

fn syntax_error(error: &swc_ecma_parser::error::Error) -> SyntaxError {
    SyntaxError {
        offset: span_range(error.span()).start,
        message: error.kind().msg().into_owned(),
        timed_out: false,
    }
}

/// The byte range of `span` in the parsed text.
pub fn span_range(span: Span) -> Range<usize> {
    let lo = span.lo.0.saturating_sub(START) as usize;
    let hi = span.hi.0.saturating_sub(START) as usize;
    lo..hi.max(lo)
}

/// Stack set aside per token of the file: swc's parser, the model's visitor
/// and the AST's destructor all recurse once per nesting level, and a level
/// takes at least one token. Measured at under 2 KiB per token in release
/// builds and under 10 KiB in debug builds; these leave a margin.
const STACK_PER_TOKEN: usize = if cfg!(debug_assertions) {
    32 << 10
} else {
    16 << 10
};
/// The stack size cronlock asks for its worker threads: with it, files up to
/// `WORKER_STACK / STACK_PER_TOKEN` tokens are parsed without a stack of
/// their own.
pub const WORKER_STACK: usize = 256 << 20;
/// The largest stack a parse gets.
const MAX_STACK: usize = 1 << 30;
/// Estimated nesting above which a file too large for a provably big enough
/// stack is not parsed (real code nests a few dozen levels).
pub const MAX_NESTING: usize = 1000;

/// Parses `text` and hands the module to `use_module`, on a stack large
/// enough for the file's depth, so that no input can overflow the stack (a
/// stack overflow aborts the whole run; it cannot be caught like a panic).
///
/// A file has at most as many nesting levels as tokens, so a stack of
/// [`STACK_PER_TOKEN`] per token always suffices; files too large for that
/// within [`MAX_STACK`] are parsed only when [`estimated_nesting`] is under
/// [`MAX_NESTING`]. The module is dropped on the same stack.
pub fn with_module<R>(text: &str, use_module: impl FnOnce(&Module) -> R) -> Result<R, SyntaxError> {
    let run = || parse_module(text).map(|module| use_module(&module));
    let left = stacker::remaining_stack().unwrap_or(0);
    // A file has no more tokens than bytes: most need no counting.
    if text.len().saturating_mul(STACK_PER_TOKEN) < left {
        return run();
    }
    let needed = count_tokens(text).saturating_mul(STACK_PER_TOKEN);
    if needed > MAX_STACK
        && let Some((offset, levels)) = estimated_nesting(text).filter(|(_, n)| *n > MAX_NESTING)
    {
        return Err(SyntaxError {
            offset,
            message: format!(
                "nested about {levels} levels deep, more than the {MAX_NESTING} cronlock parses safely"
            ),
            timed_out: false,
        });
    }
    if needed < left {
        return run();
    }
    let grown = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        stacker::grow(needed.min(MAX_STACK), run)
    }));
    grown.unwrap_or_else(|payload| {
        let message = payload
            .downcast_ref::<String>()
            .map(String::as_str)
            .or_else(|| payload.downcast_ref::<&str>().copied())
            .unwrap_or_default();
        // stacker panics so when the system refuses the memory; any other
        // panic is a bug and goes on.
        if !message.contains("mmap failed") {
            std::panic::resume_unwind(payload);
        }
        Err(SyntaxError {
            offset: 0,
            message: "could not allocate a stack to parse this file".to_string(),
            timed_out: false,
        })
    })
}

/// Whether `b` can be part of an identifier (any non-ASCII byte counts).
pub(crate) fn is_word_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b == b'$' || b >= 0x80
}

/// An upper bound on the number of tokens: every punctuation byte, and every
/// run of word bytes (comments and strings are counted too, which only
/// raises the bound).
fn count_tokens(text: &str) -> usize {
    let mut count = 0;
    let mut in_word = false;
    for &b in text.as_bytes() {
        let word = is_word_byte(b);
        if (word && !in_word) || (!word && !b.is_ascii_whitespace()) {
            count += 1;
        }
        in_word = word;
    }
    count
}

/// A rough nesting depth for large files: bracket depth plus the longest run
/// of tokens with no `;`, `,` or line break (chains such as `a + b + ...` or
/// `!!!x` nest without brackets). Skips comments and quoted strings. Returns
/// the deepest point's byte offset and its estimate.
fn estimated_nesting(text: &str) -> Option<(usize, usize)> {
    let bytes = text.as_bytes();
    let (mut depth, mut run, mut best) = (0usize, 0usize, None::<(usize, usize)>);
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        let start = i;
        i += 1;
        match b {
            b'/' if bytes.get(i) == Some(&b'/') => {
                i = memchr::memchr(b'\n', &bytes[i..]).map_or(bytes.len(), |n| i + n);
                continue;
            }
            b'/' if bytes.get(i) == Some(&b'*') => {
                i = memchr::memmem::find(&bytes[i + 1..], b"*/").map_or(bytes.len(), |n| i + n + 3);
                continue;
            }
            b'\'' | b'"' => {
                while i < bytes.len() && bytes[i] != b && bytes[i] != b'\n' {
                    i += if bytes[i] == b'\\' { 2 } else { 1 };
                }
                i += 1;
            }
            b'(' | b'[' | b'{' => depth += 1,
            b')' | b']' | b'}' => depth = depth.saturating_sub(1),
            b';' | b',' | b'\n' => {
                run = 0;
                continue;
            }
            _ if b.is_ascii_whitespace() => continue,
            _ if is_word_byte(b) => {
                while i < bytes.len() && is_word_byte(bytes[i]) {
                    i += 1;
                }
            }
            _ => {}
        }
        run += 1;
        if best.is_none_or(|(_, n)| depth + run > n) {
            best = Some((start, depth + run));
        }
    }
    best
}
