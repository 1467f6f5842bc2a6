//! A sum tree over propensities: O(log M) update and selection.
//!
//! Leaves hold the propensities; each inner node holds the sum of its two
//! children, recomputed from them on every update (never by subtracting),
//! so rounding errors do not accumulate over millions of steps.

/// A complete binary tree of partial sums over `n` leaves.
#[derive(Debug, Clone)]
pub(crate) struct SumTree {
    /// `nodes[1]` is the root; leaves start at `cap`.
    nodes: Vec<f64>,
    cap: usize,
}

impl SumTree {
    /// A tree of `n` zero leaves.
    pub fn new(n: usize) -> Self {
        let cap = n.max(1).next_power_of_two();
        SumTree {
            nodes: vec![0.0; 2 * cap],
            cap,
        }
    }

    /// The sum of all leaves.
    pub fn total(&self) -> f64 {
        self.nodes[1]
    }

    /// Sets leaf `i` and updates the sums above it.
    pub fn set(&mut self, i: usize, value: f64) {
        let mut k = self.cap + i;
        self.nodes[k] = value;
        while k > 1 {
            k /= 2;
            self.nodes[k] = self.nodes[2 * k] + self.nodes[2 * k + 1];
        }
    }

    /// Leaf `i`.
    pub fn get(&self, i: usize) -> f64 {
        self.nodes[self.cap + i]
    }

    /// The leaf where the cumulative sum first exceeds `u` (0 ≤ u < total);
    /// `None` if rounding led to a zero leaf.
    pub fn find(&self, mut u: f64) -> Option<usize> {
        let mut k = 1;
        while k < self.cap {
            let left = self.nodes[2 * k];
            if u < left {
                k *= 2;
            } else {
                u -= left;
                k = 2 * k + 1;
            }
        }
        (self.nodes[k] > 0.0).then_some(k - self.cap)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
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
}
