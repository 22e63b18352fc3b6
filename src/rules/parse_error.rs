//! parse-error: the file could not be parsed.

use super::{Finding, Rule, RuleDoc};
use crate::ids::FileId;
use crate::parse::SyntaxError;

/// Documentation.
pub const DOC: RuleDoc = RuleDoc {
    fix_title: "",
    summary: "the file could not be parsed; it is reported, never edited, and scanning goes on",
    why: "cronlock cannot tell what a file it cannot parse declares, so a class in it may crash in \
cluster mode unseen. It never edits such a file. Code nested more than about 1000 levels deep \
(generated or adversarial input) is reported the same way rather than parsed, so that no file can \
overflow the parser's stack.",
    before: "export class Broken {\n  @ClusterSafeCron('* * * * *')\n  run() {\n}",
    after: "export class Broken {\n  @ClusterSafeCron('* * * * *')\n  run() {}\n}",
    fix: "Not fixed automatically: correct the syntax, then run cronlock again.",
};

/// The finding for a file that did not parse.
pub fn finding(file: FileId, error: &SyntaxError) -> Finding {
    Finding::new(
        Rule::ParseError,
        file,
        error.offset..error.offset,
        if error.timed_out {
            error.message.clone()
        } else {
            format!("could not parse the file: {}", error.message)
        },
    )
}

#[cfg(test)]
mod tests {
    use crate::rules::{Rule, Tester};

    const JOB: &str = "import { Injectable } from '@nestjs/common';
import { ClusterSafeCron, DistributedLockService } from '@acme/cluster-lock';

@Injectable()
export class ReportJob<T extends object = object> {
  constructor(private readonly lockService: DistributedLockService) {}

  @ClusterSafeCron('0 * * * *')
  async run(): Promise<T | undefined> {
    const options = { name: 'report' } satisfies Record<string, string>;
    return undefined as T | undefined;
  }
}
";

    #[test]
    fn parse_error() {
        Tester::new(Rule::ParseError)
            .pass(&[("src/report.job.ts", JOB)])
            .pass(&[
                ("src/report.job.ts", JOB),
                (
                    "src/enum.ts",
                    "export enum Kind { Daily = 'daily' }\nexport type Of<T> = T[];\n",
                ),
            ])
            // The method's body is never closed.
            .fail(
                &[(
                    "src/report.job.ts",
                    &JOB.replace("    return undefined as T | undefined;\n  }\n", ""),
                )],
                &[("src/report.job.ts", 12, "could not parse the file")],
            )
            .fail(
                &[
                    ("src/report.job.ts", JOB),
                    (
                        "src/broken.job.ts",
                        &JOB.replace("constructor(private", "constructor(private private"),
                    ),
                ],
                &[("src/broken.job.ts", 6, "could not parse the file")],
            )
            .test();
    }
}
