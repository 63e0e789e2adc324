//! RFC 6962 / RFC 9162 Merkle tree hashing and inclusion proof verification (SHA-256).

use sha2::{Digest, Sha256};

use crate::encoding::encode_hex;
use crate::error::{fail, ErrorCode, Result};

/// The hash of a log entry: `SHA-256(0x00 || body)`. The prefix keeps a leaf from ever being
/// mistaken for an interior node (RFC 6962 §2.1).
pub fn leaf_hash(body: &[u8]) -> [u8; 32] {
    Sha256::new().chain_update([0x00]).chain_update(body).finalize().into()
}

/// The hash of an interior node: `SHA-256(0x01 || left || right)`.
pub fn node_hash(left: &[u8; 32], right: &[u8; 32]) -> [u8; 32] {
    Sha256::new().chain_update([0x01]).chain_update(left).chain_update(right).finalize().into()
}

/// Checks that `proof` (sibling hashes from the leaf up, leaf and root excluded) leads from `leaf`
/// at `index` to `root` in a tree of `tree_size` leaves (RFC 9162 §2.1.3.2).
///
/// The index is the one the proof was built for: for Rekor v1 that is the shard-local
/// `inclusionProof.logIndex`, not the global entry index.
pub fn verify_inclusion(
    index: u64,
    tree_size: u64,
    leaf: &[u8; 32],
    proof: &[[u8; 32]],
    root: &[u8; 32],
) -> Result<()> {
    if index >= tree_size {
        return fail(ErrorCode::InclusionProof, format!("leaf index {index} is outside a tree of size {tree_size}"));
    }
    let (inner, border) = proof_shape(index, tree_size);
    let expected_len = inner + border;
    // Checking the length first bounds the work by the tree's height and leaves the hashing
    // below with no failure paths of its own.
    let Some((inner_hashes, border_hashes)) = proof.split_at_checked(inner).filter(|_| proof.len() == expected_len)
    else {
        let what = if proof.len() > expected_len { "too long" } else { "too short" };
        return fail(
            ErrorCode::InclusionProof,
            format!(
                "inclusion proof is {what}: {} hashes for index {index} in a tree of size {tree_size}; expected {expected_len}",
                proof.len()
            ),
        );
    };
    let computed = root_from_proof(index, leaf, inner_hashes, border_hashes);
    if &computed != root {
        return fail(
            ErrorCode::InclusionProof,
            format!("computed root {} != expected {}", encode_hex(&computed), encode_hex(root)),
        );
    }
    Ok(())
}

/// How many proof hashes lie below the point where the paths to `index` and to the last leaf
/// meet (`inner`, siblings on either side) and how many above it (`border`, always left
/// siblings: the right edge of the tree has no right siblings where a subtree is incomplete).
/// Equivalent to RFC 9162's loop, which skips levels where the last node has no sibling.
fn proof_shape(index: u64, tree_size: u64) -> (usize, usize) {
    let last = tree_size - 1;
    let inner = u64::BITS - (index ^ last).leading_zeros();
    let border = index.checked_shr(inner).unwrap_or(0).count_ones();
    (inner as usize, border as usize)
}

