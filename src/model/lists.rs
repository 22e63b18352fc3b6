//! `@Module` lists (`imports`, `providers`, ...): their elements, spreads
//! and conditionals, and the `useFactory` functions of providers.

use std::ops::Range;

use swc_common::{Span, Spanned};
use swc_ecma_ast as ast;

use super::builder::Builder;
use super::names::{head_ident, namespace_member, pat_name, prop_name};
use super::{Element, Factory, Listed, ModuleList, Spread};

/// How deep nested spreads and conditionals are read.
const MAX_LIST_DEPTH: usize = 16;

/// How much of a condition a message quotes.
const MAX_CONDITION_CHARS: usize = 60;

impl Builder<'_> {
    pub(super) fn module_list(&self, value: &ast::Expr) -> ModuleList {
        let range = self.range(value.span());
        let ast::Expr::Array(array) = value else {
            return ModuleList {
                range,
                brackets: None,
                elements: Vec::new(),
                unreadable: true,
                spreads: Vec::new(),
                stand_ins: Vec::new(),
                members: Vec::new(),
            };
        };
        let (elements, spreads) = self.array_items(array);
        let stand_ins = array
            .elems
            .iter()
            .flatten()
            .filter(|e| e.spread.is_none())
            .enumerate()
            .filter(|(_, e)| is_stand_in(&e.expr))
            .map(|(i, _)| i)
            .collect();
        let members = array
            .elems
            .iter()
            .flatten()
            .filter(|e| e.spread.is_none())
            .enumerate()
            .filter_map(|(i, e)| Some((i, namespace_member(&e.expr)?)))
            .collect();
        ModuleList {
            brackets: Some((range.start, range.end.saturating_sub(1))),
            range,
            elements,
            unreadable: !spreads.is_empty(),
            spreads,
            stand_ins,
            members,
        }
    }

    /// `(` and `)` of a call's arguments, the first `(` at or after `from`
    /// and the `)` that ends at `end`.
    pub(super) fn parens(&self, from: usize, end: usize) -> Option<(usize, usize)> {
        let open = crate::style::skip_trivia(self.text, from);
        let close = end.checked_sub(1)?;
        let bytes = self.text.as_bytes();
        (bytes.get(open) == Some(&b'(') && bytes.get(close) == Some(&b')')).then_some((open, close))
    }

    /// The factory provider `object` is, when its `useFactory` is a
    /// function written in place.
    pub(super) fn factory(&self, object: &ast::ObjectLit) -> Option<Factory> {
        let mut function: Option<(Span, usize, Vec<&ast::Pat>)> = None;
        let mut inject = None;
        for prop in &object.props {
            let ast::PropOrSpread::Prop(prop) = prop else {
                continue;
            };
            match &**prop {
                ast::Prop::KeyValue(kv) => match prop_name(&kv.key).as_deref() {
                    Some("useFactory") => function = self.function_parts(&kv.value),
                    Some("inject") => inject = Some(self.module_list(&kv.value)),
                    _ => {}
                },
                ast::Prop::Method(method)
                    if prop_name(&method.key).as_deref() == Some("useFactory") =>
                {
                    let params = method.function.params.iter().map(|p| &p.pat).collect();
                    let start = self.range(method.key.span()).end;
                    function = Some((method.function.span, start, params));
                }
                _ => {}
            }
        }
        let (span, start, params) = function?;
        self.factory_of(span, start, &params, inject)
    }

    /// An arrow or function expression's span, where its parameter list may
    /// start, and its parameters.
    fn function_parts<'e>(&self, expr: &'e ast::Expr) -> Option<(Span, usize, Vec<&'e ast::Pat>)> {
        match expr {
            ast::Expr::Arrow(arrow) => Some((
                arrow.span,
                self.range(arrow.span).start,
                arrow.params.iter().collect(),
            )),
            ast::Expr::Fn(f) => Some((
                f.function.span,
                f.ident
                    .as_ref()
                    .map_or(self.range(f.function.span).start, |i| {
                        self.range(i.span).end
                    }),
                f.function.params.iter().map(|p| &p.pat).collect(),
            )),
            ast::Expr::Paren(paren) => self.function_parts(&paren.expr),
            _ => None,
        }
    }

    fn factory_of(
        &self,
        span: Span,
        start: usize,
        params: &[&ast::Pat],
        inject: Option<ModuleList>,
    ) -> Option<Factory> {
        let required = params
            .iter()
            .position(|pat| match pat {
                ast::Pat::Ident(binding) => binding.id.optional,
                ast::Pat::Array(array) => array.optional,
                ast::Pat::Object(object) => object.optional,
                ast::Pat::Assign(_) | ast::Pat::Rest(_) => true,
                _ => false,
            })
            .unwrap_or(params.len());
        let rest = params
            .last()
            .is_some_and(|pat| matches!(pat, ast::Pat::Rest(_)));
        let params: Vec<(Range<usize>, Option<String>)> = params
            .iter()
            .map(|pat| (self.pat_range(pat), pat_name(pat)))
            .collect();
        let range = self.range(span);
        let bytes = self.text.as_bytes();
        // The `(` is the first one after `async`/`function`/the name, before
        // the first parameter; an arrow's lone parameter may have none.
        let limit = params.first().map_or(range.end, |(r, _)| r.start);
        let open = (start..limit).find(|&i| bytes.get(i) == Some(&b'('));
        let parens = open.and_then(|open| {
            let after = params.last().map_or(open + 1, |(r, _)| r.end);
            let mut close = crate::style::skip_trivia(self.text, after);
            if bytes.get(close) == Some(&b',') {
                close = crate::style::skip_trivia(self.text, close + 1);
            }
            (bytes.get(close) == Some(&b')')).then_some((open, close))
        });
        Some(Factory {
            range,
            params,
            required,
            rest,
            parens,
            inject,
        })
    }

    /// A parameter from its first byte to the end of its type annotation.
    fn pat_range(&self, pat: &ast::Pat) -> Range<usize> {
        let range = self.range(pat.span());
        match pat {
            ast::Pat::Ident(binding) => match &binding.type_ann {
                Some(ann) => range.start..self.range(ann.span).end.max(range.end),
                None => range,
            },
            _ => range,
        }
    }

    /// The plain elements and the spreads of an array literal.
    fn array_items(&self, array: &ast::ArrayLit) -> (Vec<Element>, Vec<Spread>) {
        let mut elements = Vec::new();
        let mut spreads = Vec::new();
        for element in array.elems.iter().flatten() {
            match element.spread {
                Some(dots) => spreads.push(Spread {
                    range: self.range(Span::new(dots.lo, element.expr.span().hi)),
                    value: self.listed(&element.expr, 0),
                }),
                None => {
                    elements.push((self.range(element.expr.span()), head_ident(&element.expr)));
                }
            }
        }
        (elements, spreads)
    }

    /// What the array-valued `expr` may hold (see [`Listed`]); `depth`
    /// bounds the nesting read.
    pub(super) fn listed(&self, expr: &ast::Expr, depth: usize) -> Listed {
        if depth > MAX_LIST_DEPTH {
            return Listed::Unreadable("it nests too deep to read".to_string());
        }
        let next = |e: &ast::Expr| self.listed(e, depth + 1);
        match expr {
            ast::Expr::Array(array) => {
                let (elements, spreads) = self.array_items(array);
                Listed::Array { elements, spreads }
            }
            ast::Expr::Paren(paren) => next(&paren.expr),
            ast::Expr::TsAs(e) => next(&e.expr),
            ast::Expr::TsConstAssertion(e) => next(&e.expr),
            ast::Expr::TsSatisfies(e) => next(&e.expr),
            ast::Expr::TsNonNull(e) => next(&e.expr),
            ast::Expr::TsTypeAssertion(e) => next(&e.expr),
            ast::Expr::Ident(ident) => Listed::Name(ident.sym.to_string()),
            ast::Expr::Cond(cond) => {
                let test = self.condition(&cond.test);
                Listed::Branches(vec![
                    (format!("{test} is true"), next(&cond.cons)),
                    (format!("{test} is false"), next(&cond.alt)),
                ])
            }
            ast::Expr::Bin(bin) => self.logical(bin, depth),
            _ => Listed::Unreadable("it spreads a value cronlock cannot read".to_string()),
        }
    }

    /// `c && a` (nothing when `c` is false), `a || b`, `a ?? b`.
    fn logical(&self, bin: &ast::BinExpr, depth: usize) -> Listed {
        let left = self.condition(&bin.left);
        let next = |e: &ast::Expr| self.listed(e, depth + 1);
        let empty = || Listed::Array {
            elements: Vec::new(),
            spreads: Vec::new(),
        };
        match bin.op {
            ast::BinaryOp::LogicalAnd => Listed::Branches(vec![
                (format!("{left} is true"), next(&bin.right)),
                (format!("{left} is false"), empty()),
            ]),
            ast::BinaryOp::LogicalOr => Listed::Branches(vec![
                (format!("{left} is true"), next(&bin.left)),
                (format!("{left} is false"), next(&bin.right)),
            ]),
            ast::BinaryOp::NullishCoalescing => Listed::Branches(vec![
                (format!("{left} is set"), next(&bin.left)),
                (format!("{left} is null or undefined"), next(&bin.right)),
            ]),
            _ => Listed::Unreadable("it spreads a value cronlock cannot read".to_string()),
        }
    }

    /// A condition as written, in backticks, on one line and cut short.
    fn condition(&self, expr: &ast::Expr) -> String {
        let range = self.range(expr.span());
        let written = self.text.get(range).unwrap_or("the condition");
        let mut words = written.split_whitespace().collect::<Vec<_>>().join(" ");
        if words.chars().count() > MAX_CONDITION_CHARS {
            words = words.chars().take(MAX_CONDITION_CHARS).collect::<String>() + "…";
        }
        format!("`{words}`")
    }
}

