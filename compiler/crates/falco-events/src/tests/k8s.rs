//! k8s audit reading and `ka.*` fields over the 47 shared fixture files.

use super::{fixture, k8s_events_dir, text, value};
use crate::{Extractor, FieldValue, NOT_AUDIT_EVENT, OwnedValue, Scratch, read_k8s_audit};

const K8S: &str = "k8s_audit";

fn list(items: &[&str]) -> OwnedValue {
    OwnedValue::StrList(items.iter().map(|s| s.to_string()).collect())
}

#[test]
fn every_fixture_parses_except_fal_01_003() {
    let mut files: Vec<_> = std::fs::read_dir(k8s_events_dir())
        .unwrap()
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    files.sort();
    assert_eq!(files.len(), 47, "fixture count");
    let mut events = 0;
    for path in &files {
        let text = std::fs::read_to_string(path).unwrap();
        let results = read_k8s_audit(&text);
        let name = path.file_name().unwrap().to_string_lossy();
        if name == "fal_01_003.json" {
            assert_eq!(results.len(), 1);
            let err = results[0].as_ref().unwrap_err();
            assert_eq!(err.message, NOT_AUDIT_EVENT);
            assert_eq!((err.line, err.column), (1, 1));
            continue;
        }
        assert!(!results.is_empty(), "{name}: no event");
        for r in results {
            let ev = r.unwrap_or_else(|e| panic!("{name}: {e}"));
            assert!(ev.ts() > 0);
            events += 1;
        }
    }
    println!("k8s fixtures: {} files, {events} events", files.len());
    assert_eq!(events, 51);
}

#[test]
fn privileged_pod_fields() {
    let evs = fixture("create_nginx_pod_privileged.json");
    let ev = &evs[0];
    assert_eq!(text(K8S, "ka.verb", ev), "create");
    assert_eq!(text(K8S, "ka.target.resource", ev), "pods");
    assert_eq!(text(K8S, "ka.target.namespace", ev), "default");
    assert_eq!(text(K8S, "ka.target.subresource", ev), "<NA>");
    assert_eq!(
        value(K8S, "ka.req.pod.containers.privileged", ev),
        list(&["true"])
    );
    assert_eq!(
        value(K8S, "ka.req.pod.containers.image", ev),
        list(&["nginx"])
    );
    assert_eq!(
        text(K8S, "ka.req.pod.containers.image.repository", ev),
        "(nginx)"
    );
    assert_eq!(text(K8S, "ka.req.container.image", ev), "nginx");
    assert_eq!(text(K8S, "ka.req.container.privileged", ev), "true");
    assert_eq!(text(K8S, "ka.req.pod.host_network", ev), "<NA>");
    assert_eq!(text(K8S, "ka.response.code", ev), "201");
    assert_eq!(
        text(K8S, "ka.user.name", ev),
        "system:serviceaccount:kube-system:replicaset-controller"
    );
    assert_eq!(
        text(K8S, "ka.user.groups", ev),
        "(system:serviceaccounts,system:serviceaccounts:kube-system,system:authenticated)"
    );
    assert_eq!(
        text(K8S, "ka.auditid", ev),
        "a362d22b-db3c-4590-9505-23782f12925f"
    );
    assert_eq!(text(K8S, "jevt.value[/stage]", ev), "ResponseComplete");
    assert_eq!(
        text(K8S, "jevt.value[/responseStatus]", ev),
        r#"{"metadata":{},"code":201}"#
    );
    assert_eq!(text(K8S, "evt.time", ev), "14:09:12.581541000");
    assert_eq!(text(K8S, "jevt.rawtime", ev), "1540476552581541000");
    assert_eq!(text(K8S, "evt.source", ev), "k8s_audit");
    assert_eq!(text(K8S, "evt.num", ev), "1");
    assert_eq!(text(K8S, "evt.pluginname", ev), "k8saudit");
    assert!(text(K8S, "jevt.obj", ev).starts_with("{\n  \"kind\": \"Event\",\n"));
    assert!(text(K8S, "evt.plugininfo", ev).starts_with("{\"kind\":\"Event\","));
    assert_eq!(
        text(K8S, "ka.req.pod.containers.privileged[0]", ev),
        "(true)"
    );
    assert_eq!(text(K8S, "ka.req.pod.containers.privileged[1]", ev), "<NA>");
}

#[test]
fn second_container_privileged_skips_missing_entries() {
    let evs = fixture("create_nginx_pod_no_secctx_1st_container_privileged_2nd_container.json");
    let ev = &evs[0];
    assert_eq!(text(K8S, "ka.req.pod.containers.privileged", ev), "(true)");
    assert_eq!(text(K8S, "ka.req.container.privileged", ev), "true");
    let evs = fixture("create_nginx_pod_unprivileged.json");
    let p = text(K8S, "ka.req.container.privileged", &evs[0]);
    assert_eq!(p, "false");
}

