//! The architecture invariants of `docs/architecture.md`, checked on the resolved
//! dependency graph (`cargo metadata`, transitive, normal dependencies only: what
//! a crate links) and, for UTF-16, on the sources.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::sync::OnceLock;

use falco_rulec_tests::{cargo_metadata, repo_root};

/// The crates that read rule text: YAML, items, conditions, resolution, types.
const PARSERS: &[&str] = &[
    "falco-yaml",
    "falco-loader",
    "falco-condition",
    "falco-resolve",
    "falco-typeck",
    "falco-lower",
    "falco-analysis",
    "falco-format",
    "saphyr-parser",
    "chumsky",
];

/// The crates that define LSP types.
const LSP_CRATES: &[&str] = &["tower-lsp-server", "ls-types", "lsp-types", "tower-lsp"];

/// The resolved dependency graph: package names, what each links directly, and
/// which packages are the workspace's.
struct Graph {
    /// Normal dependencies by package name.
    deps: BTreeMap<String, BTreeSet<String>>,
    /// Workspace packages by name, with their manifest's directory.
    workspace: BTreeMap<String, String>,
}

impl Graph {
    /// Everything `package` links, directly or not.
    fn links(&self, package: &str) -> BTreeSet<String> {
        let mut seen = BTreeSet::new();
        let mut stack = vec![package.to_owned()];
        while let Some(name) = stack.pop() {
            for dep in self.deps.get(&name).into_iter().flatten() {
                if seen.insert(dep.clone()) {
                    stack.push(dep.clone());
                }
            }
        }
        seen
    }

    /// The workspace crates `package` links.
    fn links_of_workspace(&self, package: &str) -> BTreeSet<String> {
        let mut links = self.links(package);
        links.retain(|name| self.workspace.contains_key(name));
        links
    }
}

fn graph() -> &'static Graph {
    static GRAPH: OnceLock<Graph> = OnceLock::new();
    GRAPH.get_or_init(|| {
        let metadata = cargo_metadata();
        let packages = metadata["packages"].as_array().expect("packages");
        let name_of = |id: &str| -> String {
            packages
                .iter()
                .find(|package| package["id"] == id)
                .and_then(|package| package["name"].as_str())
                .unwrap_or_else(|| panic!("no package {id}"))
                .to_owned()
        };
        let mut deps = BTreeMap::new();
        for node in metadata["resolve"]["nodes"].as_array().expect("nodes") {
            let linked = node["deps"]
                .as_array()
                .into_iter()
                .flatten()
                .filter(|dep| {
                    dep["dep_kinds"]
                        .as_array()
                        .into_iter()
                        .flatten()
                        .any(|kind| kind["kind"].is_null())
                })
                .map(|dep| name_of(dep["pkg"].as_str().unwrap_or_default()))
                .collect();
            deps.insert(name_of(node["id"].as_str().unwrap_or_default()), linked);
        }
        let workspace = metadata["workspace_members"]
            .as_array()
            .expect("workspace members")
            .iter()
            .map(|id| {
                let id = id.as_str().unwrap_or_default();
                let package = packages.iter().find(|package| package["id"] == id);
                let dir = package
                    .and_then(|package| package["manifest_path"].as_str())
                    .and_then(|path| Path::new(path).parent())
                    .map(|dir| dir.display().to_string())
                    .unwrap_or_default();
                (name_of(id), dir)
            })
            .collect();
        Graph { deps, workspace }
    })
}

#[test]
fn the_vm_and_its_events_link_no_parser_crate() {
    for package in ["falco-vm", "falco-events"] {
        let links = graph().links(package);
        for parser in PARSERS {
            assert!(!links.contains(*parser), "{package} links {parser}");
        }
    }
    assert!(
        graph().links("falco-vm").contains("falco-events"),
        "the graph is not resolved"
    );
}

/// What the syntax-only stages must not know: the loader no schemas, conditions,
/// bundles or LSP; the condition parser no fields, schemas, files or YAML.
#[test]
fn syntax_stages_know_only_syntax() {
    let never = [
        (
            "falco-loader",
            &[
                "falco-schema",
                "falco-condition",
                "falco-bundle",
                "tower-lsp-server",
            ][..],
        ),
        (
            "falco-condition",
            &[
                "falco-schema",
                "falco-yaml",
                "falco-loader",
                "saphyr-parser",
            ][..],
        ),
    ];
    for (package, unknown) in never {
        let links = graph().links(package);
        for name in unknown {
            assert!(!links.contains(*name), "{package} links {name}");
        }
    }
}

#[test]
fn the_registry_links_only_the_bundle() {
    assert_eq!(
        graph().links_of_workspace("falco-registry"),
        BTreeSet::from(["falco-bundle".to_owned(), "falco-priority".to_owned()])
    );
}

/// The bundle links `sha2` and the priorities, a leaf of the workspace with no
/// dependencies of its own.
#[test]
fn bundles_depend_on_sha2_and_the_priorities_only() {
    let graph = graph();
    let direct = &graph.deps["falco-bundle"];
    assert_eq!(
        direct,
        &BTreeSet::from(["sha2".to_owned(), "falco-priority".to_owned()])
    );
    assert_eq!(
        graph.links_of_workspace("falco-bundle"),
        BTreeSet::from(["falco-priority".to_owned()])
    );
    assert!(graph.links("falco-priority").is_empty());
}

