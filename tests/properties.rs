//! Property tests of the fix on generated classes: random constructor shapes
//! (0 to 8 parameters with random modifiers, decorators, optional / default /
//! rest, comments, trailing comma, one line or many), LF or CRLF, spaces or
//! tabs, BOM or not, and single-line / multi-line / namespace imports.
//! Cases: 10,000 by default (`PROPTEST_CASES` overrides).

mod common;

use cronlock::config::Config;
use cronlock::engine::{RuleFilter, fix_project};
use cronlock::model::{self, FileModel};
use cronlock::parse::parse_module;
use cronlock::project::Project;
use cronlock::source::SourceText;
use proptest::prelude::*;

#[derive(Debug, Clone)]
struct ParamSpec {
    modifier: &'static str,
    decorator: &'static str,
    kind: u8, // 0 plain, 1 optional, 2 default
    comment_before: bool,
    comment_after: bool,
}

#[derive(Debug, Clone)]
struct ClassSpec {
    params: Vec<ParamSpec>,
    rest: bool,
    constructor: u8, // 0 none, 1 params
    multiline: bool,
    trailing_comma: bool,
    crlf: bool,
    tabs: bool,
    bom: bool,
    import_style: u8, // 0 single-line, 1 multi-line, 2 multi-line trailing comma, 3 namespace
    other_imports: bool,
    field: bool,
}

fn param() -> impl Strategy<Value = ParamSpec> {
    (
        prop::sample::select(vec![
            "",
            "private ",
            "protected ",
            "public ",
            "readonly ",
            "private readonly ",
        ]),
        prop::sample::select(vec!["", "@Inject(TOKEN) ", "@Optional() "]),
        0u8..3,
        any::<bool>(),
        any::<bool>(),
    )
        .prop_map(
            |(modifier, decorator, kind, comment_before, comment_after)| ParamSpec {
                modifier,
                decorator,
                kind,
                comment_before,
                comment_after,
            },
        )
}

fn class_spec() -> impl Strategy<Value = ClassSpec> {
    (
        prop::collection::vec(param(), 0..=8),
        any::<bool>(),
        0u8..2,
        any::<bool>(),
        any::<bool>(),
        (any::<bool>(), any::<bool>(), any::<bool>()),
        0u8..4,
        any::<bool>(),
        any::<bool>(),
    )
        .prop_map(
            |(
                params,
                rest,
                constructor,
                multiline,
                trailing_comma,
                (crlf, tabs, bom),
                import_style,
                other_imports,
                field,
            )| {
                ClassSpec {
                    params,
                    rest,
                    constructor,
                    multiline,
                    trailing_comma,
                    crlf,
                    tabs,
                    bom,
                    import_style,
                    other_imports,
                    field,
                }
            },
        )
}

/// Renders the class. Once an optional or defaulted parameter appears, the
/// rest stay optional too, so that the input is valid TypeScript.
fn render(spec: &ClassSpec) -> String {
    let indent = if spec.tabs { "\t" } else { "  " };
    let mut out = String::new();
    if spec.other_imports {
        out.push_str("import { Injectable, Inject, Optional } from '@nestjs/common';\n");
    }
    let decorator = match spec.import_style {
        0 => {
            out.push_str("import { ClusterSafeCron, Lock } from '@acme/cluster-lock';\n");
            "ClusterSafeCron"
        }
        1 => {
            out.push_str("import {\n  ClusterSafeCron,\n  Lock\n} from '@acme/cluster-lock';\n");
            "ClusterSafeCron"
        }
        2 => {
            out.push_str("import {\n  ClusterSafeCron,\n  Lock,\n} from '@acme/cluster-lock';\n");
            "ClusterSafeCron"
        }
        _ => {
            out.push_str("import * as lock from '@acme/cluster-lock';\n");
            "lock.ClusterSafeCron"
        }
    };
    out.push_str("\n// a comment before the class: 中文 😀\nexport class Job {\n");
    if spec.field {
        out.push_str(&format!(
            "{indent}private readonly started = Date.now();\n\n"
        ));
    }
    if spec.constructor == 1 || !spec.params.is_empty() || spec.rest {
        let mut items = Vec::new();
        let mut optional_seen = false;
        for (i, p) in spec.params.iter().enumerate() {
            let mut kind = p.kind;
            if optional_seen && kind == 0 {
                kind = 1;
            }
            optional_seen |= kind != 0;
            let mut item = String::new();
            if p.comment_before {
                item.push_str("/* before */ ");
            }
            item.push_str(p.decorator);
            item.push_str(p.modifier);
            match kind {
                1 => item.push_str(&format!("p{i}?: Dep{i}")),
                2 => item.push_str(&format!("p{i}: number = {i}")),
                _ => item.push_str(&format!("p{i}: Dep{i}")),
            }
            items.push((item, p.comment_after));
        }
        if spec.rest {
            items.push(("...rest: Handler[]".to_string(), false));
        }
        out.push_str(&format!("{indent}constructor("));
        let count = items.len();
        for (i, (item, comment_after)) in items.iter().enumerate() {
            let last = i + 1 == count;
            let comma = if !last || (spec.trailing_comma && spec.multiline && !spec.rest) {
                ","
            } else {
                ""
            };
            if spec.multiline {
                out.push_str(&format!("\n{indent}{indent}{item}{comma}"));
                if *comment_after {
                    out.push_str(" // after");
                }
            } else {
                out.push_str(&format!("{item}{comma}"));
                if *comment_after {
                    out.push_str(" /* after */");
                }
                if !last {
                    out.push(' ');
                }
            }
        }
        if spec.multiline && count > 0 {
            out.push_str(&format!("\n{indent}"));
        }
        out.push_str(") {}\n\n");
    }
    out.push_str(&format!(
        "{indent}@{decorator}('0 * * * *')\n{indent}run() {{}}\n}}\n"
    ));
    let mut text = if spec.crlf {
        out.replace('\n', "\r\n")
    } else {
        out
    };
    if spec.bom {
        text.insert(0, '\u{feff}');
    }
    text
}

