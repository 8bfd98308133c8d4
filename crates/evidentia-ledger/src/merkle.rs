//! The Merkle tree of RFC 9162 §2.1 over entry hashes, beside the chain: a checkpoint's root
//! commits to every entry, an inclusion proof shows one entry is in it without the others,
//! and a consistency proof shows an earlier checkpoint is a prefix of a later one.
//!
//! Leaf `i` (0-based) is entry `seq = i + 1`; its leaf data is the 32-byte entry hash, so
//! `leaf hash = SHA-256(0x00 ‖ entry_hash)` and `node = SHA-256(0x01 ‖ left ‖ right)`.
//! Hand-written rather than taken from a crate: the algorithms are a page of the RFC, the
//! tree must be fed from our own store in sequence order, and the RFC 6962 test vectors
//! (the same ones Trillian and Tessera test against) pin it below.

use sha2::{Digest, Sha256};

use crate::Hash;

/// A proof or tree request that cannot be answered or does not hold.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProofError {
    #[error("leaf {index} is not in a tree of {size} entries")]
    IndexOutOfRange { index: u64, size: u64 },
    #[error("tree size {requested} is larger than the {available} entries there are")]
    SizeOutOfRange { requested: u64, available: u64 },
    #[error("an earlier tree of {old} entries cannot follow one of {new}")]
    SizesReversed { old: u64, new: u64 },
    #[error("the proof has {found} hashes, a tree of this shape needs {expected}")]
    WrongLength { expected: usize, found: usize },
    #[error("the proof leads to root {computed}, not {expected}")]
    RootMismatch { computed: Hash, expected: Hash },
}

/// `SHA-256(0x00 ‖ data)`: the hash of one leaf.
pub fn leaf_hash(data: &[u8]) -> Hash {
    let mut h = Sha256::new();
    h.update([0u8]);
    h.update(data);
    Hash(h.finalize().into())
}

/// `SHA-256(0x01 ‖ left ‖ right)`: the hash of an interior node.
pub fn node_hash(left: &Hash, right: &Hash) -> Hash {
    let mut h = Sha256::new();
    h.update([1u8]);
    h.update(left.0);
    h.update(right.0);
    Hash(h.finalize().into())
}

/// The root of the empty tree: SHA-256 of no bytes.
pub fn empty_root() -> Hash {
    Hash::of(b"")
}

/// The largest power of two strictly below `n` (for `n ≥ 2`): where RFC 9162 splits a tree.
fn split(n: u64) -> u64 {
    debug_assert!(n >= 2);
    1u64 << (63 - (n - 1).leading_zeros())
}

/// Every complete subtree's hash, level by level, so that roots at any earlier size and
/// proofs cost a logarithmic number of hashes once the tree is built.
#[derive(Debug, Clone, Default)]
pub struct MerkleTree {
    /// `levels[k][i]` is the hash of leaves `i·2^k .. (i+1)·2^k`; `levels[0]` are leaf hashes.
    levels: Vec<Vec<Hash>>,
}

impl MerkleTree {
    pub fn new() -> MerkleTree {
        MerkleTree::default()
    }

