use falco_test_budget::bounded;

use super::*;

fn sample() -> Bundle {
    Bundle {
        engine_version: "0.1.0".into(),
        required_engine_version: Some("0.26.0".into()),
        plugins: vec![PluginRequirement {
            name: "k8saudit".into(),
            version: "0.6.0".into(),
            alternatives: vec![("k8saudit-eks".into(), "0.1.0".into())],
        }],
        sources: vec!["syscall".into()],
        fields: vec![Field {
            source: 0,
            name: "proc.name".into(),
            arg: None,
        }],
        consts: vec![
            Const::Str(b"bash".to_vec()),
            Const::Net("10.0.0.0".parse().unwrap(), 8),
        ],
        operands: vec![
            Operand::Field(0),
            Operand::Transform {
                kind: Transform::ToUpper,
                args: vec![0],
                arg: None,
            },
        ],
        checks: vec![
            Check {
                lhs: 0,
                op: CmpOp::Eq,
                quant: None,
                rhs: Rhs::Const(0),
            },
            Check {
                lhs: 1,
                op: CmpOp::In,
                quant: None,
                rhs: Rhs::List(vec![0]),
            },
        ],
        code: vec![
            Insn::Check(0),
            Insn::JumpIfFalse(3),
            Insn::Check(1),
            Insn::Return,
        ],
        rules: vec![Rule {
            name: "r".into(),
            desc: "d".into(),
            priority: Priority::Warning,
            tags: vec!["a".into()],
            source: 0,
            enabled: true,
            output: vec![OutputPart::Text("x ".into()), OutputPart::Field(0)],
            code_start: 0,
            code_len: 4,
            event_types: EventTypes::Only(vec!["execve".into()]),
            fields: vec![0],
        }],
        syscalls: SyscallSet {
            all: false,
            names: vec!["execve".into()],
        },
    }
}

#[test]
fn round_trip_and_deterministic() {
    let b = sample();
    let bytes = encode(&b);
    assert_eq!(bytes, encode(&b));
    assert_eq!(decode(&bytes).unwrap(), b);
    assert_eq!(content_hash(&bytes).unwrap().len(), 64);
}

#[test]
fn refuses_corruption_and_truncation() {
    let bytes = encode(&sample());
    for len in 0..bytes.len() {
        assert!(decode(&bytes[..len]).is_err(), "truncated at {len}");
    }
    let mut flipped = bytes.clone();
    let last = flipped.len() - 1;
    flipped[last] ^= 1;
    let err = decode(&flipped).unwrap_err();
    assert!(err.message.contains("hash"), "{err}");
    let mut magic = bytes;
    magic[0] = b'X';
    assert!(decode(&magic).unwrap_err().message.contains("magic"));
}

#[test]
fn verifier_refuses_backward_jumps_and_bad_indices() {
    let mut b = sample();
    b.code[1] = Insn::JumpIfFalse(0);
    assert!(verify(&b).unwrap_err().message.contains("jump"));
    let mut b = sample();
    b.code[0] = Insn::Check(9);
    assert!(verify(&b).is_err());
    let mut b = sample();
    b.operands[1] = Operand::Transform {
        kind: Transform::ToUpper,
        args: vec![1],
        arg: None,
    };
    assert!(verify(&b).unwrap_err().message.contains("earlier"));
    let mut b = sample();
    b.checks[0].rhs = Rhs::Const(1);
    b.checks[0].op = CmpOp::Contains;
    assert!(verify(&b).is_err());
    let mut b = sample();
    b.rules[0].code_len = 3;
    assert!(verify(&b).unwrap_err().message.contains("return"));
}

#[test]
fn hostile_counts_do_not_allocate() {
    // A payload claiming 4 G sources, with a valid hash over it.
    use sha2::Digest;
    let mut payload = Vec::new();
    payload.extend_from_slice(&0u32.to_le_bytes()); // engine version ""
    payload.push(0); // no required version
    payload.extend_from_slice(&0u32.to_le_bytes()); // no plugins
    payload.extend_from_slice(&u32::MAX.to_le_bytes()); // sources
    let mut bytes = MAGIC.to_vec();
    bytes.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
    bytes.extend_from_slice(&sha2::Sha256::digest(&payload));
    bytes.extend_from_slice(&payload);
    let err = decode(&bytes).unwrap_err();
    assert!(err.message.contains("exceeds"), "{err}");
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(falco_test_budget::cases(512)))]

    /// Any payload behind a valid header and hash decodes or is refused, never panics.
    #[test]
    fn arbitrary_payloads_never_panic(payload in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..512)) {
        let mut bytes = MAGIC.to_vec();
        bytes.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
        bytes.extend_from_slice(&[0; 32]);
        bytes.extend_from_slice(&payload);
        reseal(&mut bytes);
        bounded(format!("payload {payload:?}"), || decode(&bytes)).ok();
    }

    /// Edits of a valid bundle's payload, resealed, decode or are refused.
    #[test]
    fn edited_bundles_never_panic(edits in proptest::collection::vec((proptest::prelude::any::<usize>(), proptest::prelude::any::<u8>()), 1..6)) {
        let mut bytes = encode(&sample());
        let len = bytes.len() - HEADER_LEN;
        for (at, value) in &edits {
            bytes[HEADER_LEN + at % len] = *value;
        }
        reseal(&mut bytes);
        bounded(format!("the sample bundle with bytes changed at {edits:?}"), || {
            if let Ok(bundle) = decode(&bytes) {
                proptest::prop_assert!(verify(&bundle).is_ok());
            }
            Ok(())
        })?;
    }
}
