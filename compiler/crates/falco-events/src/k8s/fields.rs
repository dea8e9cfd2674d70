//! The `ka.*` fields of the k8saudit plugin and the `json.*` / `jevt.*` fields of the json
//! plugin, computed from the audit event's JSON with the plugins' rules: a JSON string gives
//! its contents, any other JSON value its compact JSON text, a list with no element is `<NA>`,
//! and every `ka.*` field is `<NA>` on JSON without `auditID`.

use crate::event::K8sAuditEvent;
use crate::json::Json;
use crate::value::{FieldValue, Scratch};

/// Which pod container list a `ka.req.pod.<list>.*` field reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum PodList {
    Containers,
    Init,
    Ephemeral,
}

impl PodList {
    fn key(self) -> &'static str {
        match self {
            PodList::Containers => "containers",
            PodList::Init => "initContainers",
            PodList::Ephemeral => "ephemeralContainers",
        }
    }
}

/// A per-container attribute of `ka.req.pod.<list>.<attr>`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ContainerAttr {
    Name,
    Image,
    ImageRepository,
    Command,
    Args,
    HostPort,
    /// A value under `securityContext`, `None` entries skipped.
    SecCtx(&'static [&'static str]),
    /// `eff_run_as_user` / `eff_run_as_group`: the container's own key, or the pod's.
    Effective(&'static str),
}

/// A compiled `ka.*` / `json.*` / `jevt.*` field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum K8sField {
    /// A value at a fixed key path, as text.
    Keys(&'static [&'static str]),
    /// An array at a fixed key path, each element as text.
    KeysList(&'static [&'static str]),
    UriParam(Box<str>),
    TargetPodName,
    SubjectNames(&'static str, bool),
    HasName,
    Container {
        list: PodList,
        attr: ContainerAttr,
        index: Option<usize>,
    },
    /// `ka.req.container.image` / `.image.repository`: the first container's.
    FirstImage {
        repository: bool,
    },
    AnyPrivileged,
    /// `ka.req.role.rules.*` (and, as the plugin does it, `ka.sourceips`).
    RulesField(&'static str, Option<usize>),
    ServicePorts,
    VolumeHostpathMatch(Box<str>),
    Volumes(&'static [&'static str], Option<usize>),
    VolumeTypes(Option<usize>),
    JsonValue(Box<str>),
    JsonObj,
    JsonRawTime,
}

/// Parses a list-index argument the way libsinsp does: digits only, no leading zero.
fn index_arg(arg: Option<&str>) -> Result<Option<usize>, ()> {
    match arg {
        None => Ok(None),
        Some(a) => {
            if a.is_empty() || (a.len() > 1 && a.starts_with('0')) {
                return Err(());
            }
            if !a.bytes().all(|b| b.is_ascii_digit()) {
                return Err(());
            }
            a.parse().map(Some).map_err(|_| ())
        }
    }
}

