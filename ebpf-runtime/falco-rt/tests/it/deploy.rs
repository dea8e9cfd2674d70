//! The Kubernetes manifests (deploy/kubernetes): both overlays render with `kubectl
//! kustomize`, every object validates against the Kubernetes schemas with
//! `kubernetes-validate` (PyPI, bundled schemas, offline), and the invariants hold: no
//! privileged container, probes on /healthz, tolerations for every taint, the channel's
//! tag and node selection, and every argument one that `falco-rt --help` lists.

use std::path::{Path, PathBuf};
use std::process::Command;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../deploy/kubernetes")
}

/// A tool, or None (a skip) when it is missing, unless `FALCO_TEST_ALL=1`.
fn tool(candidates: &[&str]) -> Option<PathBuf> {
    for c in candidates {
        let p = Path::new(c);
        if p.is_absolute() && p.exists() {
            return Some(p.to_path_buf());
        }
        if !p.is_absolute()
            && Command::new("sh")
                .args(["-c", &format!("command -v {c}")])
                .output()
                .is_ok_and(|o| o.status.success())
        {
            return Some(p.to_path_buf());
        }
    }
    let why = format!("none of {candidates:?} is installed (scripts/install-deps installs them)");
    falco_test_budget::available("deploy", Err(why));
    None
}

fn render(overlay: &str) -> String {
    let out = Command::new("kubectl")
        .arg("kustomize")
        .arg(root().join("overlays").join(overlay))
        .output()
        .expect("kubectl");
    assert!(
        out.status.success(),
        "kubectl kustomize {overlay}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("utf8")
}

/// The rendered documents as JSON, through the validator venv's PyYAML.
fn documents(python: &Path, yaml: &str) -> Vec<serde_json::Value> {
    use std::io::Write;
    let mut child = Command::new(python)
        .args([
            "-c",
            "import json, sys, yaml; print(json.dumps([d for d in yaml.safe_load_all(sys.stdin) if d]))",
        ])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("python");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(yaml.as_bytes())
        .expect("write");
    let out = child.wait_with_output().expect("python");
    assert!(out.status.success());
    serde_json::from_slice(&out.stdout).expect("json")
}

fn help_flags() -> Vec<String> {
    let out = Command::new(env!("CARGO_BIN_EXE_falco-rt"))
        .arg("--help")
        .output()
        .expect("falco-rt --help");
    String::from_utf8_lossy(&out.stdout)
        .split_whitespace()
        .filter(|w| w.starts_with("--"))
        .map(|w| w.trim_end_matches([',', '.']).to_string())
        .collect()
}

#[test]
fn overlays_render_validate_and_keep_the_invariants() {
    let (Some(_), Some(validator)) = (
        tool(&["kubectl"]),
        tool(&[
            "/opt/falco-rulec/venv/bin/kubernetes-validate",
            "kubernetes-validate",
        ]),
    ) else {
        return;
    };
    let python = validator.with_file_name("python3");
    let python = if python.exists() {
        python
    } else {
        PathBuf::from("python3")
    };
    let flags = help_flags();
    assert!(flags.iter().any(|f| f == "--verify-key"), "{flags:?}");
    let dir = std::env::temp_dir().join(format!("falco-rt-deploy-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    for (overlay, operator) in [("canary", "In"), ("stable", "NotIn")] {
        let yaml = render(overlay);
        let file = dir.join(format!("{overlay}.yaml"));
        std::fs::write(&file, &yaml).expect("write");
        let out = Command::new(&validator)
            .args(["--strict", "--kubernetes-version", "1.30"])
            .arg(&file)
            .output()
            .expect("kubernetes-validate");
        let report = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(out.status.success(), "{overlay}: {report}");
        let docs = documents(&python, &yaml);
        let kinds: Vec<&str> = docs.iter().filter_map(|d| d["kind"].as_str()).collect();
        for kind in [
            "Namespace",
            "ServiceAccount",
            "ConfigMap",
            "Secret",
            "Service",
            "DaemonSet",
        ] {
            assert!(kinds.contains(&kind), "{overlay}: no {kind} in {kinds:?}");
        }
        assert_eq!(
            report.matches(" passed for resource ").count(),
            docs.len(),
            "{overlay}: {report}"
        );
        let ds = docs
            .iter()
            .find(|d| d["kind"] == "DaemonSet")
            .expect("daemonset");
        assert_eq!(ds["metadata"]["name"], format!("falco-rt-{overlay}"));
        let spec = &ds["spec"]["template"]["spec"];
        assert_eq!(spec["hostPID"], true);
        assert!(
            spec["tolerations"].as_array().is_some_and(|t| t
                .iter()
                .any(|t| t["operator"] == "Exists" && t.get("key").is_none())),
            "{overlay}: not tolerated everywhere"
        );
        let term = &spec["affinity"]["nodeAffinity"]["requiredDuringSchedulingIgnoredDuringExecution"]
            ["nodeSelectorTerms"][0]["matchExpressions"][0];
        assert_eq!(term["key"], "falco-rt.dev/channel");
        assert_eq!(term["operator"], operator);
        for c in spec["containers"].as_array().expect("containers") {
            let sc = &c["securityContext"];
            assert_ne!(sc["privileged"], true, "{overlay}: privileged");
            let added: Vec<&str> = sc["capabilities"]["add"]
                .as_array()
                .expect("caps")
                .iter()
                .filter_map(|v| v.as_str())
                .collect();
            assert!(
                added.contains(&"BPF") && added.contains(&"PERFMON"),
                "{added:?}"
            );
            assert!(!added.contains(&"SYS_ADMIN"), "{overlay}: SYS_ADMIN");
            for probe in ["livenessProbe", "readinessProbe"] {
                assert_eq!(
                    c[probe]["httpGet"]["path"], "/healthz",
                    "{overlay}: {probe}"
                );
            }
            assert!(c["resources"]["requests"].is_object() && c["resources"]["limits"].is_object());
            let env_bundle = c["env"]
                .as_array()
                .and_then(|e| e.iter().find(|v| v["name"] == "FALCO_RT_BUNDLE"))
                .and_then(|v| v["value"].as_str())
                .expect("FALCO_RT_BUNDLE");
            assert!(
                env_bundle.starts_with("oci://") && env_bundle.ends_with(&format!(":{overlay}")),
                "{env_bundle}"
            );
            for arg in c["args"].as_array().expect("args") {
                let arg = arg.as_str().expect("string arg");
                let flag = arg.split('=').next().unwrap_or(arg);
                assert!(
                    flags.iter().any(|f| f == flag),
                    "{overlay}: `{arg}` is not a falco-rt flag"
                );
            }
        }
        // Only the public key is in the cluster.
        assert!(
            !yaml.contains("PRIVATE KEY"),
            "{overlay}: a private key in the manifests"
        );
    }
    // The API server's side parses and points at the Service with a client certificate.
    let kubeconfig =
        std::fs::read_to_string(root().join("apiserver/webhook-kubeconfig.yaml")).expect("read");
    let docs = documents(&python, &kubeconfig);
    assert_eq!(docs[0]["kind"], "Config");
    assert!(
        docs[0]["clusters"][0]["cluster"]["server"]
            .as_str()
            .is_some_and(|s| s.ends_with(":8765/k8s-audit"))
    );
    assert!(docs[0]["users"][0]["user"]["client-certificate"].is_string());
    let policy = std::fs::read_to_string(root().join("apiserver/audit-policy.yaml")).expect("read");
    let docs = documents(&python, &policy);
    assert_eq!(docs[0]["kind"], "Policy");
    let _ = std::fs::remove_dir_all(&dir);
}