    /// Builds the tree over entry hashes in sequence order.
    pub fn from_entry_hashes<'a>(hashes: impl IntoIterator<Item = &'a Hash>) -> MerkleTree {
        let mut tree = MerkleTree::new();
        for h in hashes {
            tree.push_entry(h);
        }
        tree
    }

    /// Appends the next entry (its entry hash is the leaf data).
    pub fn push_entry(&mut self, entry_hash: &Hash) {
        self.push_leaf_hash(leaf_hash(&entry_hash.0));
    }

    /// Appends a leaf by its leaf hash, completing every subtree it closes.
    pub fn push_leaf_hash(&mut self, leaf: Hash) {
        let mut node = leaf;
        let mut level = 0;
        loop {
            if self.levels.len() == level {
                self.levels.push(Vec::new());
            }
            self.levels[level].push(node);
            let len = self.levels[level].len();
            if len % 2 == 1 {
                break;
            }
            node = node_hash(&self.levels[level][len - 2], &self.levels[level][len - 1]);
            level += 1;
        }
    }

    /// How many leaves (entries) the tree holds.
    pub fn size(&self) -> u64 {
        self.levels.first().map_or(0, |l| l.len() as u64)
    }

    /// The leaf hash of leaf `index`.
    pub fn leaf(&self, index: u64) -> Option<Hash> {
        self.levels
            .first()?
            .get(usize::try_from(index).ok()?)
            .copied()
    }

    /// The root over all leaves.
    pub fn root(&self) -> Hash {
        self.root_at(self.size()).unwrap_or_else(|_| empty_root())
    }

    /// The root of the tree of the first `size` leaves.
    pub fn root_at(&self, size: u64) -> Result<Hash, ProofError> {
        self.check_size(size)?;
        if size == 0 {
            return Ok(empty_root());
        }
        Ok(self.subtree(0, size))
    }

    fn check_size(&self, size: u64) -> Result<(), ProofError> {
        if size > self.size() {
            return Err(ProofError::SizeOutOfRange {
                requested: size,
                available: self.size(),
            });
        }
        Ok(())
    }

    /// MTH(D[lo:hi]) for `lo < hi ≤ size`. A complete, aligned subtree is one lookup; the
    /// right edge of a tree that is not a power of two is folded from its complete parts.
    fn subtree(&self, lo: u64, hi: u64) -> Hash {
        let n = hi - lo;
        if n.is_power_of_two() && lo % n == 0 {
            let level = n.trailing_zeros() as usize;
            return self.levels[level][(lo >> level) as usize];
        }
        let k = split(n);
        node_hash(&self.subtree(lo, lo + k), &self.subtree(lo + k, hi))
    }

    /// PATH(index, D[size]) of RFC 9162 §2.1.3.1: the sibling hashes from the leaf up.
    pub fn inclusion_proof(&self, index: u64, size: u64) -> Result<Vec<Hash>, ProofError> {
        self.check_size(size)?;
        if index >= size {
            return Err(ProofError::IndexOutOfRange { index, size });
        }
        let mut proof = Vec::new();
        self.path(index, 0, size, &mut proof);
        Ok(proof)
    }

    fn path(&self, m: u64, lo: u64, hi: u64, out: &mut Vec<Hash>) {
        let n = hi - lo;
        if n == 1 {
            return;
        }
        let k = split(n);
        if m < k {
            self.path(m, lo, lo + k, out);
            out.push(self.subtree(lo + k, hi));
        } else {
            self.path(m - k, lo + k, hi, out);
            out.push(self.subtree(lo, lo + k));
        }
    }

    /// PROOF(old, D[new]) of RFC 9162 §2.1.4.1: empty when `old` is 0 or equals `new`.
    pub fn consistency_proof(&self, old: u64, new: u64) -> Result<Vec<Hash>, ProofError> {
        self.check_size(new)?;
        if old > new {
            return Err(ProofError::SizesReversed { old, new });
        }
        let mut proof = Vec::new();
        if old > 0 && old < new {
            self.subproof(old, 0, new, true, &mut proof);
        }
        Ok(proof)
    }

    fn subproof(&self, m: u64, lo: u64, hi: u64, whole: bool, out: &mut Vec<Hash>) {
        let n = hi - lo;
        if m == n {
            if !whole {
                out.push(self.subtree(lo, hi));
            }
            return;
        }
        let k = split(n);
        if m <= k {
            self.subproof(m, lo, lo + k, whole, out);
            out.push(self.subtree(lo + k, hi));
        } else {
            self.subproof(m - k, lo + k, hi, false, out);
            out.push(self.subtree(lo, lo + k));
        }
    }
}

