//! Building a file's model: one pass over the module's items (imports,
//! exports, classes and `const` lists), then one walk for the facts spread
//! through its statements ([`super::facts`]).

use swc_common::{Span, Spanned};
use swc_ecma_ast as ast;

use super::builder::Builder;
use super::facts::ModuleFacts;
use super::names::{atom_string, decl_name, export_name, exported_names, head_ident};
use super::{Export, FileModel, Import, Listed, NamedImport, ReExport};
use crate::source::SourceText;
use crate::style::skip_trivia;

/// Builds the model of a parsed module. `base` is added to every span offset
/// (the BOM's length).
pub fn build(module: &ast::Module, text: &str, base: usize) -> FileModel {
    let builder = Builder::new(text, base);
    let mut model = FileModel {
        first_item_start: module
            .body
            .first()
            .map(|item| builder.range(item_span(item)).start),
        ..FileModel::default()
    };
    for item in &module.body {
        builder.module_item(item, &mut model);
    }
    ModuleFacts::of(module, &model.imports, &builder).record(&mut model);
    model
}

/// The model of a parsed file.
pub fn build_model(module: &swc_ecma_ast::Module, source: &SourceText) -> FileModel {
    let mut model = build(module, source.text(), source.bom_len());
    model.shrink();
    model
}

/// A module item's span, widened to the decorators of a class it declares:
/// swc starts `@Injectable() export class A {}` at `export`.
fn item_span(item: &ast::ModuleItem) -> Span {
    use ast::{Decl, DefaultDecl, ModuleDecl, ModuleItem, Stmt};
    let class = match item {
        ModuleItem::Stmt(Stmt::Decl(Decl::Class(c))) => Some(&c.class),
        ModuleItem::ModuleDecl(ModuleDecl::ExportDecl(ast::ExportDecl {
            decl: Decl::Class(c),
            ..
        })) => Some(&c.class),
        ModuleItem::ModuleDecl(ModuleDecl::ExportDefaultDecl(ast::ExportDefaultDecl {
            decl: DefaultDecl::Class(c),
            ..
        })) => Some(&c.class),
        _ => None,
    };
    let span = item.span();
    match class.and_then(|c| c.decorators.first()) {
        Some(first) if first.span.lo < span.lo => Span::new(first.span.lo, span.hi),
        _ => span,
    }
}

