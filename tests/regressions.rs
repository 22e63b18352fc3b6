//! Inputs the fuzzer found; each must be handled without a panic.

mod common;

#[test]
fn fuzz_reproducers_do_not_panic() {
    let dir = common::root().join("tests/regressions");
    let mut count = 0;
    for entry in std::fs::read_dir(&dir)
        .expect("tests/regressions exists")
        .filter_map(Result::ok)
    {
        let work = tempfile::tempdir().expect("temp dir");
        std::fs::copy(entry.path(), work.path().join("input.ts")).expect("copy");
        for args in [
            &["check", "."][..],
            &["fix", "--dry-run", "."],
            &["fix", "."],
        ] {
            let run = common::cronlock(work.path(), args);
            assert!(
                !run.stderr.contains("panicked"),
                "{} panicked on {}: {}",
                args.join(" "),
                entry.path().display(),
                run.stderr
            );
            assert!(run.code >= 0 && run.code <= 2, "{}", run.stderr);
        }
        count += 1;
    }
    assert!(count > 0);
}

#[test]
fn a_parser_crash_is_a_parse_error_in_process() {
    for name in ["swc-enum-debug-assert.bin", "swc-eof-debug-assert.bin"] {
        let bytes =
            std::fs::read(common::root().join("tests/regressions").join(name)).expect("reproducer");
        let text = String::from_utf8_lossy(&bytes);
        // Debug assertions are on in tests, so swc's assertion fires here; it
        // must come back as an error, and the fix engine must not panic either.
        assert!(cronlock::parse::parse_module(&text).is_err(), "{name}");
        let mut project = cronlock::project::Project::from_texts(
            vec![("input.ts".to_string(), text.into_owned())],
            cronlock::config::Config::default(),
        );
        let outcome =
            cronlock::engine::fix_project(&mut project, &cronlock::engine::RuleFilter::default());
        assert!(outcome.originals.is_empty(), "{name}");
    }
}

#[test]
fn an_ambient_declare_class_is_never_given_a_constructor() {
    let text = std::fs::read_to_string(common::root().join("tests/regressions/declare-class.ts"))
        .expect("reproducer");
    let mut project = cronlock::project::Project::from_texts(
        vec![("src/jobs.ts".to_string(), text)],
        cronlock::config::Config::default(),
    );
    let outcome =
        cronlock::engine::fix_project(&mut project, &cronlock::engine::RuleFilter::default());
    assert!(outcome.failures.is_empty(), "{:?}", outcome.failures);
    assert!(outcome.originals.is_empty());
    assert!(outcome.remaining.findings.is_empty());
}

#[test]
fn a_new_first_import_goes_above_the_class_decorators() {
    let text = std::fs::read_to_string(
        common::root().join("tests/regressions/import-before-class-decorator.ts"),
    )
    .expect("reproducer");
    let config = cronlock::config::Config {
        import_source: Some("@acme/cluster-lock".to_string()),
        ..Default::default()
    };
    let mut project =
        cronlock::project::Project::from_texts(vec![("src/jobs.ts".to_string(), text)], config);
    let outcome =
        cronlock::engine::fix_project(&mut project, &cronlock::engine::RuleFilter::default());
    assert!(outcome.failures.is_empty(), "{:?}", outcome.failures);
    let fixed = project
        .source(cronlock::ids::FileId::new(0))
        .expect("source")
        .text();
    let import = fixed
        .find("import { DistributedLockService } from '@acme/cluster-lock';")
        .expect("import added");
    assert!(
        import < fixed.find("@Injectable()").expect("decorator kept"),
        "{fixed}"
    );
}