impl K8sField {
    /// Compiles a field of the `k8s_audit` source; `Err(())` for names this module does not
    /// know or arguments the field does not accept.
    pub(crate) fn compile(name: &str, arg: Option<&str>) -> Result<K8sField, ()> {
        use K8sField as F;
        for (prefix, list) in [
            ("ka.req.pod.containers.", PodList::Containers),
            ("ka.req.pod.initContainers.", PodList::Init),
            ("ka.req.pod.ephemeralContainers.", PodList::Ephemeral),
        ] {
            if let Some(attr) = name.strip_prefix(prefix) {
                let attr = match attr {
                    "name" => ContainerAttr::Name,
                    "image" => ContainerAttr::Image,
                    "image.repository" => ContainerAttr::ImageRepository,
                    "command" => ContainerAttr::Command,
                    "args" => ContainerAttr::Args,
                    "host_port" => ContainerAttr::HostPort,
                    "privileged" => ContainerAttr::SecCtx(&["securityContext", "privileged"]),
                    "allow_privilege_escalation" => {
                        ContainerAttr::SecCtx(&["securityContext", "allowPrivilegeEscalation"])
                    }
                    "read_only_fs" => {
                        ContainerAttr::SecCtx(&["securityContext", "readOnlyRootFilesystem"])
                    }
                    "run_as_user" => ContainerAttr::SecCtx(&["securityContext", "runAsUser"]),
                    "run_as_group" => ContainerAttr::SecCtx(&["securityContext", "runAsGroup"]),
                    "proc_mount" => ContainerAttr::SecCtx(&["securityContext", "procMount"]),
                    "add_capabilities" => {
                        ContainerAttr::SecCtx(&["securityContext", "capabilities", "add"])
                    }
                    "eff_run_as_user" => ContainerAttr::Effective("runAsUser"),
                    "eff_run_as_group" => ContainerAttr::Effective("runAsGroup"),
                    _ => return Err(()),
                };
                return Ok(F::Container {
                    list,
                    attr,
                    index: index_arg(arg)?,
                });
            }
        }
        let needs_key = |arg: Option<&str>| arg.map(Box::<str>::from).ok_or(());
        let no_arg = |f: K8sField| if arg.is_some() { Err(()) } else { Ok(f) };
        match name {
            "ka.auditid" => no_arg(F::Keys(&["auditID"])),
            "ka.stage" => no_arg(F::Keys(&["stage"])),
            "ka.auth.decision" => {
                no_arg(F::Keys(&["annotations", "authorization.k8s.io/decision"]))
            }
            "ka.auth.reason" => no_arg(F::Keys(&["annotations", "authorization.k8s.io/reason"])),
            "ka.auth.openshift.decision" => no_arg(F::Keys(&[
                "annotations",
                "authentication.openshift.io/decision",
            ])),
            "ka.auth.openshift.username" => no_arg(F::Keys(&[
                "annotations",
                "authentication.openshift.io/username",
            ])),
            "ka.validations.admission.policy.failure" => no_arg(F::Keys(&[
                "annotations",
                "validation.policy.admission.k8s.io/validation_failure",
            ])),
            "ka.security.pod.violations" => no_arg(F::Keys(&[
                "annotations",
                "pod-security.kubernetes.io/audit-violations",
            ])),
            "ka.user.name" => no_arg(F::Keys(&["user", "username"])),
            "ka.user.groups" => no_arg(F::KeysList(&["user", "groups"])),
            "ka.impuser.name" => no_arg(F::Keys(&["impersonatedUser", "username"])),
            "ka.verb" => no_arg(F::Keys(&["verb"])),
            "ka.uri" => no_arg(F::Keys(&["requestURI"])),
            "ka.uri.param" => Ok(F::UriParam(needs_key(arg)?)),
            "ka.target.name" => no_arg(F::Keys(&["objectRef", "name"])),
            "ka.target.namespace" => no_arg(F::Keys(&["objectRef", "namespace"])),
            "ka.target.resource" => no_arg(F::Keys(&["objectRef", "resource"])),
            "ka.target.subresource" => no_arg(F::Keys(&["objectRef", "subresource"])),
            "ka.target.pod.name" => no_arg(F::TargetPodName),
            "ka.req.binding.subjects" => no_arg(F::KeysList(&["requestObject", "subjects"])),
            "ka.req.binding.subjects.user_names" => no_arg(F::SubjectNames("User", false)),
            "ka.req.binding.subjects.serviceaccount_names" => {
                no_arg(F::SubjectNames("ServiceAccount", false))
            }
            "ka.req.binding.subjects.serviceaccount_ns_names" => {
                no_arg(F::SubjectNames("ServiceAccount", true))
            }
            "ka.req.binding.subjects.group_names" => no_arg(F::SubjectNames("Group", false)),
            "ka.req.binding.role" => no_arg(F::Keys(&["requestObject", "roleRef", "name"])),
            "ka.req.binding.subject.has_name" => {
                needs_key(arg)?;
                Ok(F::HasName)
            }
            "ka.req.configmap.name" => no_arg(F::Keys(&["objectRef", "name"])),
            "ka.req.configmap.obj" => no_arg(F::Keys(&["requestObject", "data"])),
            "ka.req.container.image" => no_arg(F::FirstImage { repository: false }),
            "ka.req.container.image.repository" => no_arg(F::FirstImage { repository: true }),
            "ka.req.pod.host_ipc" => no_arg(F::Keys(&["requestObject", "spec", "hostIPC"])),
            "ka.req.pod.host_network" | "ka.req.container.host_network" => {
                no_arg(F::Keys(&["requestObject", "spec", "hostNetwork"]))
            }
            "ka.req.pod.host_pid" => no_arg(F::Keys(&["requestObject", "spec", "hostPID"])),
            "ka.req.container.privileged" => no_arg(F::AnyPrivileged),
            "ka.req.pod.run_as_user" => no_arg(F::Keys(&[
                "requestObject",
                "spec",
                "securityContext",
                "runAsUser",
            ])),
            "ka.req.pod.run_as_group" => no_arg(F::Keys(&[
                "requestObject",
                "spec",
                "securityContext",
                "runAsGroup",
            ])),
            "ka.req.pod.fs_group" => no_arg(F::Keys(&[
                "requestObject",
                "spec",
                "securityContext",
                "fsGroup",
            ])),
            "ka.req.pod.supplemental_groups" => no_arg(F::KeysList(&[
                "requestObject",
                "spec",
                "securityContext",
                "supplementalGroups",
            ])),
            "ka.req.role.rules" => no_arg(F::KeysList(&["requestObject", "rules"])),
            "ka.req.role.rules.apiGroups" => Ok(F::RulesField("apiGroups", index_arg(arg)?)),
            "ka.req.role.rules.nonResourceURLs" => {
                Ok(F::RulesField("nonResourceURLs", index_arg(arg)?))
            }
            "ka.req.role.rules.verbs" => Ok(F::RulesField("verbs", index_arg(arg)?)),
            "ka.req.role.rules.resources" => Ok(F::RulesField("resources", index_arg(arg)?)),
            "ka.req.service.type" => no_arg(F::Keys(&["requestObject", "spec", "type"])),
            "ka.req.service.ports" => {
                index_arg(arg)?;
                Ok(F::ServicePorts)
            }
            "ka.req.volume.hostpath" => Ok(F::VolumeHostpathMatch(needs_key(arg)?)),
            "ka.req.pod.volumes.hostpath" => Ok(F::Volumes(&["hostPath", "path"], index_arg(arg)?)),
            "ka.req.pod.volumes.flexvolume_driver" => {
                Ok(F::Volumes(&["flexVolume", "driver"], index_arg(arg)?))
            }
            "ka.req.pod.volumes.volume_type" => Ok(F::VolumeTypes(index_arg(arg)?)),
            "ka.resp.name" => no_arg(F::Keys(&["responseObject", "metadata", "name"])),
            "ka.response.code" => no_arg(F::Keys(&["responseStatus", "code"])),
            "ka.response.reason" => no_arg(F::Keys(&["responseStatus", "reason"])),
            "ka.useragent" => no_arg(F::Keys(&["userAgent"])),
            "ka.sourceips" => Ok(F::RulesField("sourceIPs", index_arg(arg)?)),
            "ka.cluster.name" => no_arg(F::Keys(&["annotations", "cluster_name"])),
            "json.value" | "jevt.value" => Ok(F::JsonValue(needs_key(arg)?)),
            "json.obj" | "jevt.obj" => no_arg(F::JsonObj),
            "json.rawtime" | "jevt.rawtime" => no_arg(F::JsonRawTime),
            _ => Err(()),
        }
    }