#[test]
fn sensitive_mount_hostpaths() {
    let evs = fixture("create_nginx_pod_sensitive_mount.json");
    let hp = text(K8S, "ka.req.pod.volumes.hostpath", &evs[0]);
    assert!(hp.starts_with('(') && hp.contains("/etc"), "{hp}");
    let vt = text(K8S, "ka.req.pod.volumes.volume_type", &evs[0]);
    assert!(vt.contains("hostPath"), "{vt}");
}

#[test]
fn configmap_obj_is_compact_json() {
    let evs = fixture("create_configmap_sensitive_values.json");
    assert_eq!(evs.len(), 6);
    for ev in &evs {
        let obj = text(K8S, "ka.req.configmap.obj", ev);
        assert!(obj.starts_with('{'), "{obj}");
        assert_eq!(text(K8S, "ka.target.resource", ev), "configmaps");
    }
    let all: Vec<String> = evs
        .iter()
        .map(|e| text(K8S, "ka.req.configmap.obj", e))
        .collect();
    assert!(
        all.iter().any(|o| o.contains("aws_access_key_id")),
        "{all:?}"
    );
    assert_eq!(
        evs.iter().map(|e| e.num()).collect::<Vec<_>>(),
        vec![1, 2, 3, 4, 5, 6]
    );
}

#[test]
fn role_rules_and_bindings() {
    let evs = fixture("create_cluster_role_wildcard_verbs.json");
    let verbs = text(K8S, "ka.req.role.rules.verbs", &evs[0]);
    assert!(verbs.contains('*'), "{verbs}");
    let rules = text(K8S, "ka.req.role.rules", &evs[0]);
    assert!(rules.starts_with("({"), "{rules}");
    let evs = fixture("create_cluster_role_wildcard_resources.json");
    let res = text(K8S, "ka.req.role.rules.resources", &evs[0]);
    assert!(res.contains('*'), "{res}");
    let evs = fixture("attach_cluster_admin_role.json");
    assert_eq!(text(K8S, "ka.req.binding.role", &evs[0]), "cluster-admin");
    let subjects = text(K8S, "ka.req.binding.subjects", &evs[0]);
    assert!(subjects.starts_with("({"), "{subjects}");
    assert_eq!(
        text(K8S, "ka.req.binding.subject.has_name[x]", &evs[0]),
        "true"
    );
}

#[test]
fn exec_uri_param() {
    let evs = fixture("exec_pod.json");
    let ev = &evs[0];
    assert_eq!(text(K8S, "ka.target.subresource", ev), "exec");
    let cmd = text(K8S, "ka.uri.param[command]", ev);
    assert_ne!(cmd, "<NA>");
    assert!(!cmd.contains('%'), "{cmd}");
    assert_eq!(text(K8S, "ka.uri.param[nope]", ev), "<NA>");
    assert_eq!(text(K8S, "ka.target.pod.name", ev), "<NA>");
}

#[test]
fn service_fields() {
    let evs = fixture("create_nginx_service_nodeport.json");
    assert_eq!(text(K8S, "ka.req.service.type", &evs[0]), "NodePort");
    let ports = text(K8S, "ka.req.service.ports", &evs[0]);
    assert!(ports.starts_with("([{"), "{ports}");
}

#[test]
fn anonymous_user() {
    let evs = fixture("anonymous_creates_namespace_foo.json");
    assert_eq!(text(K8S, "ka.user.name", &evs[0]), "system:anonymous");
    assert_eq!(text(K8S, "ka.target.resource", &evs[0]), "namespaces");
}