/// The root of a growing tree in logarithmic memory: the complete subtrees along its right
/// edge (one per set bit of the size), for verifiers that stream entries once.
#[derive(Debug, Clone, Default)]
pub struct RootBuilder {
    size: u64,
    /// Roots of complete subtrees, largest (leftmost) first.
    stack: Vec<Hash>,
}

impl RootBuilder {
    pub fn new() -> RootBuilder {
        RootBuilder::default()
    }

    /// Appends the next entry by its entry hash.
    pub fn push_entry(&mut self, entry_hash: &Hash) {
        self.push_leaf_hash(leaf_hash(&entry_hash.0));
    }

    pub fn push_leaf_hash(&mut self, leaf: Hash) {
        let mut node = leaf;
        let mut s = self.size;
        while s & 1 == 1 {
            let left = self.stack.pop().unwrap_or_default();
            node = node_hash(&left, &node);
            s >>= 1;
        }
        self.stack.push(node);
        self.size += 1;
    }

    /// Appends a complete subtree of `2^level` leaves by its root (MTH of those leaves). The
    /// tree's size must be a multiple of `2^level`, so the subtree is aligned as RFC 9162's
    /// splits align it; verifiers hash aligned blocks in parallel and join them here.
    pub fn push_subtree(&mut self, level: u32, root: Hash) {
        debug_assert!(self.size.trailing_zeros() >= level || self.size == 0);
        let mut node = root;
        let mut s = self.size >> level;
        while s & 1 == 1 {
            let left = self.stack.pop().unwrap_or_default();
            node = node_hash(&left, &node);
            s >>= 1;
        }
        self.stack.push(node);
        self.size += 1 << level;
    }

    pub fn size(&self) -> u64 {
        self.size
    }

    /// The root over every entry pushed so far.
    pub fn root(&self) -> Hash {
        let mut iter = self.stack.iter().rev();
        let Some(last) = iter.next() else {
            return empty_root();
        };
        iter.fold(*last, |right, left| node_hash(left, &right))
    }
}

/// The root an inclusion proof leads to (RFC 9162 §2.1.3.2), for comparing with a checkpoint.
pub fn root_from_inclusion(
    index: u64,
    size: u64,
    leaf: &Hash,
    proof: &[Hash],
) -> Result<Hash, ProofError> {
    if index >= size {
        return Err(ProofError::IndexOutOfRange { index, size });
    }
    let expected = inclusion_length(index, size);
    if proof.len() != expected {
        return Err(ProofError::WrongLength {
            expected,
            found: proof.len(),
        });
    }
    let (mut fn_, mut sn) = (index, size - 1);
    let mut r = *leaf;
    for p in proof {
        if fn_ & 1 == 1 || fn_ == sn {
            r = node_hash(p, &r);
            while fn_ & 1 == 0 && fn_ != 0 {
                fn_ >>= 1;
                sn >>= 1;
            }
        } else {
            r = node_hash(&r, p);
        }
        fn_ >>= 1;
        sn >>= 1;
    }
    Ok(r)
}

/// How many hashes an inclusion proof for `index` in a tree of `size` has: one per level
/// below the point where the leaf's path leaves the tree's right edge (the bits where
/// `index` and `size - 1` differ), plus one per right-edge subtree above it.
fn inclusion_length(index: u64, size: u64) -> usize {
    let inner = 64 - (index ^ (size - 1)).leading_zeros();
    let border = index.checked_shr(inner).unwrap_or(0).count_ones();
    (inner + border) as usize
}

/// Checks that `leaf` is leaf `index` of the tree of `size` leaves whose root is `root`.
pub fn verify_inclusion(
    index: u64,
    size: u64,
    leaf: &Hash,
    proof: &[Hash],
    root: &Hash,
) -> Result<(), ProofError> {
    let computed = root_from_inclusion(index, size, leaf, proof)?;
    if computed != *root {
        return Err(ProofError::RootMismatch {
            computed,
            expected: *root,
        });
    }
    Ok(())
}