    /// Extracts the field from `ev` (whose time is `ts`).
    pub(crate) fn extract<'a>(
        &self,
        ev: &'a K8sAuditEvent,
        ts: u64,
        scratch: &'a mut Scratch,
    ) -> FieldValue<'a> {
        scratch.clear();
        let root = &ev.root;
        match self {
            K8sField::JsonValue(ptr) => {
                return match root.pointer(ptr) {
                    None => FieldValue::Missing,
                    Some(Json::String(s)) => FieldValue::Str(s),
                    Some(v) => {
                        v.write_compact(&mut scratch.buf);
                        scratch.text()
                    }
                };
            }
            K8sField::JsonObj => {
                root.write_indented(&mut scratch.buf, 0);
                return scratch.text();
            }
            K8sField::JsonRawTime => {
                use std::fmt::Write as _;
                let _ = write!(scratch.buf, "{ts}");
                return scratch.text();
            }
            _ => {}
        }
        if root.get("auditID").is_none() {
            return FieldValue::Missing;
        }
        match self {
            K8sField::Keys(keys) => match root.get_path(keys) {
                None => FieldValue::Missing,
                Some(Json::String(s)) => FieldValue::Str(s),
                Some(v) => {
                    v.write_compact(&mut scratch.buf);
                    scratch.text()
                }
            },
            K8sField::KeysList(keys) => match root.get_path(keys) {
                Some(Json::Array(items)) => {
                    for item in items.iter() {
                        item.write_as_field(&mut scratch.buf);
                        scratch.end_item();
                    }
                    scratch.list()
                }
                _ => FieldValue::Missing,
            },
            K8sField::UriParam(key) => match root.get("requestURI").and_then(Json::as_str) {
                Some(uri) => uri_param(uri, key, scratch),
                None => match root.get("requestURI") {
                    // The plugin renders a non-string URI as JSON text before parsing it.
                    Some(v) => {
                        let text = v.to_compact();
                        uri_param(&text, key, scratch)
                    }
                    None => FieldValue::Missing,
                },
            },
            K8sField::TargetPodName => {
                let obj = root.get("objectRef");
                let resource = obj.and_then(|o| o.get("resource")).and_then(Json::as_str);
                let sub = obj
                    .and_then(|o| o.get("subresource"))
                    .and_then(Json::as_str)
                    .unwrap_or("");
                if resource == Some("pods") && sub.is_empty() {
                    match root.get_path(&["responseObject", "metadata", "name"]) {
                        None => FieldValue::Missing,
                        Some(Json::String(s)) => FieldValue::Str(s),
                        Some(v) => {
                            v.write_compact(&mut scratch.buf);
                            scratch.text()
                        }
                    }
                } else {
                    FieldValue::Missing
                }
            }
            K8sField::SubjectNames(kind, namespaced) => {
                subject_names(root, kind, *namespaced, scratch)
            }
            K8sField::HasName => FieldValue::Str("true"),
            K8sField::Container { list, attr, index } => {
                container_field(root, *list, *attr, *index, scratch)
            }
            K8sField::FirstImage { repository } => {
                let attr = if *repository {
                    ContainerAttr::ImageRepository
                } else {
                    ContainerAttr::Image
                };
                match container_field(root, PodList::Containers, attr, Some(0), scratch) {
                    FieldValue::StrList(l) => l.get(0).map_or(FieldValue::Missing, FieldValue::Str),
                    other => other,
                }
            }
            K8sField::AnyPrivileged => {
                let mut any = false;
                let ok = walk(
                    root,
                    None,
                    &[
                        "requestObject",
                        "spec",
                        "containers",
                        "securityContext",
                        "privileged",
                    ],
                    &mut |v| any |= v.is_some_and(Json::is_true),
                );
                if !ok {
                    FieldValue::Missing
                } else if any {
                    FieldValue::Str("true")
                } else {
                    FieldValue::Str("false")
                }
            }
            K8sField::RulesField(key, index) => {
                let ok = walk(root, *index, &["requestObject", "rules", key], &mut |v| {
                    if let Some(Json::Array(items)) = v {
                        for item in items.iter() {
                            item.write_as_field(&mut scratch.buf);
                            scratch.end_item();
                        }
                    }
                });
                if ok {
                    scratch.list()
                } else {
                    FieldValue::Missing
                }
            }
            K8sField::ServicePorts => {
                // The plugin's key path ends at `ports`, so it yields the whole array as one
                // JSON text, whatever the index argument.
                skip_nil(root, None, &["requestObject", "spec", "ports"], scratch)
            }
            K8sField::VolumeHostpathMatch(arg) => {
                // The plugin passes the argument index of a key-only field, which is 0: only
                // the first volume is examined.
                let (prefix, is_prefix) = match arg.strip_suffix('*') {
                    Some(p) => (p, true),
                    None => (&**arg, false),
                };
                let mut found = false;
                let ok = walk(
                    root,
                    Some(0),
                    &["requestObject", "spec", "volumes", "hostPath", "path"],
                    &mut |v| {
                        if let Some(v) = v {
                            scratch.buf.clear();
                            v.write_as_field(&mut scratch.buf);
                            let s = scratch.buf.as_str();
                            if (is_prefix && s.starts_with(prefix)) || s == &**arg {
                                found = true;
                            }
                        }
                    },
                );
                scratch.buf.clear();
                if !ok {
                    FieldValue::Missing
                } else if found {
                    FieldValue::Str("true")
                } else {
                    FieldValue::Str("false")
                }
            }
            K8sField::Volumes(keys, index) => {
                let path: &[&str] = match *keys {
                    ["hostPath", "path"] => {
                        &["requestObject", "spec", "volumes", "hostPath", "path"]
                    }
                    _ => &["requestObject", "spec", "volumes", "flexVolume", "driver"],
                };
                skip_nil(root, *index, path, scratch)
            }
            K8sField::VolumeTypes(index) => {
                let ok = walk(
                    root,
                    *index,
                    &["requestObject", "spec", "volumes", ""],
                    &mut |v| {
                        if let Some(Json::Object(members)) = v {
                            for (k, _) in members.iter() {
                                if &**k != "name" {
                                    scratch.push_item(k);
                                }
                            }
                        }
                    },
                );
                if ok {
                    scratch.list()
                } else {
                    FieldValue::Missing
                }
            }
            K8sField::JsonValue(_) | K8sField::JsonObj | K8sField::JsonRawTime => {
                FieldValue::Missing
            }
        }
    }
}

