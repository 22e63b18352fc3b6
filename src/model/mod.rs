//! What cronlock needs to know about one file, pulled out of the swc AST once.
//!
//! The model holds names and byte ranges (offsets into the file's original
//! text, BOM included) and nothing of the AST itself, so that rules and fixes
//! work on small plain data and the AST can be dropped right after parsing.
//! Nothing here is judged yet: which decorator is a lock decorator depends on
//! the configuration and on the package, and is decided in `semantic`.

mod build;
mod builder;
mod class;
mod facts;
mod lists;
mod names;

use std::ops::Range;

use crate::ids::ClassId;

pub use build::{build, build_model};

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

impl std::ops::Index<crate::ids::ClassId> for Vec<ClassModel> {
    type Output = ClassModel;

    fn index(&self, id: crate::ids::ClassId) -> &Self::Output {
        &self[id.index()]
    }
}
