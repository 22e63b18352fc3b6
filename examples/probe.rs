use swc_common::Spanned;
use swc_ecma_ast::*;
fn main() {
    let path = std::env::args().nth(1).unwrap();
    let text = std::fs::read_to_string(path).unwrap();
    let m = cronlock::parse::parse_module(&text).unwrap();
    for item in &m.body {
        let r = cronlock::parse::span_range(item.span());
        println!(
            "ITEM {:?} {:?}",
            r,
            &text[r.clone()].chars().take(40).collect::<String>()
        );
        let class = match item {
            ModuleItem::Stmt(Stmt::Decl(Decl::Class(c))) => Some(&c.class),
            ModuleItem::ModuleDecl(ModuleDecl::ExportDecl(ExportDecl {
                decl: Decl::Class(c),
                ..
            })) => Some(&c.class),
            ModuleItem::ModuleDecl(ModuleDecl::ExportDefaultDecl(ExportDefaultDecl {
                decl: DefaultDecl::Class(c),
                ..
            })) => Some(&c.class),
            _ => None,
        };
        if let Some(c) = class {
            let r = cronlock::parse::span_range(c.span);
            println!(
                " CLASS {:?} {:?}",
                r,
                &text[r.clone()].chars().take(30).collect::<String>()
            );
            for m in &c.body {
                if let ClassMember::Constructor(ctor) = m {
                    for p in &ctor.params {
                        let r = cronlock::parse::span_range(p.span());
                        println!("  PARAM {:?} {:?}", r, &text[r.clone()]);
                    }
                }
                if let ClassMember::Method(me) = m {
                    let r = cronlock::parse::span_range(me.span);
                    println!(
                        "  METHOD {:?} {:?}",
                        r,
                        &text[r.clone()].chars().take(30).collect::<String>()
                    );
                }
                if let ClassMember::ClassProp(me) = m {
                    let r = cronlock::parse::span_range(me.span);
                    println!("  PROP {:?} {:?}", r, &text[r.clone()]);
                }
            }
        }
    }
}
