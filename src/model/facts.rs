//! Facts spread through a module's statements, gathered in one walk:
//! references to imported names, constructions, bootstraps, testing modules
//! and `useFactory` functions.

use std::ops::Range;

use swc_common::{Span, Spanned};
use swc_ecma_ast as ast;
use swc_ecma_visit::{Visit, VisitWith};

use super::builder::Builder;
use super::names::expr_callee;
use super::{Callee, Construction, Factory, FileModel, Import, TestingModule};

/// What one walk over a module's statements (its imports aside) finds:
/// references to imported names, `new X(...)` expressions,
/// `NestFactory.create(AppModule)` bootstraps and
/// `Test.createTestingModule({...})` calls. One walk, not one per fact: the
/// walks were about half the time spent building models.
pub(super) struct ModuleFacts<'b, 't> {
    builder: &'b Builder<'t>,
    /// Per imported local name, how often it is referenced.
    import_uses: std::collections::HashMap<String, usize>,
    /// Local names of `@nestjs/core`'s `NestFactory`.
    factories: Vec<String>,
    /// Local names of `@nestjs/testing`'s `Test`.
    tests: Vec<String>,
    bootstraps: Vec<(String, String)>,
    testing_modules: Vec<TestingModule>,
    constructions: Vec<Construction>,
    use_factories: Vec<Factory>,
    /// How many test callbacks (`describe(..., () => {...})`) enclose the
    /// node being visited.
    test_depth: usize,
    /// The `useFactory` functions enclosing the node being visited, innermost
    /// last (indices into `factories`).
    factory_stack: Vec<usize>,
}

impl<'b, 't> ModuleFacts<'b, 't> {
    /// Stores what the walk found in `model`.
    pub(super) fn record(self, model: &mut FileModel) {
        model.import_uses = self.import_uses;
        model.bootstraps = self.bootstraps;
        model.testing_modules = self.testing_modules;
        model.constructions = self.constructions;
        model.factories = self.use_factories;
    }

    pub(super) fn of(module: &ast::Module, imports: &[Import], builder: &'b Builder<'t>) -> Self {
        let imported = |source: &str, name: &str| -> Vec<String> {
            imports
                .iter()
                .filter(|i| i.source == source)
                .flat_map(|i| &i.named)
                .filter(|n| n.imported == name)
                .map(|n| n.local.clone())
                .collect()
        };
        let import_uses = imports
            .iter()
            .flat_map(|i| {
                i.named
                    .iter()
                    .map(|n| n.local.clone())
                    .chain(i.default.clone())
                    .chain(i.namespace.clone())
            })
            .map(|name| (name, 0))
            .collect();
        let mut facts = ModuleFacts {
            builder,
            import_uses,
            factories: imported("@nestjs/core", "NestFactory"),
            tests: imported("@nestjs/testing", "Test"),
            bootstraps: Vec::new(),
            testing_modules: Vec::new(),
            constructions: Vec::new(),
            use_factories: Vec::new(),
            test_depth: 0,
            factory_stack: Vec::new(),
        };
        for item in &module.body {
            if !matches!(
                item,
                ast::ModuleItem::ModuleDecl(ast::ModuleDecl::Import(_))
            ) {
                item.visit_with(&mut facts);
            }
        }
        facts
    }

    /// `NestFactory.create(AppModule)`, `.createMicroservice(...)`,
    /// `.createApplicationContext(...)`: a call on an imported factory whose
    /// first argument is a plain identifier.
    fn bootstrap(&self, call: &ast::CallExpr) -> Option<(String, String)> {
        let (object, method, first) = member_call(call)?;
        let ast::Expr::Ident(module) = first else {
            return None;
        };
        (method.starts_with("create") && self.factories.iter().any(|n| n == object))
            .then(|| (object.to_string(), module.sym.to_string()))
    }

    /// `Test.createTestingModule({...})`, `Test` from `@nestjs/testing`.
    fn testing_module(&self, call: &ast::CallExpr) -> Option<TestingModule> {
        let (object, method, first) = member_call(call)?;
        let ast::Expr::Object(object_lit) = first else {
            return None;
        };
        if method != "createTestingModule" || !self.tests.iter().any(|n| n == object) {
            return None;
        }
        let ast::Callee::Expr(callee) = &call.callee else {
            return None;
        };
        Some(TestingModule {
            callee: self.builder.range(callee.span()),
            metadata: self.builder.object_arg(object_lit),
        })
    }
}

