//! What cronlock needs to know about one file, pulled out of the swc AST once.
//!
//! The model holds names and byte ranges (offsets into the file's original
//! text, BOM included) and nothing of the AST itself, so that rules and fixes
//! work on small plain data and the AST can be dropped right after parsing.
//! Nothing here is judged yet: which decorator is a lock decorator depends on
//! the configuration and on the package, and is decided in `semantic`.

use std::ops::Range;

use swc_common::{Span, Spanned};
use swc_ecma_ast as ast;
use swc_ecma_visit::{Visit, VisitWith};

use crate::ids::ClassId;
use crate::parse::span_range;
use crate::source::SourceText;
use crate::style::{next_token_is, skip_trivia};

/// Everything cronlock reads from one file.
#[derive(Debug, Clone, Default)]
pub struct FileModel {
    /// Import declarations, in source order.
    pub imports: Vec<Import>,
    /// Classes declared anywhere at the top level (exported or not), in source order.
    pub classes: Vec<ClassModel>,
    /// Names of types declared at the top level (classes, interfaces, aliases, enums).
    pub local_types: Vec<String>,
    /// `export { local as exported }` pairs and `export class X` names.
    pub exports: Vec<Export>,
    /// `export ... from '...'` declarations.
    pub reexports: Vec<ReExport>,
    /// Offset where the first statement (not a comment) starts.
    pub first_item_start: Option<usize>,
    /// How often each imported name is referenced outside the imports
    /// (comments and strings never count).
    pub import_uses: std::collections::HashMap<String, usize>,
    /// `Factory.create*(Module, ...)` calls: the object's name and the
    /// module's (`NestFactory`, `AppModule`), for finding root modules.
    pub bootstraps: Vec<(String, String)>,
    /// Top-level `const A = B...` (also `let`/`var`): each name and the
    /// identifier its value starts with (`B` of `B.forRoot()`; `None` for
    /// anything else, such as an array).
    pub consts: Vec<(String, Option<String>)>,
    /// Top-level `const A = [...]` (or a conditional of arrays): what each
    /// may hold, for a module list that spreads it (`...A`).
    pub const_lists: Vec<(String, Listed)>,
    /// `Test.createTestingModule({...})` calls (from `@nestjs/testing`).
    pub testing_modules: Vec<TestingModule>,
    /// `new X(...)` expressions whose callee is a plain name, or a name of
    /// a namespace import (`new ns.X(...)`).
    pub constructions: Vec<Construction>,
    /// Provider objects with a `useFactory` function (`{ provide: X,
    /// useFactory: (a) => new X(a), inject: [A] }`), anywhere in the file.
    pub factories: Vec<Factory>,
}

impl FileModel {
    /// Class `id` of this file.
    pub fn class(&self, id: ClassId) -> Option<&ClassModel> {
        self.classes.get(id.index())
    }

    /// The ids of this file's classes, in source order.
    pub fn class_ids(
        &self,
    ) -> impl DoubleEndedIterator<Item = ClassId> + ExactSizeIterator + Clone + use<> {
        ClassId::all(self.classes.len())
    }

    /// This file's classes with their ids, in source order.
    pub fn classes_with_ids(&self) -> impl Iterator<Item = (ClassId, &ClassModel)> {
        self.class_ids().zip(&self.classes)
    }

    /// The id of the first class that `matches`.
    pub fn find_class(&self, matches: impl FnMut(&ClassModel) -> bool) -> Option<ClassId> {
        self.classes.iter().position(matches).map(ClassId::new)
    }

