use super::*;

/// Section names of an ELF64 little-endian object, in header order.
fn section_names(elf: &[u8]) -> Vec<String> {
    let u16_at = |o: usize| elf.get(o..o + 2).map(|b| u16::from_le_bytes([b[0], b[1]]));
    let u64_at = |o: usize| {
        elf.get(o..o + 8)
            .and_then(|b| <[u8; 8]>::try_from(b).ok())
            .map(u64::from_le_bytes)
    };
    let shoff = u64_at(0x28).unwrap_or(0) as usize;
    let shentsize = u16_at(0x3a).unwrap_or(0) as usize;
    let shnum = u16_at(0x3c).unwrap_or(0) as usize;
    let shstrndx = u16_at(0x3e).unwrap_or(0) as usize;
    let str_off = u64_at(shoff + shstrndx * shentsize + 0x18).unwrap_or(0) as usize;
    (0..shnum)
        .map(|i| {
            let name = elf
                .get(shoff + i * shentsize..)
                .and_then(|h| h.get(..4))
                .map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]) as usize)
                .unwrap_or(0);
            let s = elf.get(str_off + name..).unwrap_or(&[]);
            let end = s.iter().position(|&c| c == 0).unwrap_or(s.len());
            String::from_utf8_lossy(&s[..end]).into_owned()
        })
        .collect()
}

#[test]
fn object_is_a_bpf_elf_with_every_program() {
    let obj = object();
    assert_eq!(obj.get(..4), Some(&b"\x7fELF"[..]));
    assert_eq!(
        obj.as_ptr() as usize % 8,
        0,
        "object must be 8-byte aligned"
    );
    let names = section_names(obj);
    for (_, sec) in PROGRAMS {
        assert!(
            names.iter().any(|n| n == sec),
            "missing section {sec} in {names:?}"
        );
    }
    for sec in [".maps", "license", ".BTF", ".BTF.ext", ".rodata"] {
        assert!(
            names.iter().any(|n| n == sec),
            "missing section {sec} in {names:?}"
        );
    }
}

/// The committed object must be what the committed source compiles to, so a
/// machine without clang runs the same program. Rebuild with
/// `FALCO_RT_UPDATE_OBJECT=1 cargo build -p falco-rt-ebpf` after changing the C.
#[test]
fn committed_object_is_up_to_date() {
    if OBJECT_SOURCE == "committed" {
        eprintln!(
            "skip: no clang at build time, so there is nothing to compare the committed object against"
        );
        return;
    }
    let fresh = object();
    let committed = committed_object();
    assert_eq!(
        section_names(fresh),
        section_names(committed),
        "section lists differ: run FALCO_RT_UPDATE_OBJECT=1 cargo build -p falco-rt-ebpf"
    );
    assert!(
        fresh == committed,
        "bpf/capture.bpf.o is stale ({} bytes built by {OBJECT_SOURCE}, {} committed): \
         run FALCO_RT_UPDATE_OBJECT=1 cargo build -p falco-rt-ebpf and commit the object",
        fresh.len(),
        committed.len()
    );
}
