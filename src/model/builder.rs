//! What every part of model building reads: the file's text, and where a
//! span of the AST lies in it.

use std::ops::Range;

use swc_common::Span;

use crate::parse::span_range;

/// The text being modelled. swc's spans count from the start of the parsed
/// text, which lacks the BOM; `base` (the BOM's length) is added back, so
/// that every range is an offset into the file's original text.
pub(super) struct Builder<'a> {
    pub(super) text: &'a str,
    base: usize,
}

impl<'a> Builder<'a> {
    pub(super) fn new(text: &'a str, base: usize) -> Self {
        Builder { text, base }
    }

    /// The byte range of `span` in the original text, clamped to its end.
    pub(super) fn range(&self, span: Span) -> Range<usize> {
        let r = span_range(span);
        (r.start + self.base).min(self.text.len())..(r.end + self.base).min(self.text.len())
    }
}