    /// Gives back the spare capacity of its lists (they were grown by
    /// pushing, and every parsed file's model lives until the run ends).
    pub fn shrink(&mut self) {
        self.imports.shrink_to_fit();
        self.classes.shrink_to_fit();
        self.local_types.shrink_to_fit();
        self.exports.shrink_to_fit();
        self.reexports.shrink_to_fit();
        self.import_uses.shrink_to_fit();
        self.bootstraps.shrink_to_fit();
        self.consts.shrink_to_fit();
        self.const_lists.shrink_to_fit();
        self.testing_modules.shrink_to_fit();
        self.constructions.shrink_to_fit();
        self.factories.shrink_to_fit();
        for class in &mut self.classes {
            class.decorators.shrink_to_fit();
            class.properties.shrink_to_fit();
            class.methods.shrink_to_fit();
            for method in &mut class.methods {
                method.decorators.shrink_to_fit();
                method.this_members.shrink_to_fit();
                method.job_calls.shrink_to_fit();
                method.member_calls.shrink_to_fit();
            }
        }
    }
}

/// A `new X(...)` expression.
#[derive(Debug, Clone)]
pub struct Construction {
    /// The callee as written (`X`, `ns.X`).
    pub class: String,
    /// What the callee names: `X`, or `X` of the namespace `ns`.
    pub callee: Callee,
    /// How many arguments it passes (`None` when one is spread).
    pub args: Option<usize>,
    /// `new` to the end of the expression.
    pub range: Range<usize>,
    /// Each argument, in order.
    pub arg_ranges: Vec<Range<usize>>,
    /// Offsets of `(` and `)` (none for `new X` without parentheses).
    pub parens: Option<(usize, usize)>,
    /// Written inside a `describe`/`it`/`test` (or `before*`/`after*`)
    /// callback: a test builds it, and a stand-in may be passed.
    pub in_test: bool,
    /// The innermost `useFactory` function it is written in (index into
    /// [`FileModel::factories`]).
    pub factory: Option<usize>,
}

/// A provider object whose `useFactory` is an arrow or function expression:
/// what the fix that passes the lock service through a factory needs.
#[derive(Debug, Clone)]
pub struct Factory {
    /// The function, from its first byte to its last.
    pub range: Range<usize>,
    /// Each parameter (with its type annotation) and its name when it is a
    /// plain identifier.
    pub params: Vec<(Range<usize>, Option<String>)>,
    /// How many parameters come before the first optional (`c?: C`),
    /// defaulted (`c = x`) or rest one (all of them when there is none): a
    /// required parameter added after one of those does not compile (TS1016).
    pub required: usize,
    /// Its last parameter is a rest one (`...more: X[]`): nothing can be
    /// added in front of it that `inject` would line up with.
    pub rest: bool,
    /// Offsets of the `(` and `)` around the parameters (none for `a => ...`).
    pub parens: Option<(usize, usize)>,
    /// The `inject` property, when present.
    pub inject: Option<ModuleList>,
}

/// A `Test.createTestingModule({ providers: [...], imports: [...] })` call.
#[derive(Debug, Clone)]
pub struct TestingModule {
    /// `Test.createTestingModule`: where findings point.
    pub callee: Range<usize>,
    /// The object literal argument.
    pub metadata: ObjectArg,
}

impl FileModel {
    /// The name `local` has in the module it is imported from: the
    /// exported name of a named import (`import { A as local }` gives `A`),
    /// else `local` itself.
    pub fn imported_name<'a>(&'a self, local: &'a str) -> &'a str {
        self.imports
            .iter()
            .flat_map(|i| &i.named)
            .find(|n| n.local == local)
            .map_or(local, |n| n.imported.as_str())
    }
}

/// One `import` declaration.
#[derive(Debug, Clone)]
pub struct Import {
    /// The whole declaration, `import` to `;` (or the end of the string).
    pub range: Range<usize>,
    /// The module specifier, unquoted.
    pub source: String,
    /// The quote character the specifier is written with.
    pub quote: char,
    /// `import type { ... }`.
    pub type_only: bool,
    /// The range of `type` plus the whitespace after it, for `import type`.
    pub type_keyword: Option<Range<usize>>,
    /// `import X from`.
    pub default: Option<String>,
    /// `import * as X from`.
    pub namespace: Option<String>,
    /// The names inside `{ ... }`.
    pub named: Vec<NamedImport>,
    /// Offsets of `{` and `}` when the declaration has a named list.
    pub braces: Option<(usize, usize)>,
}