/// `object.method(first, ...)` with a plain-name object and a first argument
/// that is not spread: (object, method, first).
fn member_call(call: &ast::CallExpr) -> Option<(&str, &str, &ast::Expr)> {
    let ast::Callee::Expr(callee) = &call.callee else {
        return None;
    };
    let ast::Expr::Member(member) = &**callee else {
        return None;
    };
    let (ast::Expr::Ident(object), ast::MemberProp::Ident(method)) = (&*member.obj, &member.prop)
    else {
        return None;
    };
    let first = call.args.first().filter(|a| a.spread.is_none())?;
    Some((object.sym.as_str(), method.sym.as_str(), &first.expr))
}

impl Visit for ModuleFacts<'_, '_> {
    fn visit_ident(&mut self, ident: &ast::Ident) {
        if let Some(count) = self.import_uses.get_mut(ident.sym.as_str()) {
            *count += 1;
        }
    }

    fn visit_call_expr(&mut self, call: &ast::CallExpr) {
        if !self.factories.is_empty()
            && let Some(bootstrap) = self.bootstrap(call)
        {
            self.bootstraps.push(bootstrap);
        }
        if !self.tests.is_empty()
            && let Some(testing) = self.testing_module(call)
        {
            self.testing_modules.push(testing);
        }
        let test = is_test_callback_call(call);
        self.test_depth += usize::from(test);
        call.visit_children_with(self);
        self.test_depth -= usize::from(test);
    }

    fn visit_object_lit(&mut self, object: &ast::ObjectLit) {
        let factory = self.builder.factory(object).map(|factory| {
            self.use_factories.push(factory);
            self.use_factories.len() - 1
        });
        self.factory_stack.extend(factory);
        object.visit_children_with(self);
        if factory.is_some() {
            self.factory_stack.pop();
        }
    }

    fn visit_new_expr(&mut self, new: &ast::NewExpr) {
        let callee = match &*new.callee {
            ast::Expr::Ident(ident) => Some((Callee::Ident(ident.sym.to_string()), ident.span)),
            ast::Expr::Member(member) => match expr_callee(&new.callee) {
                named @ Callee::Member { .. } => Some((named, member.span)),
                _ => None,
            },
            _ => None,
        };
        if let Some((callee, callee_span)) = callee {
            let args = new.args.as_deref().unwrap_or_default();
            let range = self.builder.range(new.span);
            let arg_ranges: Vec<Range<usize>> = args
                .iter()
                .map(|a| {
                    let start = a.spread.map_or(a.expr.span().lo, |s| s.lo);
                    self.builder.range(Span::new(start, a.expr.span().hi))
                })
                .collect();
            let after_callee = new
                .type_args
                .as_ref()
                .map_or(self.builder.range(callee_span).end, |t| {
                    self.builder.range(t.span).end
                });
            let class = match &callee {
                Callee::Member { object, property } => format!("{object}.{property}"),
                Callee::Ident(name) => name.clone(),
                Callee::Other => String::new(),
            };
            self.constructions.push(Construction {
                class,
                callee,
                args: args
                    .iter()
                    .all(|a| a.spread.is_none())
                    .then_some(args.len()),
                parens: new
                    .args
                    .as_ref()
                    .and_then(|_| self.builder.parens(after_callee, range.end)),
                range,
                arg_ranges,
                in_test: self.test_depth > 0,
                factory: self.factory_stack.last().copied(),
            });
        }
        new.visit_children_with(self);
    }
}

/// `describe(...)`, `it(...)`, `test(...)`, `beforeEach(...)` and the like
/// (also `describe.each(...)(...)`, `it.only(...)`): a test's callbacks.
fn is_test_callback_call(call: &ast::CallExpr) -> bool {
    const NAMES: [&str; 9] = [
        "describe",
        "it",
        "test",
        "beforeEach",
        "beforeAll",
        "afterEach",
        "afterAll",
        "fdescribe",
        "xdescribe",
    ];
    fn head(expr: &ast::Expr) -> Option<&str> {
        match expr {
            ast::Expr::Ident(ident) => Some(ident.sym.as_str()),
            ast::Expr::Member(member) => head(&member.obj),
            ast::Expr::Call(call) => match &call.callee {
                ast::Callee::Expr(callee) => head(callee),
                _ => None,
            },
            _ => None,
        }
    }
    match &call.callee {
        ast::Callee::Expr(callee) => head(callee).is_some_and(|name| NAMES.contains(&name)),
        _ => false,
    }
}
