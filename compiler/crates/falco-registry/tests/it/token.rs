//! The registry token flow against a real registry: docker-registry with `auth: token`
//! pointing at a token issuer of this test (ES256 JWTs whose x5c certificate is the
//! registry's root bundle). Anonymous pulls and pushes get a token for their scope;
//! the basic credentials go to the token server, never to the registry.

use std::sync::{Arc, Mutex};
use std::time::{SystemTime, UNIX_EPOCH};

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use falco_registry::auth::{CredentialStore, Credentials};
use falco_registry::{Client, ClientOptions, MAX_BUNDLE_BYTES, Reference, artifact};
use ring::rand::SystemRandom;
use ring::signature::{ECDSA_P256_SHA256_FIXED_SIGNING, EcdsaKeyPair};

use crate::fake::{Answer, Fake};
use crate::support::{self, Mode, Registry};

const SERVICE: &str = "falco-test-registry";
const ISSUER: &str = "falco-test-issuer";

/// A signed token granting `actions` on `repository`.
fn token(key: &EcdsaKeyPair, cert_der: &[u8], repository: &str, actions: &[&str]) -> String {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("clock")
        .as_secs();
    let header =
        serde_json::json!({"typ": "JWT", "alg": "ES256", "x5c": [STANDARD.encode(cert_der)]});
    let claims = serde_json::json!({
        "iss": ISSUER, "sub": "ci", "aud": SERVICE,
        "exp": now + 300, "nbf": now - 60, "iat": now - 60, "jti": format!("{now}"),
        "access": [{"type": "repository", "name": repository, "actions": actions}],
    });
    let signing_input = format!(
        "{}.{}",
        URL_SAFE_NO_PAD.encode(header.to_string()),
        URL_SAFE_NO_PAD.encode(claims.to_string())
    );
    let sig = key
        .sign(&SystemRandom::new(), signing_input.as_bytes())
        .expect("sign");
    format!("{signing_input}.{}", URL_SAFE_NO_PAD.encode(sig.as_ref()))
}

/// `scope=repository:NAME:ACTIONS` of a token request path.
fn scope(path: &str) -> Option<(String, Vec<String>)> {
    let query = path.split_once('?')?.1;
    let raw = query
        .split('&')
        .find_map(|kv| kv.strip_prefix("scope="))?
        .replace("%3A", ":")
        .replace("%3a", ":")
        .replace("%2C", ",")
        .replace("%2c", ",")
        .replace("%2F", "/")
        .replace("%2f", "/");
    let mut parts = raw.splitn(3, ':');
    let (_, name, actions) = (parts.next()?, parts.next()?, parts.next()?);
    Some((
        name.to_string(),
        actions.split(',').map(str::to_string).collect(),
    ))
}

#[test]
fn bearer_tokens_from_the_registrys_realm() {
    if !support::available() {
        return;
    }
    let key_pair = rcgen::KeyPair::generate().expect("key");
    let mut params = rcgen::CertificateParams::new(Vec::<String>::new()).expect("params");
    params
        .distinguished_name
        .push(rcgen::DnType::CommonName, ISSUER);
    let cert = params.self_signed(&key_pair).expect("cert");
    let signer = EcdsaKeyPair::from_pkcs8(
        &ECDSA_P256_SHA256_FIXED_SIGNING,
        &key_pair.serialize_der(),
        &SystemRandom::new(),
    )
    .expect("ring key");
    let cert_der = cert.der().to_vec();
    // Push needs the user `ci` with password `pw`; anonymous callers may only pull.
    let asked: Arc<Mutex<Vec<String>>> = Arc::new(Mutex::new(Vec::new()));
    let log = asked.clone();
    let issuer = Fake::start_with_head(move |_, path, head| {
        let Some((name, actions)) = scope(path) else {
            return Answer::new(400, "no scope");
        };
        let basic = head.lines().any(|l| {
            l.to_ascii_lowercase().starts_with("authorization: basic ")
                && l.ends_with(&STANDARD.encode("ci:pw"))
        });
        log.lock()
            .expect("lock")
            .push(format!("{name} {actions:?} basic={basic}"));
        let granted: Vec<&str> = actions
            .iter()
            .map(String::as_str)
            .filter(|a| *a == "pull" || basic)
            .collect();
        let t = token(&signer, &cert_der, &name, &granted);
        Answer::new(200, format!(r#"{{"token":"{t}","expires_in":300}}"#))
            .header("Content-Type", "application/json")
    });
    let mode = Mode::Token {
        realm: format!("http://{}/token", issuer.addr),
        service: SERVICE.into(),
        issuer: ISSUER.into(),
        cert_pem: cert.pem(),
    };
    let Some(reg) = Registry::start("token", &mode) else {
        return;
    };
    let r = Reference::parse(&reg.reference("rules/tok:1")).expect("ref");
    let client = |credentials: CredentialStore| {
        Client::new(&ClientOptions {
            insecure: true,
            credentials,
            ..ClientOptions::default()
        })
        .expect("client")
    };
    let bundle = crate::bundle("token");
    // Anonymous: the token grants pull only, so the registry refuses the push.
    let anonymous = client(CredentialStore::anonymous());
    let e = artifact::push(&anonymous, &r, &bundle, None).expect_err("anonymous push");
    assert!(e.to_string().contains("401"), "{e}");
    let ci = client(CredentialStore::everywhere(Credentials {
        username: "ci".into(),
        password: "pw".into(),
    }));
    let digest = artifact::push(&ci, &r, &bundle, None).expect("push with a token");
    // Anonymous pulls work with a pull token.
    let pulled = artifact::pull(&anonymous, &r, MAX_BUNDLE_BYTES).expect("anonymous pull");
    assert_eq!((pulled.digest, pulled.bytes), (digest, bundle));
    let asked = asked.lock().expect("lock").clone();
    assert!(
        asked
            .iter()
            .any(|a| a.contains("rules/tok") && a.contains("push") && a.ends_with("basic=true")),
        "{asked:?}"
    );
    assert!(
        asked.iter().any(|a| a.ends_with("basic=false")),
        "{asked:?}"
    );
}