/// One name of an import's `{ ... }` list.
#[derive(Debug, Clone)]
pub struct NamedImport {
    /// The specifier, `type` modifier included.
    pub range: Range<usize>,
    /// The name the file uses.
    pub local: String,
    /// The name the module exports.
    pub imported: String,
    /// `{ type X }`.
    pub type_only: bool,
}

/// `export { local as exported }` or an exported declaration.
#[derive(Debug, Clone)]
pub struct Export {
    /// Name inside this file.
    pub local: String,
    /// Name seen by importers (`default` for a default export).
    pub exported: String,
}

/// `export * from 'x'` (`names` is `None`) or `export { a as b } from 'x'`.
#[derive(Debug, Clone)]
pub struct ReExport {
    /// Module specifier.
    pub source: String,
    /// `(exported, original)` pairs.
    pub names: Option<Vec<(String, String)>>,
}

/// How a decorator or base class names what it uses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Callee {
    /// `@Name(...)` / `extends Name`.
    Ident(String),
    /// `@ns.Name(...)` / `extends ns.Name`.
    Member {
        /// The object (`ns`).
        object: String,
        /// The property (`Name`).
        property: String,
    },
    /// Anything else (`extends Mixin(Base)`, `@a.b.c()`).
    Other,
}

/// One decorator as written.
#[derive(Debug, Clone)]
pub struct Decorator {
    /// `@` to the end of the decorator.
    pub range: Range<usize>,
    /// What the decorator calls.
    pub callee: Callee,
    /// The callee expression (`Cron`, `ns.Cron`).
    pub callee_range: Range<usize>,
    /// The first argument, when it is an object literal (`@Module({...})`).
    pub object_arg: Option<ObjectArg>,
}

/// An object-literal argument of a decorator, as far as `@Module` needs it.
#[derive(Debug, Clone)]
pub struct ObjectArg {
    /// `{` to `}`.
    pub range: Range<usize>,
    /// Each property of the literal.
    pub props: Vec<Range<usize>>,
    /// The `imports` property, when present.
    pub imports: Option<ModuleList>,
    /// The `providers` property, when present.
    pub providers: Option<ModuleList>,
    /// The `controllers` property, when present.
    pub controllers: Option<ModuleList>,
    /// The `exports` property, when present.
    pub exports: Option<ModuleList>,
}

/// A list property of `@Module({...})` (`imports`, `providers`, ...).
#[derive(Debug, Clone)]
pub struct ModuleList {
    /// The property's value.
    pub range: Range<usize>,
    /// Offsets of `[` and `]` when the value is an array literal.
    pub brackets: Option<(usize, usize)>,
    /// Each element that is not a spread, and the identifier it starts with
    /// (`X`, `X.forRoot()`, `forwardRef(() => X)`, `{ provide: X }` gives none).
    pub elements: Vec<(Range<usize>, Option<String>)>,
    /// The value is not an array literal, or holds spread elements
    /// (`...(flag ? [X] : [])`): what it lists is not all in `elements`.
    pub unreadable: bool,
    /// The spread elements, in order (for `imports`: see
    /// [`crate::modules`], which reads them branch by branch).
    pub spreads: Vec<Spread>,
    /// Indices into `elements` of provider objects that stand in for the
    /// token they provide (`{ provide: X, useValue: ... }`, `useFactory`,
    /// `useExisting`, `useClass: Other`): Nest does not build `X` itself.
    pub stand_ins: Vec<usize>,
    /// Indices into `elements` of those written `ns.X` (its head is `ns`),
    /// with `X`: a class named through a namespace import.
    pub members: Vec<(usize, String)>,
}

impl ModuleList {
    /// What each element that is not a spread names, by index: `X` for an
    /// element starting with `X`, `X` of `ns` for `ns.X` (see
    /// [`ModuleList::members`]).
    pub fn callees(&self) -> impl Iterator<Item = (usize, Callee)> + '_ {
        self.elements
            .iter()
            .enumerate()
            .filter_map(|(i, (_, head))| {
                let head = head.clone()?;
                Some((
                    i,
                    match self.members.iter().find(|(m, _)| *m == i) {
                        Some((_, property)) => Callee::Member {
                            object: head,
                            property: property.clone(),
                        },
                        None => Callee::Ident(head),
                    },
                ))
            })
    }
}

