//! Names read from syntax: the identifier an expression starts with, what a
//! declaration exports, property and type names.

use swc_ecma_ast as ast;

use super::Callee;

/// The identifier an `imports` element starts with: `X`, `X.forRoot(...)`,
/// `X.register()`, `X` of `forwardRef(() => X)`, and of a provider written
/// `{ provide: X, ... }`.
pub(super) fn head_ident(expr: &ast::Expr) -> Option<String> {
    match expr {
        ast::Expr::Object(object) => object.props.iter().find_map(|prop| {
            let ast::PropOrSpread::Prop(prop) = prop else {
                return None;
            };
            match &**prop {
                ast::Prop::KeyValue(kv) if prop_name(&kv.key).as_deref() == Some("provide") => {
                    head_ident(&kv.value)
                }
                _ => None,
            }
        }),
        ast::Expr::Ident(ident) => Some(ident.sym.to_string()),
        ast::Expr::Member(member) => head_ident(&member.obj),
        ast::Expr::Call(call) => match &call.callee {
            ast::Callee::Expr(callee) if is_forward_ref(callee) => {
                let arrow = call.args.first()?;
                let ast::Expr::Arrow(arrow) = &*arrow.expr else {
                    return None;
                };
                match &*arrow.body {
                    ast::ArrowFunctionBody::Expr(body) => head_ident(body),
                    _ => None,
                }
            }
            ast::Callee::Expr(callee) => head_ident(callee),
            _ => None,
        },
        ast::Expr::Paren(paren) => head_ident(&paren.expr),
        _ => None,
    }
}

/// `X` of a list element written `ns.X` (or `forwardRef(() => ns.X)`): a
/// name of a namespace import, whose head is `ns`.
pub(super) fn namespace_member(expr: &ast::Expr) -> Option<String> {
    match expr {
        ast::Expr::Paren(paren) => namespace_member(&paren.expr),
        ast::Expr::Call(call) => match &call.callee {
            ast::Callee::Expr(callee) if is_forward_ref(callee) => {
                let ast::Expr::Arrow(arrow) = &*call.args.first()?.expr else {
                    return None;
                };
                match &*arrow.body {
                    ast::ArrowFunctionBody::Expr(body) => namespace_member(body),
                    _ => None,
                }
            }
            _ => None,
        },
        _ => match expr_callee(expr) {
            Callee::Member { property, .. } => Some(property),
            _ => None,
        },
    }
}

fn is_forward_ref(callee: &ast::Expr) -> bool {
    matches!(callee, ast::Expr::Ident(ident) if ident.sym == "forwardRef")
}

pub(super) fn expr_callee(expr: &ast::Expr) -> Callee {
    match expr {
        ast::Expr::Ident(ident) => Callee::Ident(ident.sym.to_string()),
        ast::Expr::Member(member) => match (&*member.obj, &member.prop) {
            (ast::Expr::Ident(object), ast::MemberProp::Ident(property)) => Callee::Member {
                object: object.sym.to_string(),
                property: property.sym.to_string(),
            },
            _ => Callee::Other,
        },
        ast::Expr::Paren(paren) => expr_callee(&paren.expr),
        _ => Callee::Other,
    }
}

/// The names an `export` declaration exports (types, classes, functions,
/// and the plain identifiers of `export const a = ..., b = ...`).
pub(super) fn exported_names(decl: &ast::Decl) -> Vec<String> {
    match decl {
        ast::Decl::Fn(f) => vec![f.ident.sym.to_string()],
        ast::Decl::Var(var) => var
            .decls
            .iter()
            .filter_map(|d| match &d.name {
                ast::Pat::Ident(binding) => Some(binding.id.sym.to_string()),
                _ => None,
            })
            .collect(),
        other => decl_name(other).into_iter().collect(),
    }
}

pub(super) fn decl_name(decl: &ast::Decl) -> Option<String> {
    match decl {
        ast::Decl::Class(c) => Some(c.ident.sym.to_string()),
        ast::Decl::TsInterface(i) => Some(i.id.sym.to_string()),
        ast::Decl::TsTypeAlias(t) => Some(t.id.sym.to_string()),
        ast::Decl::TsEnum(e) => Some(e.id.sym.to_string()),
        _ => None,
    }
}

pub(super) fn prop_name(key: &ast::PropName) -> Option<String> {
    match key {
        ast::PropName::Ident(ident) => Some(ident.sym.to_string()),
        ast::PropName::Str(s) => Some(atom_string(&s.value)),
        _ => None,
    }
}

pub(super) fn export_name(name: &ast::ModuleExportName) -> String {
    match name {
        ast::ModuleExportName::Ident(ident) => ident.sym.to_string(),
        ast::ModuleExportName::Str(s) => atom_string(&s.value),
    }
}

pub(super) fn atom_string(value: &swc_atoms::Wtf8Atom) -> String {
    value.to_string_lossy().into_owned()
}

/// The name of a plain type reference annotation (`: DistributedLockService`).
pub(super) fn type_name(annotation: &ast::TsTypeAnn) -> Option<String> {
    match &*annotation.type_ann {
        ast::TsType::TsTypeRef(reference) => match &reference.type_name {
            ast::TsEntityName::Ident(ident) => Some(ident.sym.to_string()),
            ast::TsEntityName::TsQualifiedName(q) => Some(q.right.sym.to_string()),
        },
        _ => None,
    }
}

/// A parameter's name when it is a plain identifier (`a`, `a: T`, `a = 1`).
pub(super) fn pat_name(pat: &ast::Pat) -> Option<String> {
    match pat {
        ast::Pat::Ident(binding) => Some(binding.id.sym.to_string()),
        ast::Pat::Assign(assign) => pat_name(&assign.left),
        _ => None,
    }
}
