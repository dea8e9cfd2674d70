use crate::auth::{Challenge, parse_challenge};
use crate::reference::Target;
use crate::signature::{self, Envelope, SigningKey, VerifyKey};
use crate::{Digest, Reference};

#[test]
fn references_parse_with_and_without_scheme() {
    let r = Reference::parse("127.0.0.1:5000/rules/default:1.2.0").expect("ref");
    assert_eq!(r.registry, "127.0.0.1:5000");
    assert_eq!(r.repository, "rules/default");
    assert_eq!(r.target, Target::Tag("1.2.0".into()));
    assert_eq!(
        Reference::parse("oci://127.0.0.1:5000/rules/default:1.2.0").expect("ref"),
        r
    );
    let hex = "a".repeat(64);
    let d = Reference::parse(&format!("reg.example:443/a/b@sha256:{hex}")).expect("digest ref");
    assert_eq!(d.target_text(), format!("sha256:{hex}"));
    assert_eq!(
        Reference::parse("localhost/x").expect("ref").tag(),
        Some("latest")
    );
    for bad in [
        "rules/default:1",
        "127.0.0.1:5000",
        "127.0.0.1:5000/Rules:1",
        "127.0.0.1:5000/rules:-x",
        "127.0.0.1:5000/rules@sha256:abc",
        "127.0.0.1:5000/a//b:1",
        "127.0.0.1:5000/a-:1",
    ] {
        let e = Reference::parse(bad)
            .err()
            .unwrap_or_else(|| panic!("{bad} must fail"));
        assert!(
            e.to_string().contains("expected [oci://]HOST"),
            "{bad}: {e}"
        );
    }
}

#[test]
fn challenges_parse() {
    assert_eq!(
        parse_challenge(
            r#"Bearer realm="https://auth.example/token",service="registry.example",scope="repository:a/b:pull""#
        ),
        Some(Challenge::Bearer {
            realm: "https://auth.example/token".into(),
            service: Some("registry.example".into()),
            scope: Some("repository:a/b:pull".into()),
        })
    );
    assert_eq!(
        parse_challenge(r#"Basic realm="Registry Realm""#),
        Some(Challenge::Basic)
    );
    assert_eq!(parse_challenge("Negotiate"), None);
    assert_eq!(parse_challenge("Bearer service=x"), None);
}

#[test]
fn signatures_verify_only_with_the_right_key_and_bundle() {
    let dir = std::env::temp_dir().join(format!("falco-registry-sig-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    let mut keys = Vec::new();
    for name in ["a", "b"] {
        let pair = signature::generate().expect("keygen");
        std::fs::write(dir.join(format!("{name}.key")), &pair.private_pem).expect("write");
        std::fs::write(dir.join(format!("{name}.pub")), &pair.public_pem).expect("write");
        keys.push((
            SigningKey::load(&dir.join(format!("{name}.key"))).expect("private"),
            VerifyKey::load(&dir.join(format!("{name}.pub"))).expect("public"),
        ));
    }
    let bundle = b"bundle bytes";
    let mut env = Envelope::new(&Digest::of(bundle));
    env.sign(&keys[0].0).expect("sign");
    let a = std::slice::from_ref(&keys[0].1);
    let b = std::slice::from_ref(&keys[1].1);
    assert_eq!(
        signature::verify_bundle(Some(&env), bundle, a).expect("valid"),
        keys[0].1.id()
    );
    let e = signature::verify_bundle(Some(&env), bundle, b).expect_err("other key");
    assert!(e.to_string().contains("not signed by a trusted key"), "{e}");
    let e = signature::verify_bundle(Some(&env), b"other bytes", a).expect_err("other bundle");
    assert!(e.to_string().contains("not for this bundle"), "{e}");
    let e = signature::verify_bundle(None, bundle, a).expect_err("unsigned");
    assert!(e.to_string().contains("is not signed"), "{e}");
    // A tampered signature is named as such.
    let mut tampered = env.clone();
    tampered.signatures[0].signature = tampered.signatures[0].signature.replacen('A', "B", 1);
    if tampered != env {
        let e = signature::verify_bundle(Some(&tampered), bundle, a).expect_err("tampered");
        assert!(e.to_string().contains("does not verify"), "{e}");
    }
    // Rotation: both keys sign; either public key accepts.
    env.sign(&keys[1].0).expect("sign");
    assert!(signature::verify_bundle(Some(&env), bundle, b).is_ok());
    assert!(VerifyKey::load(&dir.join("a.key")).is_err());
    let _ = std::fs::remove_dir_all(&dir);
}