/// A list element that is not a spread, and the identifier it starts with.
pub type Element = (Range<usize>, Option<String>);

/// A spread element `...value` of a list.
#[derive(Debug, Clone)]
pub struct Spread {
    /// From `...` to the end of the value.
    pub range: Range<usize>,
    /// What the value may hold.
    pub value: Listed,
}

/// What an array-valued expression may hold, read without running it. A
/// module list built at run time is most often a choice between array
/// literals (`...(isDesktop() ? [] : [BullModule.registerQueue(...)])`): each
/// branch is read, and the condition kept to say when it applies.
#[derive(Debug, Clone)]
pub enum Listed {
    /// An array literal: each element that is not a spread, with the
    /// identifier it starts with (as [`ModuleList::elements`]), and its spreads.
    Array {
        /// The plain elements.
        elements: Vec<(Range<usize>, Option<String>)>,
        /// The spread elements.
        spreads: Vec<Spread>,
    },
    /// One of several values (`c ? a : b`, `c && a`, `a || b`, `a ?? b`),
    /// each with the condition under which it is the one, in words
    /// (`` `isDesktop()` is false ``).
    Branches(Vec<(String, Listed)>),
    /// A name: a `const` array of this file or an imported one.
    Name(String),
    /// Anything else (a call, a parameter...): why it cannot be read.
    Unreadable(String),
}

/// A class declaration or expression.
#[derive(Debug, Clone)]
pub struct ClassModel {
    /// The class name, `None` for `export default class {}`.
    pub name: Option<String>,
    /// Where findings about the class point: its name, else the `class` keyword.
    pub anchor: usize,
    /// Offset of the `{` opening the body.
    pub body_open: Option<usize>,
    /// `extends ...`.
    pub super_class: Option<Callee>,
    /// Decorators on the class itself.
    pub decorators: Vec<Decorator>,
    /// The constructor, if declared.
    pub constructor: Option<Constructor>,
    /// Property declarations.
    pub properties: Vec<Property>,
    /// Methods, with their decorators.
    pub methods: Vec<Method>,
    /// Where the first member starts.
    pub first_member_start: Option<usize>,
    /// `declare class`: an ambient declaration with no code behind it.
    pub is_declare: bool,
    /// The body holds an object literal with `global: true` (a dynamic
    /// module made global by `forRoot`).
    pub sets_global: bool,
}

/// A constructor and where its parameter list is.
#[derive(Debug, Clone)]
pub struct Constructor {
    /// Offsets of `(` and `)`; `None` if they could not be found.
    pub parens: Option<(usize, usize)>,
    /// The parameters.
    pub params: Vec<Param>,
    /// The `super(...)` call among the body's statements, if any.
    pub super_call: Option<SuperCall>,
    /// Jobs the body schedules on a member (`this.registry.addCronJob(...)`).
    pub job_calls: Vec<JobCall>,
}

/// `this.<member>.addCronJob(...)`, `addInterval(...)` or `addTimeout(...)`:
/// a job scheduled in code, if `<member>` is a `SchedulerRegistry`.
#[derive(Debug, Clone)]
pub struct JobCall {
    /// The member the method is called on.
    pub member: String,
    /// `addCronJob`, `addInterval` or `addTimeout`.
    pub method: String,
    /// From `this` to the end of the method name.
    pub range: Range<usize>,
}

/// A `super(...)` call in a constructor.
#[derive(Debug, Clone)]
pub struct SuperCall {
    /// Offset of `)` closing the arguments.
    pub close: usize,
    /// Each argument; `None` for the whole list when one is spread.
    pub args: Option<Vec<Range<usize>>>,
    /// Each argument's name when it is a plain identifier.
    pub arg_names: Vec<Option<String>>,
}