/// Checks that the tree of `old` leaves with root `old_root` is a prefix of the tree of
/// `new` leaves with root `new_root` (RFC 9162 §2.1.4.2).
pub fn verify_consistency(
    old: u64,
    new: u64,
    old_root: &Hash,
    new_root: &Hash,
    proof: &[Hash],
) -> Result<(), ProofError> {
    if old > new {
        return Err(ProofError::SizesReversed { old, new });
    }
    if old == new {
        if !proof.is_empty() {
            return Err(ProofError::WrongLength {
                expected: 0,
                found: proof.len(),
            });
        }
        if old_root != new_root {
            return Err(ProofError::RootMismatch {
                computed: *new_root,
                expected: *old_root,
            });
        }
        return Ok(());
    }
    if old == 0 {
        // Every tree extends the empty one; there is nothing to prove.
        if !proof.is_empty() {
            return Err(ProofError::WrongLength {
                expected: 0,
                found: proof.len(),
            });
        }
        return Ok(());
    }
    let mut path: Vec<Hash> = Vec::with_capacity(proof.len() + 1);
    if old.is_power_of_two() {
        path.push(*old_root);
    }
    path.extend_from_slice(proof);
    let Some((first, rest)) = path.split_first() else {
        return Err(ProofError::WrongLength {
            expected: 1,
            found: 0,
        });
    };
    let (mut fn_, mut sn) = (old - 1, new - 1);
    while fn_ & 1 == 1 {
        fn_ >>= 1;
        sn >>= 1;
    }
    let (mut fr, mut sr) = (*first, *first);
    for c in rest {
        if sn == 0 {
            return Err(ProofError::WrongLength {
                expected: proof.len() - rest.len(),
                found: proof.len(),
            });
        }
        if fn_ & 1 == 1 || fn_ == sn {
            fr = node_hash(c, &fr);
            sr = node_hash(c, &sr);
            while fn_ & 1 == 0 && fn_ != 0 {
                fn_ >>= 1;
                sn >>= 1;
            }
        } else {
            sr = node_hash(&sr, c);
        }
        fn_ >>= 1;
        sn >>= 1;
    }
    if sn != 0 {
        return Err(ProofError::WrongLength {
            expected: proof.len() + 1,
            found: proof.len(),
        });
    }
    if fr != *old_root {
        return Err(ProofError::RootMismatch {
            computed: fr,
            expected: *old_root,
        });
    }
    if sr != *new_root {
        return Err(ProofError::RootMismatch {
            computed: sr,
            expected: *new_root,
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn h(hex: &str) -> Hash {
        Hash::from_hex(hex).expect("test vector")
    }

    /// RFC 6962 test data (the leaf inputs and roots Trillian, Tessera and CT test against).
    fn vector_leaves() -> Vec<Vec<u8>> {
        [
            "",
            "00",
            "10",
            "2021",
            "3031",
            "40414243",
            "5051525354555657",
            "606162636465666768696a6b6c6d6e6f",
        ]
        .iter()
        .map(|s| hex::decode(s).expect("hex"))
        .collect()
    }

    fn vector_tree(n: usize) -> MerkleTree {
        let mut t = MerkleTree::new();
        for leaf in vector_leaves().iter().take(n) {
            t.push_leaf_hash(leaf_hash(leaf));
        }
        t
    }

    const ROOTS: [&str; 9] = [
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
        "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
        "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
        "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
        "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
        "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
    ];

    #[test]
    fn roots_match_the_rfc6962_vectors_at_every_size() {
        let tree = vector_tree(8);
        for (size, root) in ROOTS.iter().enumerate() {
            assert_eq!(tree.root_at(size as u64), Ok(h(root)), "size {size}");
            assert_eq!(vector_tree(size).root(), h(root), "built to size {size}");
        }
    }

    #[test]
    fn inclusion_proofs_match_the_vectors() {
        // (1-based leaf, tree size, proof) as in the RFC 6962 test data.
        let cases: [(u64, u64, &[&str]); 5] = [
            (1, 1, &[]),
            (
                1,
                8,
                &[
                    "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
                    "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                    "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
                ],
            ),
            (
                6,
                8,
                &[
                    "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
                    "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
                    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
                ],
            ),
            (
                3,
                3,
                &["fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"],
            ),
            (
                2,
                5,
                &[
                    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
                    "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                    "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
                ],
            ),
        ];
        let tree = vector_tree(8);
        for (leaf, size, want) in cases {
            let want: Vec<Hash> = want.iter().map(|s| h(s)).collect();
            let proof = tree.inclusion_proof(leaf - 1, size).expect("in range");
            assert_eq!(proof, want, "leaf {leaf} size {size}");
            let leaf_h = tree.leaf(leaf - 1).expect("leaf");
            let root = h(ROOTS[size as usize]);
            assert_eq!(
                verify_inclusion(leaf - 1, size, &leaf_h, &proof, &root),
                Ok(())
            );
            // Any flipped bit, wrong index, wrong size or extra hash fails.
            for i in 0..proof.len() {
                let mut bad = proof.clone();
                bad[i].0[0] ^= 8;
                assert!(verify_inclusion(leaf - 1, size, &leaf_h, &bad, &root).is_err());
            }
            let mut longer = proof.clone();
            longer.push(root);
            assert!(verify_inclusion(leaf - 1, size, &leaf_h, &longer, &root).is_err());
            assert!(verify_inclusion(leaf, size, &leaf_h, &proof, &root).is_err());
            assert!(verify_inclusion(leaf - 1, size * 2, &leaf_h, &proof, &root).is_err());
        }
    }

    #[test]
    fn consistency_proofs_match_the_vectors() {
        let cases: [(u64, u64, &[&str]); 5] = [
            (1, 1, &[]),
            (
                1,
                8,
                &[
                    "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
                    "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                    "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
                ],
            ),
            (
                6,
                8,
                &[
                    "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
                    "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
                    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
                ],
            ),
            (
                2,
                5,
                &[
                    "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                    "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
                ],
            ),
            (
                6,
                7,
                &[
                    "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
                    "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f",
                    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
                ],
            ),
        ];
        let tree = vector_tree(8);
        for (old, new, want) in cases {
            let want: Vec<Hash> = want.iter().map(|s| h(s)).collect();
            let proof = tree.consistency_proof(old, new).expect("in range");
            assert_eq!(proof, want, "{old} → {new}");
            let (r1, r2) = (h(ROOTS[old as usize]), h(ROOTS[new as usize]));
            assert_eq!(verify_consistency(old, new, &r1, &r2, &proof), Ok(()));
            if !proof.is_empty() {
                assert!(verify_consistency(old, new, &r2, &r1, &proof).is_err());
                assert!(verify_consistency(old, new, &r1, &r2, &proof[1..]).is_err());
                let mut bad = proof.clone();
                bad[0].0[0] ^= 16;
                assert!(verify_consistency(old, new, &r1, &r2, &bad).is_err());
                assert!(verify_consistency(old + 1, new, &r1, &r2, &proof).is_err());
                assert!(verify_consistency(old, new * 2, &r1, &r2, &proof).is_err());
                let mut longer = proof.clone();
                longer.push(r2);
                assert!(verify_consistency(old, new, &r1, &r2, &longer).is_err());
            }
        }
    }

    #[test]
    fn the_streaming_root_equals_the_tree_root_at_every_size() {
        let mut builder = RootBuilder::new();
        let tree = vector_tree(8);
        assert_eq!(builder.root(), h(ROOTS[0]));
        for (i, leaf) in vector_leaves().iter().enumerate() {
            builder.push_leaf_hash(leaf_hash(leaf));
            assert_eq!(builder.root(), h(ROOTS[i + 1]));
            assert_eq!(Ok(builder.root()), tree.root_at(i as u64 + 1));
        }
        let hashes = leaves(1000);
        let big = MerkleTree::from_entry_hashes(&hashes);
        // Aligned blocks pushed as subtrees give the same roots as their leaves one by one.
        let mut blocks = RootBuilder::new();
        for chunk in hashes[..896].chunks(128) {
            let mut sub = RootBuilder::new();
            chunk.iter().for_each(|e| sub.push_entry(e));
            blocks.push_subtree(7, sub.root());
            assert_eq!(Ok(blocks.root()), big.root_at(blocks.size()));
        }
        for e in &hashes[896..] {
            blocks.push_entry(e);
        }
        assert_eq!(blocks.root(), big.root());
        let mut b = RootBuilder::new();
        for (i, e) in hashes.iter().enumerate() {
            b.push_entry(e);
            assert_eq!(Ok(b.root()), big.root_at(i as u64 + 1));
        }
    }

    #[test]
    fn out_of_range_requests_are_errors_not_panics() {
        let tree = vector_tree(3);
        assert!(tree.root_at(4).is_err());
        assert!(tree.inclusion_proof(3, 3).is_err());
        assert!(tree.inclusion_proof(0, 4).is_err());
        assert!(tree.consistency_proof(3, 2).is_err());
        assert!(tree.consistency_proof(1, 4).is_err());
        let r = tree.root();
        assert!(verify_inclusion(0, 0, &r, &[], &r).is_err());
        assert!(verify_consistency(2, 1, &r, &r, &[]).is_err());
    }

    fn leaves(n: u64) -> Vec<Hash> {
        (0..n).map(|i| Hash::of(&i.to_be_bytes())).collect()
    }

    proptest! {
        /// Any earlier size's consistency proof verifies against any later size; roots at a
        /// size equal the roots of a tree built only to that size.
        #[test]
        fn every_earlier_tree_is_consistent_with_every_later_one(n in 1u64..200, a in 0u64..200, b in 0u64..200) {
            let hashes = leaves(n);
            let tree = MerkleTree::from_entry_hashes(&hashes);
            let (old, new) = { let (x, y) = (a % (n + 1), b % (n + 1)); (x.min(y), x.max(y)) };
            let r1 = tree.root_at(old).unwrap();
            let r2 = tree.root_at(new).unwrap();
            prop_assert_eq!(r1, MerkleTree::from_entry_hashes(&hashes[..old as usize]).root());
            let proof = tree.consistency_proof(old, new).unwrap();
            prop_assert_eq!(verify_consistency(old, new, &r1, &r2, &proof), Ok(()));
        }

        /// Altering any one entry breaks every inclusion proof against the original root, and
        /// the altered tree's consistency with the original at its size.
        #[test]
        fn any_altered_entry_breaks_inclusion(n in 1u64..150, target in 0u64..150, bit in 0usize..256) {
            let hashes = leaves(n);
            let tree = MerkleTree::from_entry_hashes(&hashes);
            let target = target % n;
            let root = tree.root();
            let mut altered = hashes.clone();
            altered[target as usize].0[bit / 8] ^= 1 << (bit % 8);
            let forged = MerkleTree::from_entry_hashes(&altered);
            prop_assert_ne!(forged.root(), root);
            let proof = forged.inclusion_proof(target, n).unwrap();
            let leaf = forged.leaf(target).unwrap();
            prop_assert!(verify_inclusion(target, n, &leaf, &proof, &root).is_err());
            let honest = tree.inclusion_proof(target, n).unwrap();
            prop_assert!(verify_inclusion(target, n, &leaf, &honest, &root).is_err());
            prop_assert_eq!(verify_inclusion(target, n, &tree.leaf(target).unwrap(), &honest, &root), Ok(()));
        }
    }
}
