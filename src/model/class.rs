//! A class's model: its decorators, constructor parameters, properties and
//! methods, and what each method body reads from `this`.

use std::ops::Range;

use swc_common::Spanned;
use swc_ecma_ast as ast;
use swc_ecma_visit::{Visit, VisitWith};

use super::builder::Builder;
use super::names::{expr_callee, prop_name, type_name};
use super::{
    ClassModel, Constructor, Decorator, JobCall, Method, ObjectArg, Param, Property, SuperCall,
};
use crate::style::{next_token_is, skip_trivia};

impl Builder<'_> {
    pub(super) fn class(&self, class: &ast::Class, ident: Option<&ast::Ident>) -> ClassModel {
        let class_range = self.range(class.span);
        let anchor = ident.map_or(class_range.start, |i| self.range(i.span).start);
        let header_end = [
            ident.map(|i| self.range(i.span).end),
            class.type_params.as_ref().map(|t| self.range(t.span).end),
            class.super_class.as_ref().map(|s| self.range(s.span()).end),
            class
                .super_type_params
                .as_ref()
                .map(|t| self.range(t.span).end),
            class.implements.last().map(|i| self.range(i.span).end),
        ]
        .into_iter()
        .flatten()
        .max()
        .unwrap_or(class_range.start + "class".len());
        let mut model = ClassModel {
            name: ident.map(|i| i.sym.to_string()),
            anchor,
            body_open: next_token_is(self.text, header_end, b'{'),
            super_class: class.super_class.as_deref().map(expr_callee),
            decorators: self.decorators(&class.decorators),
            constructor: None,
            properties: Vec::new(),
            methods: Vec::new(),
            first_member_start: class.body.first().map(|m| self.range(m.span()).start),
            is_declare: false,
            sets_global: !class.decorators.is_empty() && sets_global(class),
        };
        for member in &class.body {
            self.member(member, &mut model);
        }
        model
    }

    fn member(&self, member: &ast::ClassMember, model: &mut ClassModel) {
        match member {
            ast::ClassMember::Constructor(ctor) if ctor.body.is_some() => {
                model.constructor = Some(self.constructor(ctor));
            }
            ast::ClassMember::Method(method) => {
                let body = self.body_facts(method.function.body.as_ref());
                model.methods.push(Method {
                    name: prop_name(&method.key),
                    decorators: self.decorators(&method.function.decorators),
                    this_members: body.this_members,
                    job_calls: body.job_calls,
                    member_calls: body.member_calls,
                });
            }
            ast::ClassMember::ClassProp(prop) => model.properties.push(Property {
                range: self.range(prop.span),
                name: prop_name(&prop.key),
                optional: prop.is_optional,
                is_static: prop.is_static,
                decorators: self.decorators(&prop.decorators),
                type_name: prop.type_ann.as_deref().and_then(type_name),
            }),
            ast::ClassMember::PrivateProp(prop) => model.properties.push(Property {
                range: self.range(prop.span),
                name: None,
                optional: prop.is_optional,
                is_static: prop.is_static,
                decorators: self.decorators(&prop.decorators),
                type_name: None,
            }),
            _ => {}
        }
    }

    /// `this.<name>` reads and job calls in a function body.
    fn body_facts(&self, body: Option<&ast::FunctionBody>) -> MethodBody {
        let mut facts = BodyFacts::default();
        if let Some(body) = body {
            body.visit_with(&mut facts);
        }
        facts.this_members.shrink_to_fit();
        facts.member_calls.shrink_to_fit();
        MethodBody {
            this_members: facts.this_members,
            member_calls: facts.member_calls,
            job_calls: facts
                .job_calls
                .into_iter()
                .map(|(member, method, span)| JobCall {
                    member: member.to_string(),
                    method: method.to_string(),
                    range: self.range(span),
                })
                .collect(),
        }
    }

    fn constructor(&self, ctor: &ast::Constructor) -> Constructor {
        let params: Vec<Param> = ctor.params.iter().map(|p| self.param(p)).collect();
        let key_end = self.range(ctor.key.span()).end;
        let open = next_token_is(self.text, key_end, b'(');
        let close = open.and_then(|open| {
            let after = params.last().map_or(open + 1, |p| p.range.end);
            let at = skip_trivia(self.text, after);
            match self.text.as_bytes().get(at) {
                Some(b')') => Some(at),
                Some(b',') => next_token_is(self.text, at + 1, b')'),
                _ => None,
            }
        });
        Constructor {
            parens: open.zip(close),
            params,
            super_call: ctor.body.as_ref().and_then(|body| self.super_call(body)),
            job_calls: self.body_facts(ctor.body.as_ref()).job_calls,
        }
    }

    /// The first `super(...);` statement of a constructor body.
    fn super_call(&self, body: &ast::FunctionBody) -> Option<SuperCall> {
        body.stmts.iter().find_map(|stmt| {
            let ast::Stmt::Expr(expr) = stmt else {
                return None;
            };
            let ast::Expr::Call(call) = &*expr.expr else {
                return None;
            };
            if !matches!(call.callee, ast::Callee::Super(_)) {
                return None;
            }
            let spread = call.args.iter().any(|a| a.spread.is_some());
            let call_range = self.range(call.span);
            Some(SuperCall {
                close: call_range.end.saturating_sub(1),
                args: (!spread).then(|| {
                    call.args
                        .iter()
                        .map(|a| self.range(a.expr.span()))
                        .collect()
                }),
                arg_names: call
                    .args
                    .iter()
                    .map(|a| match &*a.expr {
                        ast::Expr::Ident(ident) => Some(ident.sym.to_string()),
                        _ => None,
                    })
                    .collect(),
            })
        })
    }

    fn param(&self, param: &ast::ParamOrTsParamProp) -> Param {
        match param {
            ast::ParamOrTsParamProp::Param(p) => {
                let decorators = self.decorators(&p.decorators);
                let binding_start = self.range(p.pat.span()).start;
                let mut out = self.pattern(&p.pat, self.range(p.span), decorators, binding_start);
                out.modifiers_start = binding_start;
                out
            }
            ast::ParamOrTsParamProp::TsParamProp(p) => {
                let decorators = self.decorators(&p.decorators);
                let pat = match &p.param {
                    ast::TsParamPropParam::Ident(ident) => ast::Pat::Ident(ident.clone()),
                    ast::TsParamPropParam::Assign(assign) => ast::Pat::Assign(assign.clone()),
                };
                let binding_start = self.range(pat.span()).start;
                let modifiers_start = decorators.last().map_or(self.range(p.span).start, |d| {
                    skip_trivia(self.text, d.range.end)
                });
                let mut out = self.pattern(&pat, self.range(p.span), decorators, binding_start);
                out.is_property = true;
                out.modifiers_start = modifiers_start;
                out
            }
        }
    }

    fn pattern(
        &self,
        pat: &ast::Pat,
        range: Range<usize>,
        decorators: Vec<Decorator>,
        binding_start: usize,
    ) -> Param {
        let mut out = Param {
            range,
            binding_start,
            modifiers_start: binding_start,
            name: None,
            is_property: false,
            optional: false,
            has_default: false,
            rest: false,
            decorators,
            type_name: None,
        };
        let mut pat = pat;
        if let ast::Pat::Assign(assign) = pat {
            out.has_default = true;
            pat = &assign.left;
        }
        match pat {
            ast::Pat::Ident(binding) => {
                out.name = Some(binding.id.sym.to_string());
                out.optional = binding.id.optional;
                out.type_name = binding.type_ann.as_deref().and_then(type_name);
            }
            ast::Pat::Rest(_) => out.rest = true,
            _ => {}
        }
        out
    }

    fn decorators(&self, decorators: &[ast::Decorator]) -> Vec<Decorator> {
        decorators.iter().map(|d| self.decorator(d)).collect()
    }

    fn decorator(&self, decorator: &ast::Decorator) -> Decorator {
        let (callee_expr, args): (&ast::Expr, &[ast::ExprOrSpread]) = match &*decorator.expr {
            ast::Expr::Call(call) => match &call.callee {
                ast::Callee::Expr(callee) => (callee, &call.args),
                _ => (&decorator.expr, &[]),
            },
            other => (other, &[]),
        };
        Decorator {
            range: self.range(decorator.span),
            callee: expr_callee(callee_expr),
            callee_range: self.range(callee_expr.span()),
            object_arg: args.first().and_then(|arg| match &*arg.expr {
                ast::Expr::Object(object) if arg.spread.is_none() => Some(self.object_arg(object)),
                _ => None,
            }),
        }
    }

    pub(super) fn object_arg(&self, object: &ast::ObjectLit) -> ObjectArg {
        let mut out = ObjectArg {
            range: self.range(object.span),
            props: object.props.iter().map(|p| self.range(p.span())).collect(),
            imports: None,
            providers: None,
            controllers: None,
            exports: None,
        };
        for prop in &object.props {
            let ast::PropOrSpread::Prop(prop) = prop else {
                continue;
            };
            let ast::Prop::KeyValue(kv) = &**prop else {
                continue;
            };
            let slot = match prop_name(&kv.key).as_deref() {
                Some("imports") => &mut out.imports,
                Some("providers") => &mut out.providers,
                Some("controllers") => &mut out.controllers,
                Some("exports") => &mut out.exports,
                _ => continue,
            };
            *slot = Some(self.module_list(&kv.value));
        }
        out
    }
}