#[test]
fn event_list_array_and_pretty_input() {
    let one = r#"{"kind":"Event","auditID":"a","stage":"ResponseComplete","stageTimestamp":"2020-01-01T00:00:00Z","verb":"get"}"#;
    let list =
        format!(r#"{{"kind":"EventList","apiVersion":"audit.k8s.io/v1","items":[{one},{one}]}}"#);
    let evs: Vec<_> = read_k8s_audit(&list).into_iter().collect();
    assert_eq!(evs.len(), 2);
    assert!(evs.iter().all(Result::is_ok));
    let arr = format!("[{one},\n {one}]\n{one}\n");
    assert_eq!(
        read_k8s_audit(&arr)
            .into_iter()
            .filter(Result::is_ok)
            .count(),
        3
    );
    let pretty = "{\n  \"kind\": \"Event\",\n  \"auditID\": \"x\",\n  \"stageTimestamp\": \"2020-01-01T00:00:01.5Z\"\n}\n";
    let r = read_k8s_audit(pretty);
    assert_eq!(r.len(), 1);
    let ev = r[0].as_ref().unwrap();
    assert_eq!(ev.ts(), 1_577_836_801_500_000_000);
}

#[test]
fn bad_lines_are_reported_and_skipped() {
    let good = r#"{"kind":"Event","auditID":"a","stageTimestamp":"2020-01-01T00:00:00Z"}"#;
    let text = format!("{good}\n{{\"kind\": \n{good}\n42\n{{\"kind\":\"Event\"}}\n");
    let r = read_k8s_audit(&text);
    let summary: Vec<String> = r
        .iter()
        .map(|x| match x {
            Ok(_) => "ok".to_string(),
            Err(e) => format!("{}:{} {}", e.line, e.column, e.message),
        })
        .collect();
    assert_eq!(summary[0], "ok");
    assert!(summary[1].starts_with("4:1 invalid JSON"), "{summary:?}");
    assert_eq!(summary[2], "ok");
    assert!(
        summary.iter().any(|s| s.contains(NOT_AUDIT_EVENT)),
        "{summary:?}"
    );
    assert!(
        summary.iter().any(|s| s.contains("stageTimestamp")),
        "{summary:?}"
    );
}

#[test]
fn fields_without_audit_id_are_missing_but_json_fields_work() {
    let text = r#"{"kind":"Event","stageTimestamp":"2020-01-01T00:00:00Z","verb":"get"}"#;
    let ev = read_k8s_audit(text).remove(0).unwrap();
    assert_eq!(super::text(K8S, "ka.verb", &ev), "<NA>");
    assert_eq!(super::text(K8S, "jevt.value[/verb]", &ev), "get");
}

#[test]
fn container_commands_args_and_ports() {
    let text = r#"{"kind":"Event","auditID":"a","stageTimestamp":"2020-01-01T00:00:00Z",
      "requestURI":"/api/v1/x?command=ls&command=-la&tty=true&x=a%20b+c",
      "objectRef":{"resource":"pods"},
      "responseObject":{"metadata":{"name":"pod-1"}},
      "requestObject":{"spec":{"runAsUser":7,"volumes":[{"name":"v","hostPath":{"path":"/etc"}},{"name":"w","emptyDir":{}}],
        "containers":[
          {"name":"a","image":"docker.io/nginx:1.2@sha256:abc","command":["sh","-c"],"args":["x"],
           "ports":[{"containerPort":80},{"hostPort":8080,"containerPort":81}],
           "securityContext":{"capabilities":{"add":["NET_ADMIN"]},"runAsUser":0}},
          {"name":"b","image":"busybox","runAsUser":5}],
        "initContainers":[{"name":"i","image":"alpine:3"}],
        "securityContext":{"supplementalGroups":[1,2]}}},
      "requestObject2":null}"#;
    let ev = read_k8s_audit(text).remove(0).unwrap();
    let t = |f: &str| super::text(K8S, f, &ev);
    assert_eq!(t("ka.uri.param[command]"), "ls");
    assert_eq!(t("ka.uri.param[x]"), "a b c");
    assert_eq!(t("ka.req.pod.containers.name"), "(a,b)");
    assert_eq!(
        t("ka.req.pod.containers.image.repository"),
        "(docker.io/nginx,busybox)"
    );
    assert_eq!(t("ka.req.pod.containers.command"), "(sh -c)");
    assert_eq!(t("ka.req.pod.containers.args[0]"), "(x)");
    assert_eq!(t("ka.req.pod.containers.args[1]"), "<NA>");
    assert_eq!(t("ka.req.pod.containers.host_port"), "(80,8080)");
    assert_eq!(
        t("ka.req.pod.containers.add_capabilities"),
        r#"(["NET_ADMIN"])"#
    );
    assert_eq!(t("ka.req.pod.containers.run_as_user"), "(0)");
    assert_eq!(t("ka.req.pod.containers.eff_run_as_user"), "(7,5)");
    assert_eq!(t("ka.req.pod.initContainers.image"), "(alpine:3)");
    assert_eq!(t("ka.req.pod.initContainers.image.repository"), "(alpine)");
    assert_eq!(t("ka.req.pod.ephemeralContainers.image"), "<NA>");
    assert_eq!(t("ka.req.pod.supplemental_groups"), "(1,2)");
    assert_eq!(t("ka.req.pod.volumes.hostpath"), "(/etc)");
    assert_eq!(t("ka.req.pod.volumes.volume_type"), "(hostPath,emptyDir)");
    assert_eq!(t("ka.req.volume.hostpath[/etc]"), "true");
    assert_eq!(t("ka.req.volume.hostpath[/e*]"), "true");
    assert_eq!(t("ka.req.volume.hostpath[/var]"), "false");
    assert_eq!(t("ka.target.pod.name"), "pod-1");
    assert_eq!(t("ka.sourceips"), "<NA>");
}

#[test]
fn extraction_reuses_scratch_without_growing() {
    let evs = fixture("create_nginx_pod_privileged.json");
    let ex = Extractor::new(K8S, "ka.req.pod.containers.image", None).unwrap();
    let mut scratch = Scratch::new();
    let first = ex.extract(&evs[0], &mut scratch).to_text();
    let cap = scratch.buf.capacity();
    for _ in 0..100 {
        let v = ex.extract(&evs[0], &mut scratch);
        assert!(matches!(v, FieldValue::StrList(_)));
    }
    assert_eq!(scratch.buf.capacity(), cap);
    assert_eq!(first, "(nginx)");
}
