//! Reads one condition per line from stdin and prints the parse and type diagnostics
//! (source `syscall`, with libsinsp's mock `c.*` test fields). For quick experiments:
//! `echo 'evt.num contains 1' | cargo run -p falco-typeck --example dump`.

use falco_schema::Schema;
use falco_typeck::{Context, MockFields, check_condition};

fn main() {
    let resolver = MockFields::new(Schema::get()).with_libsinsp_test_fields();
    let ctx = Context::new(&resolver, "syscall");
    for line in std::io::stdin().lines().map_while(Result::ok) {
        let (expr, errors) = falco_condition::parse_condition(&line);
        let (_typed, diagnostics) = check_condition(&expr, &ctx);
        println!("{line}");
        for error in errors {
            println!(
                "   {} {} @{}",
                error.code.as_str(),
                error.message,
                error.span
            );
        }
        for d in diagnostics {
            let label = d.label.unwrap_or_default();
            let help = d.help.unwrap_or_default();
            println!(
                "   {} {} @{} [{label}] help: {help}",
                d.code.as_str(),
                d.message,
                d.span
            );
        }
    }
}