/// One constructor parameter.
#[derive(Debug, Clone)]
pub struct Param {
    /// The whole parameter, decorators included.
    pub range: Range<usize>,
    /// Where the binding starts (after decorators and modifiers).
    pub binding_start: usize,
    /// Where modifiers would go (after decorators).
    pub modifiers_start: usize,
    /// The bound name, when the binding is a plain identifier.
    pub name: Option<String>,
    /// Has `private`/`protected`/`public`/`readonly`: it becomes a property.
    pub is_property: bool,
    /// `x?: T`.
    pub optional: bool,
    /// `x = value`.
    pub has_default: bool,
    /// `...x`.
    pub rest: bool,
    /// Parameter decorators (`@Inject(X)`, `@Optional()`).
    pub decorators: Vec<Decorator>,
    /// The type's name when the annotation is a plain type reference.
    pub type_name: Option<String>,
}

/// A class property declaration.
#[derive(Debug, Clone)]
pub struct Property {
    /// The whole declaration, decorators included.
    pub range: Range<usize>,
    /// The property name, for identifier and string keys.
    pub name: Option<String>,
    /// `x?: T`.
    pub optional: bool,
    /// `static x`.
    pub is_static: bool,
    /// Property decorators.
    pub decorators: Vec<Decorator>,
    /// The type's name when the annotation is a plain type reference.
    pub type_name: Option<String>,
}

/// A method and what it reads from `this`.
#[derive(Debug, Clone)]
pub struct Method {
    /// The method name (`None` for computed keys).
    pub name: Option<String>,
    /// Method decorators.
    pub decorators: Vec<Decorator>,
    /// Property names read as `this.<name>` in the body.
    pub this_members: Vec<swc_atoms::Atom>,
    /// Jobs the body schedules on a member.
    pub job_calls: Vec<JobCall>,
    /// `this.<member>.<method>(...)` calls in the body, callbacks included,
    /// as (member, method): a configured `[[lock-call]]` among them locks
    /// the job.
    pub member_calls: Vec<(swc_atoms::Atom, swc_atoms::Atom)>,
}

/// Whether `class` declares a member named one of `names` that ends up on
/// `this`: a parameter property, or a property injected with `@Inject`.
pub fn declares_member(class: &ClassModel, names: &[&str]) -> bool {
    let param = class
        .constructor
        .iter()
        .flat_map(|c| &c.params)
        .any(|p| p.is_property && p.name.as_deref().is_some_and(|n| names.contains(&n)));
    let property = class.properties.iter().any(|p| {
        p.name.as_deref().is_some_and(|n| names.contains(&n))
            && has_decorator(&p.decorators, "Inject")
    });
    param || property
}

/// Whether one of `decorators` is called `name` (directly or as `ns.name`).
pub fn has_decorator(decorators: &[Decorator], name: &str) -> bool {
    decorators.iter().any(|d| match &d.callee {
        Callee::Ident(n) => n == name,
        Callee::Member { property, .. } => property == name,
        Callee::Other => false,
    })
}

/// Builds the model of a parsed module. `base` is added to every span offset
/// (the BOM's length).
pub fn build(module: &ast::Module, text: &str, base: usize) -> FileModel {
    let builder = Builder { text, base };
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
    let facts = ModuleFacts::of(module, &model.imports, &builder);
    model.import_uses = facts.import_uses;
    model.bootstraps = facts.bootstraps;
    model.testing_modules = facts.testing_modules;
    model.constructions = facts.constructions;
    model.factories = facts.use_factories;
    model
}

/// The model of a parsed file.
pub fn build_model(module: &swc_ecma_ast::Module, source: &SourceText) -> FileModel {
    let mut model = build(module, source.text(), source.bom_len());
    model.shrink();
    model
}

