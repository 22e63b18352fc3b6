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
}

/// Parses `text` as a TypeScript module with decorators enabled.
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
    }
}

/// The byte range of `span` in the parsed text.
pub fn span_range(span: Span) -> Range<usize> {
    let lo = span.lo.0.saturating_sub(START) as usize;
    let hi = span.hi.0.saturating_sub(START) as usize;
    lo..hi.max(lo)
}