/// Whether a provider object stands in for its token: `{ provide: X, ... }`
/// with `useValue`, `useFactory`, `useExisting`, or `useClass` naming another
/// class than `X`.
fn is_stand_in(expr: &ast::Expr) -> bool {
    let ast::Expr::Object(object) = expr else {
        return false;
    };
    let value = |key: &str| {
        object.props.iter().find_map(|prop| match prop {
            ast::PropOrSpread::Prop(prop) => match &**prop {
                ast::Prop::KeyValue(kv) if prop_name(&kv.key).as_deref() == Some(key) => {
                    Some(&*kv.value)
                }
                ast::Prop::Shorthand(ident) if ident.sym == key => None,
                ast::Prop::Method(m) if prop_name(&m.key).as_deref() == Some(key) => None,
                _ => None,
            },
            ast::PropOrSpread::Spread(_) => None,
        })
    };
    let has = |key: &str| {
        object.props.iter().any(|prop| match prop {
            ast::PropOrSpread::Prop(prop) => match &**prop {
                ast::Prop::KeyValue(kv) => prop_name(&kv.key).as_deref() == Some(key),
                ast::Prop::Shorthand(ident) => ident.sym == key,
                ast::Prop::Method(m) => prop_name(&m.key).as_deref() == Some(key),
                _ => false,
            },
            ast::PropOrSpread::Spread(_) => false,
        })
    };
    if !has("provide") {
        return false;
    }
    if has("useValue") || has("useFactory") || has("useExisting") {
        return true;
    }
    match (value("provide").and_then(head_ident), value("useClass")) {
        (Some(token), Some(class)) => head_ident(class).as_deref() != Some(token.as_str()),
        _ => has("useClass"),
    }
}