impl Builder<'_> {
    fn module_item(&self, item: &ast::ModuleItem, model: &mut FileModel) {
        use ast::{DefaultDecl, ModuleDecl, ModuleItem, Stmt};
        match item {
            ModuleItem::ModuleDecl(ModuleDecl::Import(import)) => {
                model.imports.push(self.import(import));
            }
            ModuleItem::ModuleDecl(ModuleDecl::ExportDecl(export)) => {
                for name in exported_names(&export.decl) {
                    model.exports.push(Export {
                        local: name.clone(),
                        exported: name,
                    });
                }
                self.decl(&export.decl, model);
            }
            ModuleItem::ModuleDecl(ModuleDecl::ExportDefaultDecl(export)) => {
                if let DefaultDecl::Class(class) = &export.decl {
                    let name = class.ident.as_ref().map(|i| i.sym.to_string());
                    if let Some(name) = &name {
                        model.local_types.push(name.clone());
                    }
                    model.exports.push(Export {
                        local: name.clone().unwrap_or_else(|| "default".to_string()),
                        exported: "default".to_string(),
                    });
                    model
                        .classes
                        .push(self.class(&class.class, class.ident.as_ref()));
                }
            }
            ModuleItem::ModuleDecl(ModuleDecl::ExportDefaultExpr(export)) => {
                if let ast::Expr::Ident(ident) = &*export.expr {
                    model.exports.push(Export {
                        local: ident.sym.to_string(),
                        exported: "default".to_string(),
                    });
                }
            }
            ModuleItem::ModuleDecl(ModuleDecl::ExportNamed(named)) => {
                self.export_named(named, model);
            }
            ModuleItem::ModuleDecl(ModuleDecl::ExportAll(all)) => {
                model.reexports.push(ReExport {
                    source: atom_string(&all.src.value),
                    names: None,
                });
            }
            ModuleItem::Stmt(Stmt::Decl(decl)) => self.decl(decl, model),
            _ => {}
        }
    }

    fn decl(&self, decl: &ast::Decl, model: &mut FileModel) {
        if let Some(name) = decl_name(decl) {
            model.local_types.push(name);
        }
        if let ast::Decl::Class(class) = decl {
            let mut model_class = self.class(&class.class, Some(&class.ident));
            model_class.is_declare = class.declare;
            model.classes.push(model_class);
        }
        if let ast::Decl::Var(var) = decl {
            for declarator in &var.decls {
                if let ast::Pat::Ident(binding) = &declarator.name {
                    let head = declarator.init.as_deref().and_then(head_ident);
                    let name = binding.id.sym.to_string();
                    if var.kind == ast::VarDeclKind::Const
                        && let Some(listed) =
                            declarator.init.as_deref().and_then(|e| self.const_list(e))
                    {
                        model.const_lists.push((name.clone(), listed));
                    }
                    model.consts.push((name, head));
                }
            }
        }
    }

    /// What a `const` initialiser holds when it is a list: an array literal,
    /// or a choice between lists. Any other value is not recorded.
    fn const_list(&self, init: &ast::Expr) -> Option<Listed> {
        match self.listed(init, 0) {
            listed @ (Listed::Array { .. } | Listed::Branches(_)) => Some(listed),
            Listed::Name(_) | Listed::Unreadable(_) => None,
        }
    }

    fn export_named(&self, named: &ast::NamedExport, model: &mut FileModel) {
        let pairs: Vec<(String, String)> = named
            .specifiers
            .iter()
            .filter_map(|spec| match spec {
                ast::ExportSpecifier::Named(n) => {
                    let orig = export_name(&n.orig);
                    let exported = n
                        .exported
                        .as_ref()
                        .map_or_else(|| orig.clone(), export_name);
                    Some((exported, orig))
                }
                _ => None,
            })
            .collect();
        match &named.src {
            Some(src) => model.reexports.push(ReExport {
                source: atom_string(&src.value),
                names: Some(pairs),
            }),
            None => model.exports.extend(
                pairs
                    .into_iter()
                    .map(|(exported, local)| Export { local, exported }),
            ),
        }
    }

    fn import(&self, import: &ast::ImportDecl) -> Import {
        let range = self.range(import.span);
        let mut out = Import {
            source: atom_string(&import.src.value),
            quote: import
                .src
                .raw
                .as_ref()
                .and_then(|raw| raw.chars().next())
                .unwrap_or('\''),
            type_only: import.type_only,
            type_keyword: None,
            default: None,
            namespace: None,
            named: Vec::new(),
            braces: None,
            range: range.clone(),
        };
        if import.type_only {
            let after_import = skip_trivia(self.text, range.start + "import".len());
            if self.text[after_import..].starts_with("type") {
                let end = skip_trivia(self.text, after_import + "type".len());
                out.type_keyword = Some(after_import..end);
            }
        }
        let src_start = self.range(import.src.span).start;
        for spec in &import.specifiers {
            match spec {
                ast::ImportSpecifier::Default(d) => out.default = Some(d.local.sym.to_string()),
                ast::ImportSpecifier::Namespace(n) => out.namespace = Some(n.local.sym.to_string()),
                ast::ImportSpecifier::Named(n) => out.named.push(NamedImport {
                    range: self.range(n.span),
                    local: n.local.sym.to_string(),
                    imported: n
                        .imported
                        .as_ref()
                        .map_or_else(|| n.local.sym.to_string(), export_name),
                    type_only: n.is_type_only,
                }),
            }
        }
        out.braces = self.find_braces(range.start, src_start);
        out
    }

    /// Finds `{` and `}` of an import's named list between `import` and the
    /// specifier string. Only comments could hide a brace, and those are skipped.
    fn find_braces(&self, start: usize, end: usize) -> Option<(usize, usize)> {
        let mut pos = start;
        let mut open = None;
        while pos < end {
            pos = skip_trivia(self.text, pos);
            match self.text.as_bytes().get(pos) {
                Some(b'{') => open = Some(pos),
                Some(b'}') => return open.map(|o| (o, pos)),
                None => return None,
                _ => {}
            }
            // Step over a whole character: an identifier may be non-ASCII.
            pos += self
                .text
                .get(pos..)
                .and_then(|rest| rest.chars().next())
                .map_or(1, char::len_utf8);
        }
        None
    }
}
