//! A sum tree over propensities: O(log M) update and selection.
//!
//! Leaves hold the propensities; each inner node holds the sum of its two
//! children, recomputed from them (never by subtracting), so rounding errors
//! do not accumulate over millions of steps. Leaves are set in a batch (all
//! the propensities a firing changed) and the sums above them recomputed once
//! by [`SumTree::update`]: small trees are summed whole (independent
//! additions, no chain of dependent stores), large ones along the changed
//! paths only, each inner node once. Either way every inner node is the sum of
//! its children, so the tree's values do not depend on how it was updated.
//!
//! Up to [`RUNNING`] leaves there is no tree: the running sums of the leaves
//! are recomputed whole, and a selection counts the running sums at or below
//! the target, all compared at once. A firing's chain of dependent steps
//! (propensities, sums, selection, state) is the SSA's speed limit on small
//! models, and this shortens the selection to one comparison step instead of
//! one load-compare-subtract per tree level. The running sums are the direct
//! method's (Gillespie 1977), in reaction order, added pairwise: three
//! dependent additions instead of seven (the metastasis model's firings took
//! 5 % less time), with sums that differ from those added in a row only by
//! rounding.

/// Trees with at most this many leaves are re-summed whole on update.
const WHOLE: usize = 32;

/// At most this many leaves: running sums instead of a tree.
const RUNNING: usize = 8;

/// The running sums of `l`, each the sum of the leaves up to it, added
/// pairwise (a parallel prefix): three dependent additions instead of
/// seven in a row. Non-negative leaves give non-decreasing sums, and a
/// zero leaf repeats the sum before it, so a selection never lands on it
/// (leaves beyond `n` are 0 and leave the total as it is).
#[inline(always)]
fn running_sums(l: [f64; RUNNING]) -> [f64; RUNNING] {
    let [p01, p23, p45, p67] = [l[0] + l[1], l[2] + l[3], l[4] + l[5], l[6] + l[7]];
    let s3 = p01 + p23;
    [
        l[0],
        p01,
        p01 + l[2],
        s3,
        s3 + l[4],
        s3 + p45,
        s3 + (p45 + l[6]),
        s3 + (p45 + p67),
    ]
}

/// A complete binary tree of partial sums over `n` leaves, or the running
/// sums of at most [`RUNNING`] leaves.
#[derive(Debug, Clone)]
pub(crate) struct SumTree {
    /// `nodes[1]` is the root; leaves start at `cap`.
    nodes: Vec<f64>,
    cap: usize,
    /// Node indices of leaves set since the last update (large trees only).
    dirty: Vec<usize>,
    /// Leaves set since the last update (checked in debug builds).
    #[cfg(debug_assertions)]
    stale: bool,
    /// Number of leaves.
    n: usize,
    /// At most [`RUNNING`] leaves: the leaves (zero beyond `n`)…
    leaves: [f64; RUNNING],
    /// …and their running sums.
    sums: [f64; RUNNING],
}

impl SumTree {
    /// A tree of `n` zero leaves.
    pub fn new(n: usize) -> Self {
        let cap = n.max(1).next_power_of_two();
        let nodes = if n <= RUNNING {
            Vec::new()
        } else {
            vec![0.0; (2 * cap).max(2 * WHOLE)]
        };
        SumTree {
            nodes,
            cap,
            dirty: Vec::new(),
            #[cfg(debug_assertions)]
            stale: false,
            n,
            leaves: [0.0; RUNNING],
            sums: [0.0; RUNNING],
        }
    }

    /// The sum of all leaves (after [`SumTree::update`]).
    pub fn total(&self) -> f64 {
        #[cfg(debug_assertions)]
        assert!(!self.stale, "sum tree read before update");
        if self.n <= RUNNING {
            self.sums[RUNNING - 1]
        } else {
            self.nodes[1]
        }
    }

    /// Sets leaf `i`; the sums above it change at the next [`SumTree::update`].
    #[inline]
    pub fn set(&mut self, i: usize, value: f64) {
        #[cfg(debug_assertions)]
        {
            self.stale = true;
        }
        if self.n <= RUNNING {
            self.leaves[i] = value;
            return;
        }
        let k = self.cap + i;
        self.nodes[k] = value;
        if self.cap > WHOLE {
            self.dirty.push(k);
        }
    }