/// What one walk over a module's statements (its imports aside) finds:
/// references to imported names, `new X(...)` expressions,
/// `NestFactory.create(AppModule)` bootstraps and
/// `Test.createTestingModule({...})` calls. One walk, not one per fact: the
/// walks were about half the time spent building models.
struct ModuleFacts<'b, 't> {
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
    fn of(module: &ast::Module, imports: &[Import], builder: &'b Builder<'t>) -> Self {
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

/// How deep nested spreads and conditionals are read.
const MAX_LIST_DEPTH: usize = 16;

/// How much of a condition a message quotes.
const MAX_CONDITION_CHARS: usize = 60;

struct Builder<'a> {
    text: &'a str,
    base: usize,
}

impl Builder<'_> {
    fn range(&self, span: Span) -> Range<usize> {
        let r = span_range(span);
        (r.start + self.base).min(self.text.len())..(r.end + self.base).min(self.text.len())
    }

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

    fn class(&self, class: &ast::Class, ident: Option<&ast::Ident>) -> ClassModel {
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

    fn object_arg(&self, object: &ast::ObjectLit) -> ObjectArg {
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

    fn module_list(&self, value: &ast::Expr) -> ModuleList {
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
    fn parens(&self, from: usize, end: usize) -> Option<(usize, usize)> {
        let open = crate::style::skip_trivia(self.text, from);
        let close = end.checked_sub(1)?;
        let bytes = self.text.as_bytes();
        (bytes.get(open) == Some(&b'(') && bytes.get(close) == Some(&b')')).then_some((open, close))
    }

    /// The factory provider `object` is, when its `useFactory` is a
    /// function written in place.
    fn factory(&self, object: &ast::ObjectLit) -> Option<Factory> {
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
    fn listed(&self, expr: &ast::Expr, depth: usize) -> Listed {
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

/// The identifier an `imports` element starts with: `X`, `X.forRoot(...)`,
/// `X.register()`, `X` of `forwardRef(() => X)`, and of a provider written
/// `{ provide: X, ... }`.
fn head_ident(expr: &ast::Expr) -> Option<String> {
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
fn namespace_member(expr: &ast::Expr) -> Option<String> {
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

fn expr_callee(expr: &ast::Expr) -> Callee {
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
fn exported_names(decl: &ast::Decl) -> Vec<String> {
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

fn decl_name(decl: &ast::Decl) -> Option<String> {
    match decl {
        ast::Decl::Class(c) => Some(c.ident.sym.to_string()),
        ast::Decl::TsInterface(i) => Some(i.id.sym.to_string()),
        ast::Decl::TsTypeAlias(t) => Some(t.id.sym.to_string()),
        ast::Decl::TsEnum(e) => Some(e.id.sym.to_string()),
        _ => None,
    }
}

fn prop_name(key: &ast::PropName) -> Option<String> {
    match key {
        ast::PropName::Ident(ident) => Some(ident.sym.to_string()),
        ast::PropName::Str(s) => Some(atom_string(&s.value)),
        _ => None,
    }
}

fn export_name(name: &ast::ModuleExportName) -> String {
    match name {
        ast::ModuleExportName::Ident(ident) => ident.sym.to_string(),
        ast::ModuleExportName::Str(s) => atom_string(&s.value),
    }
}

fn atom_string(value: &swc_atoms::Wtf8Atom) -> String {
    value.to_string_lossy().into_owned()
}

/// The name of a plain type reference annotation (`: DistributedLockService`).
fn type_name(annotation: &ast::TsTypeAnn) -> Option<String> {
    match &*annotation.type_ann {
        ast::TsType::TsTypeRef(reference) => match &reference.type_name {
            ast::TsEntityName::Ident(ident) => Some(ident.sym.to_string()),
            ast::TsEntityName::TsQualifiedName(q) => Some(q.right.sym.to_string()),
        },
        _ => None,
    }
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

/// A parameter's name when it is a plain identifier (`a`, `a: T`, `a = 1`).
fn pat_name(pat: &ast::Pat) -> Option<String> {
    match pat {
        ast::Pat::Ident(binding) => Some(binding.id.sym.to_string()),
        ast::Pat::Assign(assign) => pat_name(&assign.left),
        _ => None,
    }
}

impl std::ops::Index<crate::ids::ClassId> for Vec<ClassModel> {
    type Output = ClassModel;

    fn index(&self, id: crate::ids::ClassId) -> &Self::Output {
        &self[id.index()]
    }
}