/// Deeply nested code, in every shape that makes swc recurse (generated),
/// and every fuzz find, in-process as the fuzz target runs them. A stack overflow aborts the whole
/// process, so these run in-process, on a thread with a deliberately small
/// stack: the parser must bring its own.
#[test]
fn deep_nesting_never_overflows_the_stack() {
    // Every fuzz find, as the fuzz target saw it (NUL bytes and all).
    let mut inputs: Vec<(String, String)> =
        std::fs::read_dir(common::root().join("tests/regressions"))
            .expect("tests/regressions exists")
            .filter_map(Result::ok)
            .map(|entry| {
                let bytes = std::fs::read(entry.path()).expect("reproducer");
                let name = entry.file_name().to_string_lossy().into_owned();
                (name, String::from_utf8_lossy(&bytes).into_owned())
            })
            .collect();
    assert!(
        inputs
            .iter()
            .filter(|(name, _)| name.starts_with("stack-overflow"))
            .count()
            >= 5
    );
    for levels in [3_000, 300_000] {
        let shapes = [
            (
                "parens",
                format!("{}1{}", "(".repeat(levels), ")".repeat(levels)),
            ),
            ("unary", format!("{}x", "!".repeat(levels))),
            ("ternary", format!("{}2", "x ? 1 : ".repeat(levels))),
            ("arrows", format!("{}1", "a => ".repeat(levels))),
            (
                "objects",
                format!("{}1{}", "{ a: ".repeat(levels), " }".repeat(levels)),
            ),
            ("sum", vec!["1"; levels].join(" + ")),
        ];
        for (shape, expr) in shapes {
            let text = format!(
                "import {{ Module }} from '@nestjs/common';\n@Module({{}})\nexport class A {{\n  x = {expr};\n}}\n"
            );
            inputs.push((format!("{shape} x{levels}"), text));
        }
    }
    let worker = std::thread::Builder::new()
        .stack_size(256 << 10)
        .spawn(move || {
            for (name, text) in inputs {
                let parsed = cronlock::parse::with_module(&text, |_| ());
                if name.ends_with("x3000") {
                    assert!(parsed.is_ok(), "{name} is deep but legitimate: {parsed:?}");
                }
                if name.ends_with("x300000") {
                    let error = parsed.expect_err("too deep to parse");
                    assert!(error.message.contains("levels deep"), "{name}: {error:?}");
                }
                let mut project = cronlock::project::Project::from_texts(
                    vec![("input.ts".to_string(), text)],
                    cronlock::config::Config::default(),
                );
                let filter = cronlock::engine::RuleFilter::default();
                let _ = cronlock::engine::analyze(&project, &filter);
                let _ = cronlock::engine::fix_project(&mut project, &filter);
            }
        })
        .expect("spawn");
    assert!(worker.join().is_ok(), "a deep input panicked");
}

/// The binary, on a file nested far too deep: one parse-error finding that
/// says why, no abort.
#[test]
fn the_binary_reports_a_too_deep_file_as_a_parse_error() {
    let work = tempfile::tempdir().expect("temp dir");
    let levels = 200_000;
    let text = format!(
        "import {{ Module }} from '@nestjs/common';\n@Module({{}})\nexport class A {{\n  x = {}1{};\n}}\n",
        "(".repeat(levels),
        ")".repeat(levels)
    );
    std::fs::write(work.path().join("deep.ts"), text).expect("write");
    let run = common::cronlock(work.path(), &["check", "."]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(
        run.stdout.contains("error[parse-error]") && run.stdout.contains("levels deep"),
        "{}",
        run.stdout
    );
}

/// Fuzz find: a non-ASCII identifier right after an import's `{` made the
/// brace search slice inside a character.
#[test]
fn a_non_ascii_import_name_is_stepped_over() {
    let text =
        std::fs::read_to_string(common::root().join("tests/regressions/non-ascii-import-name.ts"))
            .expect("reproducer");
    let work = tempfile::tempdir().expect("temp dir");
    std::fs::write(work.path().join("jobs.ts"), &text).expect("write");
    let run = common::cronlock(work.path(), &["fix", "."]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let fixed = std::fs::read_to_string(work.path().join("jobs.ts")).expect("read");
    assert!(
        fixed.contains(
            "import {ۼ, ClusterSafeCron, DistributedLockService } from '@acme/cluster-lock';"
        ),
        "{fixed}"
    );
}