    /// Recomputes the sums above the leaves set since the last update.
    #[inline(always)]
    pub fn update(&mut self) {
        if self.n <= RUNNING {
            self.sums = running_sums(self.leaves);
        } else if self.cap <= WHOLE {
            // Level by level from the leaves, each level a loop of fixed
            // length over a fixed-size view (small trees allocate at least
            // 2·WHOLE nodes), so that the compiler unrolls it and drops the
            // index checks.
            let nodes: &mut [f64; 2 * WHOLE] = (&mut self.nodes[..2 * WHOLE])
                .try_into()
                .expect("small trees hold 2·WHOLE nodes");
            // More than `RUNNING` leaves: 16 or 32.
            if self.cap == 32 {
                level::<32>(nodes);
            }
            level::<16>(nodes);
            level::<8>(nodes);
            level::<4>(nodes);
            level::<2>(nodes);
        } else {
            self.update_paths();
        }
        #[cfg(debug_assertions)]
        {
            self.stale = false;
        }
    }

    /// [`SumTree::update`] of a large tree: one level at a time, each
    /// changed inner node once.
    #[inline(never)]
    fn update_paths(&mut self) {
        let level = &mut self.dirty;
        while level.first().is_some_and(|&k| k > 1) {
            for k in level.iter_mut() {
                *k /= 2;
            }
            level.sort_unstable();
            level.dedup();
            for &k in level.iter() {
                self.nodes[k] = self.nodes[2 * k] + self.nodes[2 * k + 1];
            }
        }
        level.clear();
    }

    /// Leaf `i`.
    pub fn get(&self, i: usize) -> f64 {
        if self.n <= RUNNING {
            self.leaves[i]
        } else {
            self.nodes[self.cap + i]
        }
    }

    /// The leaf where the cumulative sum first exceeds `u` (0 ≤ u < total).
    /// In a tree, `None` if rounding led to a zero leaf; with running sums,
    /// a `u` past the total selects the last positive leaf, as the direct
    /// method does, and `None` only if every leaf is zero.
    #[inline(always)]
    pub fn find(&self, mut u: f64) -> Option<usize> {
        #[cfg(debug_assertions)]
        assert!(!self.stale, "sum tree read before update");
        if self.n <= RUNNING {
            // Below the total, the first running sum above `u` is the one
            // past all those at or below it, a reaction's (the sums of
            // the padding equal the total), and its leaf is positive since
            // the sum rose there.
            let mut j = 0;
            for &s in &self.sums {
                j += usize::from(s <= u);
            }
            return if u < self.sums[RUNNING - 1] {
                Some(j)
            } else {
                self.last_positive()
            };
        }
        let mut k = 1;
        while k < self.cap {
            // Branch-free descent (which side is taken is random, so a branch
            // would mispredict half the time); `left · 0` is 0 and `left · 1`
            // is `left` exactly, leaves being finite.
            let left = self.nodes[2 * k];
            let right = u >= left;
            u -= left * f64::from(u8::from(right));
            k = 2 * k + usize::from(right);
        }
        (self.nodes[k] > 0.0).then_some(k - self.cap)
    }

    /// [`SumTree::find`] with running sums of a `u` at or past the total (a
    /// total of +∞, or a subnormal one) or NaN: as the direct method, the
    /// last positive leaf.
    #[cold]
    #[inline(never)]
    fn last_positive(&self) -> Option<usize> {
        (0..self.n).rev().find(|&i| self.leaves[i] > 0.0)
    }
}

