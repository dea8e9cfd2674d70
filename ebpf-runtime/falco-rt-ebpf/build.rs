//! Builds `bpf/capture.bpf.c` into `$OUT_DIR/capture.bpf.o` with clang when one
//! is available, and otherwise copies the committed `bpf/capture.bpf.o`, so
//! that `cargo build` needs nothing but cargo.
//!
//! Environment:
//! - `FALCO_RT_CLANG`, `FALCO_RT_LLVM_STRIP`: tools to use (default: the first
//!   of `clang-19`, `clang` / `llvm-strip-19`, `llvm-strip` that runs).
//! - `FALCO_RT_EBPF_PREBUILT=1`: never compile, use the committed object.
//! - `FALCO_TEST_ALL=1`, the test suite's one switch (`falco_test_budget::VAR`), as
//!   in CI: fail instead of falling back, so CI builds the program from source.
//! - `FALCO_RT_UPDATE_OBJECT=1`: copy the fresh build over the committed object.

use std::env;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

const SOURCES: &[&str] = &["bpf/capture.bpf.c", "bpf/record.h", "bpf/vmlinux.h"];
const COMMITTED: &str = "bpf/capture.bpf.o";

fn main() {
    for s in SOURCES {
        println!("cargo:rerun-if-changed={s}");
    }
    println!("cargo:rerun-if-changed={COMMITTED}");
    for v in [
        "FALCO_RT_CLANG",
        "FALCO_RT_LLVM_STRIP",
        "FALCO_RT_EBPF_PREBUILT",
        "FALCO_TEST_ALL",
        "FALCO_RT_UPDATE_OBJECT",
    ] {
        println!("cargo:rerun-if-env-changed={v}");
    }

    let manifest = PathBuf::from(env::var_os("CARGO_MANIFEST_DIR").expect("CARGO_MANIFEST_DIR"));
    let out = PathBuf::from(env::var_os("OUT_DIR").expect("OUT_DIR")).join("capture.bpf.o");
    let require = flag("FALCO_TEST_ALL");

    let built = if flag("FALCO_RT_EBPF_PREBUILT") {
        Err("FALCO_RT_EBPF_PREBUILT=1".to_string())
    } else {
        compile(&manifest, &out)
    };
    let source = match built {
        Ok(clang) => {
            if flag("FALCO_RT_UPDATE_OBJECT") {
                fs::copy(&out, manifest.join(COMMITTED)).expect("update committed object");
            }
            format!("clang:{clang}")
        }
        Err(why) => {
            if require {
                panic!("FALCO_TEST_ALL=1 but the eBPF program was not compiled: {why}");
            }
            println!("cargo:warning=falco-rt-ebpf: using the committed {COMMITTED} ({why})");
            fs::copy(manifest.join(COMMITTED), &out).expect("copy committed object");
            "committed".to_string()
        }
    };
    println!("cargo:rustc-env=FALCO_RT_OBJECT_SOURCE={source}");
}

fn flag(name: &str) -> bool {
    env::var(name).is_ok_and(|v| v == "1")
}

/// Finds the first tool that runs, preferring the override variable.
fn tool(var: &str, candidates: &[&str]) -> Option<String> {
    if let Ok(v) = env::var(var) {
        return Some(v);
    }
    candidates
        .iter()
        .find(|c| {
            Command::new(c)
                .arg("--version")
                .output()
                .is_ok_and(|o| o.status.success())
        })
        .map(|c| (*c).to_string())
}

/// Compiles and strips the program; returns the clang used.
fn compile(manifest: &Path, out: &Path) -> Result<String, String> {
    let clang = tool("FALCO_RT_CLANG", &["clang-19", "clang"]).ok_or("no clang found")?;
    let strip = tool("FALCO_RT_LLVM_STRIP", &["llvm-strip-19", "llvm-strip"])
        .ok_or("no llvm-strip found")?;
    // The BTF line info names the source file: compile from inside bpf/ and map
    // that directory to `.`, so the object does not depend on the checkout path.
    let bpf_dir = manifest.join("bpf");
    let mut prefix_map = std::ffi::OsString::from("-fdebug-prefix-map=");
    prefix_map.push(&bpf_dir);
    prefix_map.push("=.");
    let status = Command::new(&clang)
        .current_dir(&bpf_dir)
        .args([
            "-target",
            "bpf",
            "-D__TARGET_ARCH_x86",
            "-O2",
            "-g",
            "-Wall",
            "-Werror",
        ])
        .arg(prefix_map)
        .args(["-c", "capture.bpf.c", "-o"])
        .arg(out)
        .status()
        .map_err(|e| format!("{clang}: {e}"))?;
    if !status.success() {
        return Err(format!("{clang} failed: {status}"));
    }
    let status = Command::new(&strip)
        .arg("-g")
        .arg(out)
        .status()
        .map_err(|e| format!("{strip}: {e}"))?;
    if !status.success() {
        return Err(format!("{strip} failed: {status}"));
    }
    Ok(clang)
}
