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
    fn single_leaf_tree_has_an_empty_proof() {
        let leaf = leaf_hash(b"only");
        verify_inclusion(0, 1, &leaf, &[], &leaf).unwrap();
        let err = verify_inclusion(0, 1, &leaf, &[leaf], &leaf).unwrap_err();
        assert!(err.message.contains("too long"), "{}", err.message);
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