/// Sums the inner nodes `N/2..N` of a small tree from their children.
#[inline(always)]
fn level<const N: usize>(nodes: &mut [f64; 2 * WHOLE]) {
    for k in N / 2..N {
        nodes[k] = nodes[2 * k] + nodes[2 * k + 1];
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        // A stated seed: CI runs the same cases every time (style.md §4).
        #![proptest_config(proptest::prelude::ProptestConfig { rng_seed: proptest::test_runner::RngSeed::Fixed(20261127), ..proptest::prelude::ProptestConfig::default() })]

        /// Against a naive oracle: a linear scan of cumulative sums.
        #[test]
        fn finds_like_a_linear_scan(
            values in proptest::collection::vec(0.0f64..10.0, 1..40),
            frac in 0.0f64..1.0,
        ) {
            let mut tree = SumTree::new(values.len());
            for (i, v) in values.iter().enumerate() {
                tree.set(i, *v);
            }
            tree.update();
            let total: f64 = values.iter().sum();
            prop_assert!((tree.total() - total).abs() <= 1e-9 * total.max(1.0));
            let u = frac * tree.total();
            if let Some(i) = tree.find(u) {
                let before: f64 = values[..i].iter().sum();
                prop_assert!(values[i] > 0.0);
                prop_assert!(before <= u + 1e-9 && u < before + values[i] + 1e-9);
            }
        }
    }

    proptest! {
        // A stated seed: CI runs the same cases every time (style.md §4).
        #![proptest_config(proptest::prelude::ProptestConfig { rng_seed: proptest::test_runner::RngSeed::Fixed(20261128), ..proptest::prelude::ProptestConfig::default() })]

        /// Running sums are the cumulative sums of the leaves to within
        /// rounding (pairwise, at most 3ε relative; in a row, at most 7ε),
        /// never decrease, repeat at a zero
        /// leaf, and select as the direct method's scan does over them
        /// (`Run::select`: the first positive propensity whose cumulative
        /// sum exceeds `u`, else the last positive one), zeros and a `u` at
        /// or past the total included.
        #[test]
        fn running_sums_select_as_the_direct_method(
            values in proptest::collection::vec(
                prop_oneof![Just(0.0f64), 0.0f64..10.0, 1e-300f64..1e-290], 1..=RUNNING),
            frac in 0.0f64..1.3,
        ) {
            let mut tree = SumTree::new(values.len());
            for (i, v) in values.iter().enumerate() {
                tree.set(i, *v);
            }
            tree.update();
            let mut acc = 0.0;
            for (i, &s) in tree.sums.iter().enumerate() {
                let a = values.get(i).copied().unwrap_or(0.0);
                acc += a;
                prop_assert!((s - acc).abs() <= 10.0 * f64::EPSILON * acc, "sum {i}: {s} vs {acc}");
                if i > 0 {
                    prop_assert!(s >= tree.sums[i - 1]);
                    if a == 0.0 {
                        prop_assert_eq!(s.to_bits(), tree.sums[i - 1].to_bits());
                    }
                }
            }
            let total = tree.total();
            prop_assert_eq!(total.to_bits(), tree.sums[RUNNING - 1].to_bits());
            let u = frac * total;
            let mut direct = None;
            for (j, &a) in values.iter().enumerate() {
                if a > 0.0 {
                    direct = Some(j);
                    if u < tree.sums[j] {
                        break;
                    }
                }
            }
            prop_assert_eq!(tree.find(u), direct);
            // Past the total (+∞ times a draw) or NaN (+∞ times 0): the
            // direct method's scan ends at the last positive leaf.
            let last = values.iter().rposition(|&a| a > 0.0);
            prop_assert_eq!(tree.find(f64::INFINITY), last);
            prop_assert_eq!(tree.find(f64::NAN), last);
        }
    }

    proptest! {
        // A stated seed: CI runs the same cases every time (style.md §4).
        #![proptest_config(proptest::prelude::ProptestConfig { rng_seed: proptest::test_runner::RngSeed::Fixed(20261127), ..proptest::prelude::ProptestConfig::default() })]

        /// After batches of updates, along changed paths (large trees) or
        /// whole (small), every inner node is the sum of its children; with
        /// at most `RUNNING` leaves, the sums are those of the leaves set.
        #[test]
        fn every_inner_node_sums_its_children(
            n in 1usize..200,
            batches in proptest::collection::vec(
                proptest::collection::vec((0usize..200, 0.0f64..10.0), 0..12), 1..8),
        ) {
            let mut tree = SumTree::new(n);
            for batch in &batches {
                for &(i, v) in batch {
                    tree.set(i % n, v);
                }
                tree.update();
                if n <= RUNNING {
                    let leaves: [f64; RUNNING] =
                        std::array::from_fn(|i| if i < n { tree.get(i) } else { 0.0 });
                    prop_assert_eq!(tree.sums, running_sums(leaves));
                    continue;
                }
                let mut expected = tree.nodes.clone();
                for k in (1..tree.cap).rev() {
                    expected[k] = expected[2 * k] + expected[2 * k + 1];
                }
                prop_assert_eq!(&tree.nodes, &expected);
            }
        }
    }
}