/// Visits the values found under `keys`, the way the plugin's recursive getter does: at each
/// array met before the last key, either every element is visited (no index; an element that
/// lacks the rest of the path is visited as `None`) or only element `index`. An empty key
/// stays on the current value. Returns false when the path is not available.
fn walk<'j>(
    value: &'j Json,
    index: Option<usize>,
    keys: &[&str],
    visit: &mut dyn FnMut(Option<&'j Json>),
) -> bool {
    let mut v = value;
    for (i, key) in keys.iter().enumerate() {
        if let Json::Array(items) = v {
            match index {
                None => {
                    let rest = keys.get(i..).unwrap_or(&[]);
                    for item in items.iter() {
                        if !walk(item, None, rest, visit) {
                            visit(None);
                        }
                    }
                    return true;
                }
                Some(ix) => match items.get(ix) {
                    Some(item) => v = item,
                    None => return false,
                },
            }
        }
        if !key.is_empty() {
            match v.get(key) {
                Some(next) => v = next,
                None => return false,
            }
        }
    }
    visit(Some(v));
    true
}

/// The walked values as text, `None` entries skipped (the plugin's `arrayAsStringsSkipNil`).
fn skip_nil<'a>(
    root: &Json,
    index: Option<usize>,
    keys: &[&str],
    scratch: &'a mut Scratch,
) -> FieldValue<'a> {
    let ok = walk(root, index, keys, &mut |v| {
        if let Some(v) = v {
            v.write_as_field(&mut scratch.buf);
            scratch.end_item();
        }
    });
    if ok {
        scratch.list()
    } else {
        FieldValue::Missing
    }
}

