//! Against a real registry (Debian's docker-registry on 127.0.0.1): push, pull, tag and
//! signatures, anonymous over HTTP and with htpasswd over TLS with a test CA.

use falco_registry::artifact::{self, annotations};
use falco_registry::auth::{CredentialStore, Credentials};
use falco_registry::reference::Target;
use falco_registry::signature::{self, Envelope, SigningKey, VerifyKey};
use falco_registry::{Client, ClientOptions, Digest, MAX_BUNDLE_BYTES, Reference};

use crate::bundle;
use crate::support::{Mode, Registry, scratch};

fn plain_client() -> Client {
    Client::new(&ClientOptions {
        insecure: true,
        ..ClientOptions::default()
    })
    .expect("client")
}

fn r(text: &str) -> Reference {
    Reference::parse(text).expect("reference")
}

#[test]
fn push_pull_tag_and_sign_on_a_plain_registry() {
    let Some(reg) = Registry::start("plain", &Mode::Plain) else {
        return;
    };
    let client = plain_client();
    let v1 = bundle("1.0.0");
    let at = r(&format!("oci://{}", reg.reference("rules/default:1.0.0")));
    let digest = artifact::push(&client, &at, &v1, None).expect("push");
    // The same bundle and version give the same manifest.
    assert_eq!(
        artifact::push(&client, &at, &v1, None).expect("push again"),
        digest
    );

    let pulled = artifact::pull(&client, &at, MAX_BUNDLE_BYTES).expect("pull");
    assert_eq!(pulled.bytes, v1);
    assert_eq!(pulled.digest, digest);
    assert_eq!(pulled.bundle_digest, Digest::of(&v1));
    assert_eq!(pulled.version.as_deref(), Some("1.0.0"));
    let fetched = client.manifest(&at).expect("manifest");
    let a = &fetched.manifest.annotations;
    assert_eq!(a[annotations::ENGINE_VERSION], "1.0.0");
    assert_eq!(a[annotations::RULES], "0");
    assert_eq!(a[annotations::SOURCES], "k8s_audit");
    assert_eq!(
        a[annotations::BUNDLE_SHA256],
        falco_bundle::content_hash(&v1).expect("hash")
    );
    assert_eq!(
        fetched.manifest.artifact_type.as_deref(),
        Some(artifact::ARTIFACT_TYPE)
    );

    // Pinned by digest; promotion is a retag to the same digest.
    let pinned = at.with_target(Target::Digest(digest.clone()));
    assert_eq!(
        artifact::pull(&client, &pinned, MAX_BUNDLE_BYTES)
            .expect("pull pinned")
            .bytes,
        v1
    );
    let stable = at.with_target(Target::Tag("stable".into()));
    assert_eq!(artifact::tag(&client, &at, &stable).expect("tag"), digest);
    assert_eq!(client.manifest(&stable).expect("stable").digest, digest);
    let other_repo = r(&reg.reference("rules/other:x"));
    assert!(artifact::tag(&client, &at, &other_repo).is_err());

    // A blob over the limit is refused before it is read.
    let e = artifact::pull(&client, &at, 10).expect_err("too large");
    assert!(e.to_string().contains("over the limit of 10"), "{e}");

    // Unsigned until signed; a signature by another key does not count.
    let dir = scratch("plain-keys");
    let pair = signature::generate().expect("keygen");
    std::fs::write(dir.join("k.key"), &pair.private_pem).expect("write");
    std::fs::write(dir.join("k.pub"), &pair.public_pem).expect("write");
    let key = SigningKey::load(&dir.join("k.key")).expect("key");
    let public = VerifyKey::load(&dir.join("k.pub")).expect("pub");
    assert!(
        signature::fetch(&client, &at, &digest)
            .expect("fetch")
            .is_none()
    );
    let mut env = Envelope::new(&Digest::of(&v1));
    env.sign(&key).expect("sign");
    signature::store(&client, &at, &digest, &env).expect("store");
    let got = signature::fetch(&client, &at, &digest)
        .expect("fetch")
        .expect("a signature");
    assert_eq!(got, env);
    assert!(signature::verify_bundle(Some(&got), &v1, std::slice::from_ref(&public)).is_ok());
    // The signature is found by the manifest digest whatever tag was pulled.
    assert!(
        signature::fetch(&client, &stable, &digest)
            .expect("fetch")
            .is_some()
    );

    // A missing tag is a clear 404.
    let e = client
        .manifest(&at.with_target(Target::Tag("nope".into())))
        .expect_err("404");
    assert!(e.to_string().contains("404"), "{e}");
    // HTTPS against a plain registry fails at the TLS layer, with the request named.
    let tls = Client::new(&ClientOptions::default()).expect("client");
    let e = tls.manifest(&at).expect_err("tls to plain");
    assert!(
        e.to_string().contains(&format!("GET https://{}", reg.addr)),
        "{e}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn htpasswd_over_tls_with_a_custom_ca() {
    let mode = Mode::TlsHtpasswd {
        user: "ci".into(),
        password: "s3cret".into(),
    };
    let Some(reg) = Registry::start("tls", &mode) else {
        return;
    };
    let ca = reg.ca.clone().expect("ca");
    let at = r(&reg.reference("rules/default:2.0.0"));
    let v2 = bundle("2.0.0");
    let client = |credentials: CredentialStore| {
        Client::new(&ClientOptions {
            ca_file: Some(ca.clone()),
            credentials,
            ..ClientOptions::default()
        })
        .expect("client")
    };
    let e = artifact::push(&client(CredentialStore::anonymous()), &at, &v2, None)
        .expect_err("anonymous");
    assert!(e.to_string().contains("401 unauthorized"), "{e}");
    let wrong = CredentialStore::everywhere(Credentials {
        username: "ci".into(),
        password: "wrong".into(),
    });
    let e = artifact::push(&client(wrong), &at, &v2, None).expect_err("wrong password");
    assert!(e.to_string().contains("refused"), "{e}");

    // Credentials from a docker config.json.
    let dir = scratch("tls-config");
    let auth = "Y2k6czNjcmV0"; // base64("ci:s3cret")
    std::fs::write(
        dir.join("config.json"),
        format!(
            r#"{{"auths":{{"https://{}":{{"auth":"{auth}"}}}}}}"#,
            reg.addr
        ),
    )
    .expect("config");
    let mut store = CredentialStore::anonymous();
    store
        .add_file(&dir.join("config.json"))
        .expect("read config");
    let good = client(store);
    let digest = artifact::push(&good, &at, &v2, None).expect("push with credentials");
    assert_eq!(
        artifact::pull(&good, &at, MAX_BUNDLE_BYTES)
            .expect("pull")
            .digest,
        digest
    );

    // Without the CA the server is not trusted; plain HTTP to a TLS port fails too.
    let untrusted = Client::new(&ClientOptions::default()).expect("client");
    let e = untrusted.manifest(&at).expect_err("untrusted");
    assert!(!e.to_string().is_empty());
    let plain = plain_client();
    assert!(plain.manifest(&at).is_err());
    let _ = std::fs::remove_dir_all(&dir);
}