/// Whether a class body holds `global: true` in an object literal.
fn sets_global(class: &ast::Class) -> bool {
    struct Finder(bool);
    impl Visit for Finder {
        fn visit_key_value_prop(&mut self, prop: &ast::KeyValueProp) {
            if prop_name(&prop.key).as_deref() == Some("global")
                && matches!(&*prop.value, ast::Expr::Lit(ast::Lit::Bool(b)) if b.value)
            {
                self.0 = true;
            }
            prop.visit_children_with(self);
        }
    }
    let mut finder = Finder(false);
    class.body.visit_with(&mut finder);
    finder.0
}

/// What a function body reads from `this`.
#[derive(Default)]
struct BodyFacts {
    this_members: Vec<swc_atoms::Atom>,
    /// Calls as (member, method, span).
    job_calls: Vec<(swc_atoms::Atom, swc_atoms::Atom, swc_common::Span)>,
    /// Every `this.<member>.<method>(...)`, once each.
    member_calls: Vec<(swc_atoms::Atom, swc_atoms::Atom)>,
}

/// [`BodyFacts`] with offsets.
struct MethodBody {
    this_members: Vec<swc_atoms::Atom>,
    job_calls: Vec<JobCall>,
    member_calls: Vec<(swc_atoms::Atom, swc_atoms::Atom)>,
}