fn container_field<'a>(
    root: &Json,
    list: PodList,
    attr: ContainerAttr,
    index: Option<usize>,
    scratch: &'a mut Scratch,
) -> FieldValue<'a> {
    let base = ["requestObject", "spec", list.key()];
    let mut path: [&str; 6] = ["", "", "", "", "", ""];
    let mut set_path = |tail: &[&'static str]| -> usize {
        let mut n = 0;
        for (slot, k) in path.iter_mut().zip(base.iter().chain(tail.iter())) {
            *slot = k;
            n += 1;
        }
        n
    };
    match attr {
        ContainerAttr::Name | ContainerAttr::Image | ContainerAttr::ImageRepository => {
            let key = if attr == ContainerAttr::Name {
                "name"
            } else {
                "image"
            };
            let n = set_path(&[key]);
            let mut failed = false;
            let ok = walk(
                root,
                index,
                path.get(..n).unwrap_or(&[]),
                &mut |v| match v {
                    Some(v) => {
                        let start = scratch.buf.len();
                        v.write_as_field(&mut scratch.buf);
                        if attr == ContainerAttr::ImageRepository {
                            let s = scratch.buf.get(start..).unwrap_or("");
                            let cut = s.find(':').unwrap_or(s.len());
                            let cut = s.get(..cut).and_then(|s| s.find('@')).unwrap_or(cut);
                            scratch.buf.truncate(start + cut);
                        }
                        scratch.end_item();
                    }
                    None => failed = true,
                },
            );
            if !ok || failed {
                FieldValue::Missing
            } else {
                scratch.list()
            }
        }
        ContainerAttr::Command | ContainerAttr::Args => {
            let key = if attr == ContainerAttr::Command {
                "command"
            } else {
                "args"
            };
            let n = set_path(&[key]);
            let mut failed = false;
            let ok = walk(
                root,
                index,
                path.get(..n).unwrap_or(&[]),
                &mut |v| match v {
                    None => {}
                    Some(Json::Array(words)) => {
                        let start = scratch.buf.len();
                        for (i, w) in words.iter().enumerate() {
                            match w {
                                Json::String(s) => {
                                    if i > 0 {
                                        scratch.buf.push(' ');
                                    }
                                    scratch.buf.push_str(s);
                                }
                                _ => {
                                    failed = true;
                                    scratch.buf.truncate(start);
                                    return;
                                }
                            }
                        }
                        scratch.end_item();
                    }
                    Some(_) => failed = true,
                },
            );
            if !ok || failed {
                FieldValue::Missing
            } else {
                scratch.list()
            }
        }
        ContainerAttr::HostPort => {
            let n = set_path(&["ports"]);
            let mut failed = false;
            let ok = walk(
                root,
                index,
                path.get(..n).unwrap_or(&[]),
                &mut |v| match v {
                    None => {}
                    Some(Json::Array(ports)) => {
                        for port in ports.iter() {
                            let p = port.get("hostPort").or_else(|| port.get("containerPort"));
                            if let Some(p) = p {
                                p.write_as_field(&mut scratch.buf);
                                scratch.end_item();
                            }
                        }
                    }
                    Some(_) => failed = true,
                },
            );
            if !ok || failed {
                FieldValue::Missing
            } else {
                scratch.list()
            }
        }
        ContainerAttr::SecCtx(tail) => {
            let n = set_path(tail);
            skip_nil(root, index, path.get(..n).unwrap_or(&[]), scratch)
        }
        ContainerAttr::Effective(key) => {
            // The pod default comes from `spec.<key>` (not `spec.securityContext`), and each
            // container's value from `<container>.<key>`: the plugin's key paths, kept as is.
            let mut pod_default = String::new();
            match root.get_path(&["requestObject", "spec", key]) {
                Some(v) => v.write_as_field(&mut pod_default),
                None => pod_default.push('0'),
            }
            let n = set_path(&[key]);
            let ok = walk(root, index, path.get(..n).unwrap_or(&[]), &mut |v| {
                match v {
                    Some(v) => v.write_as_field(&mut scratch.buf),
                    None => scratch.buf.push_str(&pod_default),
                }
                scratch.end_item();
            });
            if ok {
                scratch.list()
            } else {
                FieldValue::Missing
            }
        }
    }
}

