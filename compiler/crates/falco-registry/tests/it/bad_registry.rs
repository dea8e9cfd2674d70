//! Registries that misbehave (an in-test impostor): garbage manifests, wrong digests,
//! oversized blobs (refused before download), redirects, and 401/403/404/429/500. Each
//! gives a clear error naming the request and cause; nothing panics.

use falco_registry::artifact::{self, BundleConfig, bundle_manifest};
use falco_registry::{Client, ClientOptions, Digest, MAX_BUNDLE_BYTES, Reference};

use crate::bundle;
use crate::fake::{Answer, Fake};

/// A well-formed manifest for `bytes`, with `size` declared for the layer.
fn manifest_for(bytes: &[u8], size: Option<u64>) -> Vec<u8> {
    let facts = BundleConfig::of(bytes).expect("facts");
    let config = serde_json::to_vec(&facts).expect("config");
    let mut m = bundle_manifest(bytes, &config, &facts, Some("1"));
    if let Some(s) = size {
        m.layers[0].size = s;
    }
    m.to_bytes()
}

fn pull(fake: &Fake) -> String {
    let client = Client::new(&ClientOptions {
        insecure: true,
        ..ClientOptions::default()
    })
    .expect("client");
    let r = Reference::parse(&format!("{}/rules/x:1", fake.addr)).expect("ref");
    match artifact::pull(&client, &r, MAX_BUNDLE_BYTES) {
        Ok(p) => format!("ok {}", p.bytes.len()),
        Err(e) => e.to_string(),
    }
}

#[test]
fn garbage_manifest() {
    let fake = Fake::start(|_, _| Answer::new(200, "<html>not a manifest</html>"));
    let e = pull(&fake);
    assert!(e.contains("not an OCI image manifest"), "{e}");
    let fake = Fake::start(|_, _| {
        Answer::new(
            200,
            r#"{"schemaVersion":2,"config":{"mediaType":"x","digest":"md5:1","size":1},"layers":[]}"#,
        )
    });
    let e = pull(&fake);
    assert!(e.contains("only sha256 digests"), "{e}");
    let fake = Fake::start(|_, _| {
        Answer::new(
            200,
            r#"{"schemaVersion":2,"config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa","size":1},"layers":[]}"#,
        )
    });
    let e = pull(&fake);
    assert!(e.contains("is not a falco-rulec bundle"), "{e}");
}

#[test]
fn wrong_digests() {
    let b = bundle("bad-registry");
    let m = manifest_for(&b, None);
    let (m2, b2) = (m.clone(), b.clone());
    // The blob served is not the one the manifest names.
    let fake = Fake::start(move |_, path| {
        if path.contains("/manifests/") {
            Answer::new(200, m2.clone())
        } else {
            let mut wrong = b2.clone();
            let last = wrong.len() - 1;
            wrong[last] ^= 1;
            Answer::new(200, wrong)
        }
    });
    let e = pull(&fake);
    assert!(e.contains("digest mismatch"), "{e}");
    // The registry says the manifest has another digest.
    let fake = Fake::start(move |_, _| {
        Answer::new(200, m.clone()).header(
            "Docker-Content-Digest",
            "sha256:bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb",
        )
    });
    let e = pull(&fake);
    assert!(
        e.contains("Docker-Content-Digest") && e.contains("digest mismatch"),
        "{e}"
    );
    // A pinned digest that the manifest does not have.
    let client = Client::new(&ClientOptions {
        insecure: true,
        ..ClientOptions::default()
    })
    .expect("client");
    let wrong = Digest::of(b"other");
    let r = Reference::parse(&format!("{}/rules/x@{wrong}", fake.addr)).expect("ref");
    let e = client
        .manifest(&r)
        .expect_err("pinned mismatch")
        .to_string();
    assert!(e.contains("digest mismatch"), "{e}");
}

