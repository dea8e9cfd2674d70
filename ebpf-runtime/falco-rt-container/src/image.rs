//! Image references split as the container plugin splits them.

/// `(repository, tag)` of an image reference: a digest (`@sha256:...`) is dropped
/// first, and the tag is what follows the last `:` after the last `/` (so a registry
/// port is not a tag). `registry:5000/a/b:1.0@sha256:x` → (`registry:5000/a/b`, `1.0`).
pub fn repo_tag(image: &str) -> (&str, &str) {
    let image = image.split_once('@').map_or(image, |(name, _)| name);
    let slash = image.rfind('/');
    match image.rfind(':') {
        Some(colon) if slash.is_none_or(|s| colon > s) => (&image[..colon], &image[colon + 1..]),
        _ => (image, ""),
    }
}

/// The repository, tag and digest a docker engine reports for an image (its
/// `RepoDigests` and `RepoTags`), picked as the container plugin picks them: the
/// repository of the first well-formed digest, that repository's digest (or the only
/// digest), and the tag of the first tag naming that repository.
pub fn docker_repo_tag_digest(
    repo_digests: &[String],
    repo_tags: &[String],
) -> (String, String, String) {
    let mut repo = String::new();
    let mut digest = String::new();
    let mut digests = Vec::new();
    for repo_digest in repo_digests {
        let Some((name, d)) = repo_digest
            .split_once('@')
            .filter(|(_, d)| !d.contains('@'))
        else {
            continue;
        };
        if repo.is_empty() {
            repo = name.to_string();
        }
        digests.push(d);
        if repo_digest.contains(repo.as_str()) {
            digest = d.to_string();
            break;
        }
    }
    if digest.is_empty()
        && let [only] = digests.as_slice()
    {
        digest = (*only).to_string();
    }
    let mut tag = String::new();
    for repo_tag_text in repo_tags {
        let (name, t) = repo_tag(repo_tag_text);
        if name.is_empty() || t.is_empty() {
            continue;
        }
        if repo.is_empty() {
            repo = name.to_string();
        }
        if repo_tag_text.contains(repo.as_str()) {
            tag = t.to_string();
            break;
        }
    }
    (repo, tag, digest)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_split_like_the_plugin() {
        assert_eq!(
            repo_tag("registry.example.com:5000/foo/bar:latest@sha256:d"),
            ("registry.example.com:5000/foo/bar", "latest")
        );
        assert_eq!(
            repo_tag("registry.example.com:5000/foo/bar@sha256:d"),
            ("registry.example.com:5000/foo/bar", "")
        );
        assert_eq!(repo_tag("foo/bar:latest"), ("foo/bar", "latest"));
        assert_eq!(repo_tag("foo:latest"), ("foo", "latest"));
        assert_eq!(repo_tag("foo"), ("foo", ""));
        assert_eq!(repo_tag(""), ("", ""));
    }

    #[test]
    fn docker_digests_and_tags_pick_one_repository() {
        let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
        assert_eq!(
            docker_repo_tag_digest(
                &s(&["localhost/busybox@sha256:73"]),
                &s(&["localhost/busybox:test"])
            ),
            (
                "localhost/busybox".to_string(),
                "test".to_string(),
                "sha256:73".to_string()
            )
        );
        // No digests: the first well-formed tag names the repository.
        assert_eq!(
            docker_repo_tag_digest(&[], &s(&["bad", "nginx:1.25", "other:2"])),
            ("nginx".to_string(), "1.25".to_string(), String::new())
        );
    }
}