/// Only the language server links LSP types; the fuzz crate does too, through the
/// server its `lsp` target drives.
#[test]
fn only_the_language_server_knows_lsp_types() {
    let graph = graph();
    for package in graph.workspace.keys() {
        let links = graph.links(package);
        let knows = LSP_CRATES.iter().any(|lsp| links.contains(*lsp));
        assert_eq!(
            knows,
            package == "falco-rules-lsp"
                || (package == "falco-rulec-fuzz" && links.contains("falco-rules-lsp")),
            "{package} {} LSP types",
            if knows { "links" } else { "does not link" }
        );
    }
}

/// `docs/architecture.md` lists the workspace crates the agent links; they are
/// exactly those it links.
#[test]
fn the_agent_links_what_the_architecture_doc_says() {
    let graph = graph();
    let doc = std::fs::read_to_string(repo_root().join("docs/architecture.md"))
        .expect("docs/architecture.md");
    let marker = "`falco-rt` links exactly";
    let sentence = doc
        .split_once(marker)
        .map(|(_, rest)| rest.split(';').next().unwrap_or_default())
        .unwrap_or_else(|| panic!("docs/architecture.md no longer says {marker:?}"));
    let mut said = BTreeSet::new();
    for name in sentence.split('`').skip(1).step_by(2) {
        match name.strip_suffix('*') {
            Some(prefix) => said.extend(
                graph
                    .workspace
                    .keys()
                    .filter(|crate_name| crate_name.starts_with(prefix))
                    .cloned(),
            ),
            None if name.starts_with("falco-") => {
                said.insert(name.to_owned());
            }
            None => {}
        }
    }
    assert_eq!(graph.links_of_workspace("falco-rt"), said);
    let parsers: Vec<&&str> = PARSERS
        .iter()
        .filter(|parser| said.contains(**parser) && **parser != "falco-yaml")
        .collect();
    assert!(parsers.is_empty(), "the agent links {parsers:?}");
}

/// Front ends reach the analysis through `falco-analysis`; the compiler's crates
/// never climb into the node agent's (but for the syscall table of the leaf
/// `falco-rt-record`), and nothing but tests and fuzz targets links a front end.
#[test]
fn values_flow_down_from_the_front_ends() {
    let graph = graph();
    assert!(!graph.links("falco-rules-lsp").contains("falco-rulec"));
    assert!(graph.links("falco-rules-lsp").contains("falco-analysis"));
    assert!(graph.links("falco-rulec").contains("falco-analysis"));
    for (package, dir) in &graph.workspace {
        let links = graph.links_of_workspace(package);
        for front_end in ["falco-rulec", "falco-rules-lsp", "falco-rt"] {
            let tests = ["falco-rulec-tests", "falco-rulec-fuzz"];
            assert!(
                !links.contains(front_end) || tests.contains(&package.as_str()),
                "{package} links the front end {front_end}"
            );
        }
        if Path::new(dir).starts_with(repo_root().join("compiler")) {
            // The one exception: the capture reader takes the x86_64 syscall table from
            // falco-rt-record, a leaf without dependencies (docs/architecture.md).
            let runtime: Vec<&String> = links
                .iter()
                .filter(|name| name.starts_with("falco-rt") && *name != "falco-rt-record")
                .collect();
            assert!(runtime.is_empty(), "{package} links {runtime:?}");
        }
    }
}

/// The UTF-16 arithmetic is `falco_span`'s (`line_index.rs`); the language server
/// converts positions in `convert.rs` alone. Tests are not counted.
#[test]
fn utf16_conversion_lives_in_one_place() {
    let allowed = [
        "compiler/crates/falco-span/src/line_index.rs",
        "compiler/crates/falco-span/src/lib.rs",
        "lsp/src/convert.rs",
    ];
    let mut found = Vec::new();
    for dir in ["compiler", "lsp", "ebpf-runtime", "tests/src"] {
        rust_sources(&repo_root().join(dir), &mut found);
    }
    let mut offenders = Vec::new();
    for path in found {
        let relative = path.strip_prefix(repo_root()).unwrap_or(&path);
        let relative = relative.display().to_string();
        let text = std::fs::read_to_string(&path).unwrap_or_default();
        let code_uses_utf16 = text.lines().any(|line| {
            let line = line.trim_start();
            !line.starts_with("//") && line.contains("utf16")
        });
        if code_uses_utf16 && !allowed.contains(&relative.as_str()) {
            offenders.push(relative);
        }
    }
    assert!(offenders.is_empty(), "UTF-16 conversion in {offenders:?}");
}

/// The Rust files under `dir` that are not tests or build output.
fn rust_sources(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.filter_map(Result::ok) {
        let path = entry.path();
        let name = entry.file_name().to_string_lossy().into_owned();
        if path.is_dir() {
            if !matches!(
                name.as_str(),
                "target" | "tests" | "node_modules" | "benches"
            ) {
                rust_sources(&path, out);
            }
        } else if name.ends_with(".rs") && name != "tests.rs" {
            out.push(path);
        }
    }
}
