//! `push`, `pull`, `tag`, `keygen` and `sign` against a real registry (docker-registry
//! on 127.0.0.1): the contracts (push prints the manifest digest; `--insecure` allows
//! plain HTTP) and the exit codes.

#[path = "../../crates/falco-registry/tests/support/mod.rs"]
mod docker_registry;

use crate::support::{run_in, scratch};

#[test]
fn push_pull_tag_sign_and_verify() {
    let Some(reg) = docker_registry::Registry::start("cli", &docker_registry::Mode::Plain) else {
        return;
    };
    let dir = scratch();
    std::fs::write(
        dir.join("rules.yaml"),
        "- rule: R\n  desc: d\n  condition: ka.verb = create\n  output: r %ka.user.name\n  priority: WARNING\n  source: k8s_audit\n",
    )
    .expect("rules");
    let run = |args: &[&str]| run_in(&dir, args, &[("FALCO_REGISTRY_USERNAME", "")]);
    assert_eq!(run(&["compile", "rules.yaml", "-o", "rules.frb"]).code, 0);
    let at = reg.reference("rules/cli:1.0.0");

    // Plain HTTP only when asked.
    let refused = run(&["push", "rules.frb", &at]);
    assert_eq!(refused.code, 1, "{}", refused.stderr);
    assert!(
        refused.stderr.contains(&format!("https://{}", reg.addr)),
        "{}",
        refused.stderr
    );

    let pushed = run(&["push", "rules.frb", &format!("oci://{at}"), "--insecure"]);
    assert_eq!(pushed.code, 0, "{}", pushed.stderr);
    let digest = pushed.stdout.trim().to_string();
    assert!(
        digest.starts_with("sha256:") && digest.len() == 71,
        "{digest:?}"
    );
    assert_eq!(pushed.stdout, format!("{digest}\n"));

    let pulled = run(&["pull", &at, "-o", "pulled.frb", "--insecure"]);
    assert_eq!(pulled.code, 0, "{}", pulled.stderr);
    assert_eq!(pulled.stdout.trim(), digest);
    assert_eq!(
        std::fs::read(dir.join("pulled.frb")).expect("pulled"),
        std::fs::read(dir.join("rules.frb")).expect("bundle")
    );
    assert!(!dir.join("pulled.frb.sig").exists());

    let stable = reg.reference("rules/cli:stable");
    let tagged = run(&["tag", &at, &stable, "--insecure"]);
    assert_eq!(
        (tagged.code, tagged.stdout.trim()),
        (0, digest.as_str()),
        "{}",
        tagged.stderr
    );

    // Keys, and signing on the registry; the retag keeps the signature.
    assert_eq!(run(&["keygen", "-o", "ci"]).code, 0);
    assert_eq!(run(&["keygen", "-o", "other"]).code, 0);
    assert_eq!(
        run(&["keygen", "-o", "ci"]).code,
        2,
        "keygen must not overwrite"
    );
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(dir.join("ci.key"))
        .expect("key")
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o600);
    let unsigned = run(&[
        "pull",
        &stable,
        "-o",
        "x.frb",
        "--insecure",
        "--verify-key",
        "ci.pub",
    ]);
    assert_eq!(unsigned.code, 1);
    assert!(
        unsigned.stderr.contains("is not signed"),
        "{}",
        unsigned.stderr
    );
    let signed = run(&["sign", "--key", "ci.key", &at, "--insecure"]);
    assert_eq!(
        (signed.code, signed.stdout.trim()),
        (0, digest.as_str()),
        "{}",
        signed.stderr
    );
    let verified = run(&[
        "pull",
        &stable,
        "-o",
        "v.frb",
        "--insecure",
        "--verify-key",
        "ci.pub",
    ]);
    assert_eq!(verified.code, 0, "{}", verified.stderr);
    assert!(dir.join("v.frb.sig").exists());
    let wrong = run(&[
        "pull",
        &stable,
        "-o",
        "w.frb",
        "--insecure",
        "--verify-key",
        "other.pub",
    ]);
    assert_eq!(wrong.code, 1);
    assert!(
        wrong.stderr.contains("not signed by a trusted key"),
        "{}",
        wrong.stderr
    );
    // Key rotation: sign with the second key too; both verify.
    assert_eq!(
        run(&["sign", "--key", "other.key", &at, "--insecure"]).code,
        0
    );
    for key in ["ci.pub", "other.pub"] {
        assert_eq!(
            run(&[
                "pull",
                &at,
                "-o",
                "r.frb",
                "--insecure",
                "--verify-key",
                key
            ])
            .code,
            0
        );
    }

    // A bundle file is signed next to itself.
    let file_signed = run(&["sign", "--key", "ci.key", "rules.frb"]);
    assert_eq!(file_signed.code, 0, "{}", file_signed.stderr);
    assert!(dir.join("rules.frb.sig").exists());

    // Usage errors exit 2.
    assert_eq!(
        run(&["push", "rules.frb", "no-registry/x:1", "--insecure"]).code,
        2
    );
    assert_eq!(run(&["push", "missing.frb", &at, "--insecure"]).code, 2);
    assert_eq!(run(&["sign", "--key", "ci.pub", "rules.frb"]).code, 2);
    // A missing tag exits 1 with the registry's answer.
    let missing = run(&[
        "pull",
        &reg.reference("rules/cli:nope"),
        "-o",
        "n.frb",
        "--insecure",
    ]);
    assert_eq!(missing.code, 1);
    assert!(missing.stderr.contains("404"), "{}", missing.stderr);
}