fn root_from_proof(index: u64, leaf: &[u8; 32], inner: &[[u8; 32]], border: &[[u8; 32]]) -> [u8; 32] {
    let mut node = *leaf;
    for (level, sibling) in inner.iter().enumerate() {
        node = if (index >> level) & 1 == 0 { node_hash(&node, sibling) } else { node_hash(sibling, &node) };
    }
    for sibling in border {
        node = node_hash(sibling, &node);
    }
    node
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Reference Merkle tree Hash of RFC 6962 §2.1, straight from the definition: split at the
    /// largest power of two smaller than n.
    fn mth(leaves: &[[u8; 32]]) -> [u8; 32] {
        match leaves {
            [] => Sha256::digest([]).into(),
            [one] => *one,
            _ => {
                let k = split(leaves.len());
                node_hash(&mth(&leaves[..k]), &mth(&leaves[k..]))
            }
        }
    }

    fn split(n: usize) -> usize {
        let mut k = 1;
        while k * 2 < n {
            k *= 2;
        }
        k
    }

    /// Reference audit path of RFC 6962 §2.1.1 (PATH(m, D[n])).
    fn path(m: usize, leaves: &[[u8; 32]]) -> Vec<[u8; 32]> {
        if leaves.len() <= 1 {
            return Vec::new();
        }
        let k = split(leaves.len());
        let (mut proof, sibling) = if m < k {
            (path(m, &leaves[..k]), mth(&leaves[k..]))
        } else {
            (path(m - k, &leaves[k..]), mth(&leaves[..k]))
        };
        proof.push(sibling);
        proof
    }

    fn tree(n: usize) -> Vec<[u8; 32]> {
        (0..n).map(|i| leaf_hash(format!("leaf {i}").as_bytes())).collect()
    }

    fn code(r: Result<()>) -> ErrorCode {
        r.unwrap_err().code
    }

    #[test]
    fn leaf_and_node_hashes_follow_rfc_6962() {
        // SHA-256 of the single byte 0x00: the leaf hash of an empty entry.
        assert_eq!(encode_hex(&leaf_hash(b"")), "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d");
        let (a, b) = (leaf_hash(b"a"), leaf_hash(b"b"));
        let mut joined = vec![1u8];
        joined.extend_from_slice(&a);
        joined.extend_from_slice(&b);
        assert_eq!(node_hash(&a, &b), <[u8; 32]>::from(Sha256::digest(&joined)));
    }

    #[test]
    fn every_leaf_of_every_tree_up_to_20_verifies() {
        for n in 1..=20usize {
            let leaves = tree(n);
            let root = mth(&leaves);
            for (m, leaf) in leaves.iter().enumerate() {
                let proof = path(m, &leaves);
                let (index, size) = (m as u64, n as u64);
                verify_inclusion(index, size, leaf, &proof, &root)
                    .unwrap_or_else(|e| panic!("size {n} index {m}: {e}"));
            }
        }
    }

    #[test]
    fn any_change_to_the_inputs_fails() {
        let all = tree(21);
        for n in 1..=20usize {
            let leaves = &all[..n];
            let root = mth(leaves);
            let size = n as u64;
            for (m, leaf) in leaves.iter().enumerate() {
                let index = m as u64;
                let proof = path(m, leaves);
                let ctx = format!("size {n} index {m}");
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
                    let other_root = mth(&all[..other as usize]);
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
    fn single_leaf_tree_has_an_empty_proof() {
        let leaf = leaf_hash(b"only");
        verify_inclusion(0, 1, &leaf, &[], &leaf).unwrap();
        let err = verify_inclusion(0, 1, &leaf, &[leaf], &leaf).unwrap_err();
        assert!(err.message.contains("too long"), "{}", err.message);
    }

    #[test]
    fn messages_say_what_was_expected() {
        let leaves = tree(5);
        let root = mth(&leaves);
        let err = verify_inclusion(5, 5, &leaves[0], &[], &root).unwrap_err();
        assert_eq!(err.message, "leaf index 5 is outside a tree of size 5");
        let err = verify_inclusion(0, 0, &leaves[0], &[], &root).unwrap_err();
        assert_eq!(err.code, ErrorCode::InclusionProof);
        let err = verify_inclusion(0, 5, &leaves[0], &path(0, &leaves)[..2], &root).unwrap_err();
        assert_eq!(err.message, "inclusion proof is too short: 2 hashes for index 0 in a tree of size 5; expected 3");
        let err = verify_inclusion(0, 5, &leaves[1], &path(0, &leaves), &root).unwrap_err();
        assert!(
            err.message.starts_with("computed root ")
                && err.message.contains(&format!("!= expected {}", encode_hex(&root)))
        );
    }

    #[test]
    fn huge_trees_and_long_proofs_fail_without_panicking() {
        let leaf = leaf_hash(b"x");
        let proof = vec![leaf; 200];
        for (index, size) in [(0, u64::MAX), (u64::MAX - 1, u64::MAX), (1 << 63, u64::MAX), (3, 4)] {
            assert_eq!(code(verify_inclusion(index, size, &leaf, &proof, &leaf)), ErrorCode::InclusionProof);
        }
        // The last leaf of a maximal tree: the shape is 64 inner hashes at most.
        assert_eq!(proof_shape(u64::MAX - 1, u64::MAX), (0, 63));
        assert_eq!(proof_shape(0, u64::MAX), (64, 0));
    }
}