fn model_of(text: &str) -> FileModel {
    let source = SourceText::new(text.to_string());
    let module = parse_module(source.code()).expect("fixed text parses");
    model::build(&module, source.text(), source.bom_len())
}

fn fix(text: &str) -> (String, usize) {
    let mut project = Project::from_texts(
        vec![("src/job.ts".to_string(), text.to_string())],
        Config::default(),
    );
    let outcome = fix_project(&mut project, &RuleFilter::default());
    assert!(outcome.failures.is_empty(), "{:?}", outcome.failures);
    let fixed = project
        .source(cronlock::ids::FileId::new(0))
        .expect("source")
        .text()
        .to_string();
    (fixed, outcome.remaining.findings.len())
}

fn check_properties(spec: &ClassSpec) {
    let text = render(spec);
    let (fixed, remaining) = fix(&text);
    assert_eq!(remaining, 0, "findings remain after fix:\n{fixed}");
    let new = model_of(&fixed);

    // Exactly one lockService member, a property, before any optional/default/rest.
    let ctor = new.classes[0].constructor.as_ref().expect("a constructor");
    let positions: Vec<usize> = ctor
        .params
        .iter()
        .enumerate()
        .filter(|(_, p)| p.name.as_deref() == Some("lockService"))
        .map(|(i, _)| i)
        .collect();
    assert_eq!(positions.len(), 1, "{fixed}");
    assert!(ctor.params[positions[0]].is_property);
    if let Some(first_optional) = ctor
        .params
        .iter()
        .position(|p| p.optional || p.has_default || p.rest)
    {
        assert!(positions[0] < first_optional, "{fixed}");
    }

    // DistributedLockService imported exactly once, as a value.
    let imports: Vec<_> = new
        .imports
        .iter()
        .flat_map(|i| i.named.iter().map(move |n| (i, n)))
        .filter(|(_, n)| n.imported == "DistributedLockService")
        .collect();
    assert_eq!(imports.len(), 1, "{fixed}");
    assert!(!imports[0].0.type_only && !imports[0].1.type_only);

    // Line endings, BOM and untouched lines.
    if spec.crlf {
        assert_eq!(
            fixed.matches('\n').count(),
            fixed.matches("\r\n").count(),
            "{fixed:?}"
        );
    } else {
        assert!(!fixed.contains('\r'));
    }
    assert_eq!(fixed.starts_with('\u{feff}'), spec.bom);
    if let Err(line) = common::changes_only_constructors_and_imports(&text, &fixed) {
        panic!("{line}:\n{text}\n---\n{fixed}");
    }

    // A second fix is a no-op.
    let (again, _) = fix(&fixed);
    assert_eq!(again, fixed);
}

fn cases() -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(10_000)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(), failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn fixing_generated_classes_keeps_every_promise(spec in class_spec()) {
        check_properties(&spec);
    }
}
