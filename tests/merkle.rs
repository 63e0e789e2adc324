//! Inclusion proofs (`tlog::merkle::verify_inclusion`) against the RFC 6962 tree the private
//! instance builds every log with (`support::instance::rekor::MerkleTree`, written from the RFC's
//! definitions): every leaf of every tree up to 20 leaves verifies, and any change to the inputs
//! fails, saying what was expected.

mod support;

use sigstore_wasm::encoding::encode_hex;
use sigstore_wasm::error::{ErrorCode, VerificationError};
use sigstore_wasm::tlog::merkle::verify_inclusion;
use support::instance::rekor::{leaf_hash, MerkleTree};

/// A tree of `n` leaves ("leaf 0", "leaf 1", ...) and their hashes.
fn tree(n: usize) -> (MerkleTree, Vec<[u8; 32]>) {
    let mut tree = MerkleTree::default();
    let data: Vec<String> = (0..n).map(|i| format!("leaf {i}")).collect();
    for leaf in &data {
        tree.append(leaf.as_bytes());
    }
    (tree, data.iter().map(|leaf| leaf_hash(leaf.as_bytes())).collect())
}

fn code(r: Result<(), VerificationError>) -> ErrorCode {
    r.unwrap_err().code
}

#[test]
fn every_leaf_of_every_tree_up_to_20_verifies() {
    for n in 1..=20u64 {
        let (tree, leaves) = tree(n as usize);
        let root = tree.root(n);
        for (m, leaf) in (0u64..).zip(&leaves) {
            let proof = tree.inclusion_proof(m, n);
            verify_inclusion(m, n, leaf, &proof, &root).unwrap_or_else(|e| panic!("size {n} index {m}: {e}"));
        }
    }
}

#[test]
fn any_change_to_the_inputs_fails() {
    let (all, leaves) = tree(21);
    for size in 1..=20u64 {
        let root = all.root(size);
        for (index, leaf) in (0u64..size).zip(&leaves) {
            let proof = all.inclusion_proof(index, size);
            let ctx = format!("size {size} index {index}");
            // Another index: either the shape differs or the left/right choices do.
            for other in (0..size).filter(|&o| o != index) {
                assert_eq!(
                    code(verify_inclusion(other, size, leaf, &proof, &root)),
                    ErrorCode::InclusionProof,
                    "{ctx} as {other}"
                );
            }
            // Another size, with that tree's root as a checkpoint would pair them. (With the
            // same root, a size whose proof has the same shape, such as 4 for a proof built at
            // size 3, computes the same root: the signed checkpoint is what binds the two.)
            for other in (index + 1..=21).filter(|&s| s != size) {
                let other_root = all.root(other);
                assert_eq!(
                    code(verify_inclusion(index, other, leaf, &proof, &other_root)),
                    ErrorCode::InclusionProof,
                    "{ctx} size {other}"
                );
            }
            let mut longer = proof.clone();
            longer.push(root);
            assert_eq!(
                code(verify_inclusion(index, size, leaf, &longer, &root)),
                ErrorCode::InclusionProof,
                "{ctx} extra"
            );
            if let Some((_, shorter)) = proof.split_last() {
                assert_eq!(
                    code(verify_inclusion(index, size, leaf, shorter, &root)),
                    ErrorCode::InclusionProof,
                    "{ctx} missing"
                );
            }
            for i in 0..proof.len() {
                let mut flipped = proof.clone();
                flipped[i][31] ^= 1;
                assert_eq!(
                    code(verify_inclusion(index, size, leaf, &flipped, &root)),
                    ErrorCode::InclusionProof,
                    "{ctx} hash {i}"
                );
            }
            let mut bad_leaf = *leaf;
            bad_leaf[0] ^= 0x80;
            assert_eq!(
                code(verify_inclusion(index, size, &bad_leaf, &proof, &root)),
                ErrorCode::InclusionProof,
                "{ctx} leaf"
            );
            let mut bad_root = root;
            bad_root[5] ^= 4;
            assert_eq!(
                code(verify_inclusion(index, size, leaf, &proof, &bad_root)),
                ErrorCode::InclusionProof,
                "{ctx} root"
            );
        }
    }
}

#[test]
fn messages_say_what_was_expected() {
    let (tree, leaves) = tree(5);
    let root = tree.root(5);
    let err = verify_inclusion(5, 5, &leaves[0], &[], &root).unwrap_err();
    assert_eq!(err.message, "leaf index 5 is outside a tree of size 5");
    let err = verify_inclusion(0, 0, &leaves[0], &[], &root).unwrap_err();
    assert_eq!(err.code, ErrorCode::InclusionProof);
    let err = verify_inclusion(0, 5, &leaves[0], &tree.inclusion_proof(0, 5)[..2], &root).unwrap_err();
    assert_eq!(err.message, "inclusion proof is too short: 2 hashes for index 0 in a tree of size 5; expected 3");
    let err = verify_inclusion(0, 5, &leaves[1], &tree.inclusion_proof(0, 5), &root).unwrap_err();
    assert!(
        err.message.starts_with("computed root ")
            && err.message.contains(&format!("!= expected {}", encode_hex(&root)))
    );
}