fn subject_names<'a>(
    root: &Json,
    kind: &str,
    namespaced: bool,
    scratch: &'a mut Scratch,
) -> FieldValue<'a> {
    let Some(Json::Array(subjects)) = root.get_path(&["requestObject", "subjects"]) else {
        return FieldValue::Missing;
    };
    for subject in subjects.iter() {
        let (Some(k), Some(name)) = (subject.get("kind"), subject.get("name")) else {
            continue;
        };
        let start = scratch.buf.len();
        k.write_as_field(&mut scratch.buf);
        let matches = scratch.buf.get(start..) == Some(kind);
        scratch.buf.truncate(start);
        if !matches {
            continue;
        }
        if namespaced {
            let Some(ns) = subject.get("namespace") else {
                continue;
            };
            ns.write_as_field(&mut scratch.buf);
            scratch.buf.push(':');
        }
        name.write_as_field(&mut scratch.buf);
        scratch.end_item();
    }
    scratch.list()
}

/// The first value of query parameter `key` in `uri`, decoded as Go's `url.ParseQuery` does;
/// `<NA>` when absent or when the query is malformed (the plugin gives up on any error).
fn uri_param<'a>(uri: &str, key: &str, scratch: &'a mut Scratch) -> FieldValue<'a> {
    let uri = uri.split('#').next().unwrap_or("");
    let Some((_, query)) = uri.split_once('?') else {
        return FieldValue::Missing;
    };
    let mut found = false;
    let mut key_buf = String::new();
    for part in query.split('&') {
        if part.is_empty() {
            continue;
        }
        if part.contains(';') {
            return FieldValue::Missing;
        }
        let (k, v) = part.split_once('=').unwrap_or((part, ""));
        key_buf.clear();
        if !unescape_query(k, &mut key_buf) {
            return FieldValue::Missing;
        }
        let start = scratch.buf.len();
        if !unescape_query(v, &mut scratch.buf) {
            return FieldValue::Missing;
        }
        if !found && key_buf == key {
            found = true;
        } else {
            scratch.buf.truncate(start);
        }
    }
    if found {
        scratch.text()
    } else {
        FieldValue::Missing
    }
}

/// Decodes `%XX` and `+` like Go's `QueryUnescape`; false on a bad escape.
fn unescape_query(s: &str, out: &mut String) -> bool {
    let bytes = s.as_bytes();
    let mut raw: Vec<u8> = Vec::new();
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        match b {
            b'%' => {
                let hex = bytes
                    .get(i + 1..i + 3)
                    .and_then(|h| std::str::from_utf8(h).ok());
                match hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
                    Some(v) if hex.is_some_and(|h| h.bytes().all(|c| c.is_ascii_hexdigit())) => {
                        raw.push(v)
                    }
                    _ => return false,
                }
                i += 3;
            }
            b'+' => {
                raw.push(b' ');
                i += 1;
            }
            _ => {
                raw.push(b);
                i += 1;
            }
        }
    }
    out.push_str(&String::from_utf8_lossy(&raw));
    true
}