/// The `SchedulerRegistry` methods that start a job.
const JOB_METHODS: [&str; 3] = ["addCronJob", "addInterval", "addTimeout"];

impl Visit for BodyFacts {
    fn visit_member_expr(&mut self, member: &ast::MemberExpr) {
        if let (ast::Expr::This(_), ast::MemberProp::Ident(prop)) = (&*member.obj, &member.prop)
            && !self.this_members.contains(&prop.sym)
        {
            self.this_members.push(prop.sym.clone());
        }
        member.visit_children_with(self);
    }

    fn visit_call_expr(&mut self, call: &ast::CallExpr) {
        if let ast::Callee::Expr(callee) = &call.callee
            && let ast::Expr::Member(outer) = &**callee
            && let ast::MemberProp::Ident(method) = &outer.prop
            && let ast::Expr::Member(inner) = &*outer.obj
            && let (ast::Expr::This(_), ast::MemberProp::Ident(member)) = (&*inner.obj, &inner.prop)
        {
            if JOB_METHODS.contains(&&*method.sym) {
                self.job_calls
                    .push((member.sym.clone(), method.sym.clone(), outer.span));
            }
            let pair = (member.sym.clone(), method.sym.clone());
            if !self.member_calls.contains(&pair) {
                self.member_calls.push(pair);
            }
        }
        call.visit_children_with(self);
    }
}