#[test]
fn oversized_blobs_are_refused_before_download() {
    let b = bundle("bad-registry");
    let m = manifest_for(&b, Some(MAX_BUNDLE_BYTES + 1));
    let fake = Fake::start(move |_, path| {
        if path.contains("/manifests/") {
            Answer::new(200, m.clone())
        } else {
            Answer::new(200, vec![0u8; 16])
        }
    });
    let e = pull(&fake);
    assert!(e.contains("over the limit of 67108864"), "{e}");
    assert!(!fake.asked("/blobs/"), "the blob was requested");
    // A blob whose served length is over the declared size is not read either.
    let m = manifest_for(&b, None);
    let fake = Fake::start(move |_, path| {
        if path.contains("/manifests/") {
            Answer::new(200, m.clone())
        } else {
            Answer::new(200, Vec::new()).header("Content-Length", "999999999")
        }
    });
    let e = pull(&fake);
    assert!(e.contains("is 999999999 bytes, over the limit"), "{e}");
    // A manifest over 4 MiB is refused by its declared length.
    let fake = Fake::start(|_, _| Answer::new(200, Vec::new()).header("Content-Length", "5000000"));
    let e = pull(&fake);
    assert!(
        e.contains("the manifest of") && e.contains("over the limit of 4194304"),
        "{e}"
    );
}

#[test]
fn redirects_are_followed_and_loops_end() {
    let b = bundle("bad-registry");
    let m = manifest_for(&b, None);
    let (m2, b2) = (m.clone(), b.clone());
    let fake = Fake::start(move |_, path| {
        if path.contains("/manifests/") {
            Answer::new(200, m2.clone())
        } else if path.starts_with("/storage/") {
            Answer::new(200, b2.clone())
        } else {
            Answer::new(307, "").header("Location", "/storage/blob")
        }
    });
    assert_eq!(pull(&fake), format!("ok {}", b.len()));
    let fake = Fake::start(move |_, path| {
        if path.contains("/manifests/") {
            Answer::new(200, m.clone())
        } else {
            Answer::new(302, "").header("Location", "/loop")
        }
    });
    let e = pull(&fake);
    assert!(e.contains("too many redirects"), "{e}");
}

#[test]
fn error_statuses_are_named() {
    // (status, headers, body, what the error must say)
    type Case = (
        u16,
        Vec<(&'static str, &'static str)>,
        &'static str,
        &'static str,
    );
    let cases: Vec<Case> = vec![
        (401, vec![], "", "401 unauthorized"),
        (
            401,
            vec![("WWW-Authenticate", "Basic realm=\"r\"")],
            "",
            "none is configured",
        ),
        (
            403,
            vec![],
            r#"{"errors":[{"code":"DENIED","message":"requested access to the resource is denied"}]}"#,
            "403 forbidden: the credentials may not do this: DENIED: requested access",
        ),
        (
            404,
            vec![],
            r#"{"errors":[{"code":"MANIFEST_UNKNOWN","message":"manifest unknown"}]}"#,
            "404",
        ),
        (
            429,
            vec![("Retry-After", "7")],
            "slow down",
            "429 too many requests (retry after 7 s): slow down",
        ),
        (
            500,
            vec![],
            r#"{"errors":[{"code":"UNKNOWN","message":"boom"}]}"#,
            "500 registry error: UNKNOWN: boom",
        ),
    ];
    for (status, headers, body, want) in cases {
        let headers: Vec<(String, String)> = headers
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        let fake = Fake::start(move |_, _| Answer {
            status,
            headers: headers.clone(),
            body: body.as_bytes().to_vec(),
        });
        let e = pull(&fake);
        assert!(e.contains(want), "{status}: {e}");
        assert!(
            e.contains(&format!("GET http://{}/v2/rules/x/manifests/1", fake.addr)),
            "{e}"
        );
    }
    // Nothing listens: a transport error.
    let addr = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        l.local_addr().expect("addr")
    };
    let client = Client::new(&ClientOptions {
        insecure: true,
        ..ClientOptions::default()
    })
    .expect("client");
    let r = Reference::parse(&format!("{addr}/rules/x:1")).expect("ref");
    let e = client.manifest(&r).expect_err("refused");
    assert!(e.is_transient(), "{e}");
}
