//! Within-sample gene ranks shared by the rank-based scores.

/// The ranks of all genes in one sample, computed with one sort.
#[derive(Debug, Clone)]
pub struct SampleRanks {
    /// Minimum rank among ties, 1 = lowest expression (singscore's ranks).
    pub(crate) min_rank: Vec<f64>,
    /// GSVA's `as.integer(rank(x))`: the average rank of ties, truncated.
    pub(crate) gsva_rank: Vec<f64>,
    /// 1-based position in GSVA's decreasing gene order (ties in row order).
    pub(crate) position: Vec<usize>,
}

impl SampleRanks {
    /// Ranks one sample's expression values (one per gene; finite).
    pub fn new(values: &[f64]) -> Self {
        let n = values.len();
        // Sorting (key, row) pairs keeps the comparisons on contiguous
        // integers; the key orders like f64::total_cmp, ties by row.
        let mut order: Vec<(u64, u32)> = values
            .iter()
            .enumerate()
            .map(|(g, v)| (order_key(*v), g as u32))
            .collect();
        order.sort_unstable();
        let mut min_rank = vec![0.0; n];
        let mut gsva_rank = vec![0.0; n];
        let mut position = vec![0; n];
        let mut start = 0;
        while start < n {
            let key = order[start].0;
            let mut end = start + 1;
            while end < n && order[end].0 == key {
                end += 1;
            }
            // Ties occupy 1-based ranks start+1 ..= end.
            let k = start + 1;
            let avg = k as f64 + ((end - start) as f64 - 1.0) / 2.0;
            for (j, &(_, g)) in order[start..end].iter().enumerate() {
                let g = g as usize;
                min_rank[g] = k as f64;
                gsva_rank[g] = avg.trunc();
                // Decreasing order puts this tie group after the n - end
                // genes above it; within the group, row order.
                position[g] = n - end + 1 + j;
            }
            start = end;
        }
        Self {
            min_rank,
            gsva_rank,
            position,
        }
    }

    /// Number of genes ranked.
    pub fn len(&self) -> usize {
        self.min_rank.len()
    }

    /// True when no gene was ranked.
    pub fn is_empty(&self) -> bool {
        self.min_rank.is_empty()
    }
}

/// A u64 that sorts like `f64::total_cmp` (IEEE 754 total order); −0.0
/// and +0.0 are made equal first, as they compare equal.
fn order_key(v: f64) -> u64 {
    let bits = (if v == 0.0 { 0.0 } else { v }).to_bits();
    if bits >> 63 == 1 {
        !bits
    } else {
        bits | (1 << 63)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn order_key_sorts_like_numbers() {
        let v = [-3.5, -0.0, 0.0, 1e-300, 2.0, f64::MAX, -f64::MAX];
        let mut keys: Vec<(u64, f64)> = v.iter().map(|x| (order_key(*x), *x)).collect();
        keys.sort_by_key(|k| k.0);
        let sorted: Vec<f64> = keys.iter().map(|k| k.1).collect();
        assert_eq!(sorted[0], -f64::MAX);
        assert_eq!(sorted[6], f64::MAX);
        assert_eq!(order_key(-0.0), order_key(0.0));
        assert!(sorted.windows(2).all(|w| w[0] <= w[1]));
    }

    #[test]
    fn ranks_with_ties() {
        let r = SampleRanks::new(&[5.0, 1.0, 5.0, 3.0]);
        assert_eq!(r.min_rank, [3.0, 1.0, 3.0, 2.0]);
        assert_eq!(r.gsva_rank, [3.0, 1.0, 3.0, 2.0]); // 3.5 truncated
        assert_eq!(r.position, [1, 4, 2, 3]);
    }

    proptest::proptest! {
        // A stated seed: CI runs the same cases every time (style.md §4).
        #![proptest_config(proptest::prelude::ProptestConfig { rng_seed: proptest::test_runner::RngSeed::Fixed(20261127), ..proptest::prelude::ProptestConfig::default() })]

        /// Against a naive oracle: min rank = 1 + #smaller, average rank =
        /// min rank + (#equal − 1)/2, position = 1 + #larger + #equal earlier.
        #[test]
        fn ranks_match_counting_oracle(v in proptest::collection::vec(-5i8..5, 1..60)) {
            let values: Vec<f64> = v.iter().map(|x| f64::from(*x) / 2.0).collect();
            let r = SampleRanks::new(&values);
            for (g, x) in values.iter().enumerate() {
                let smaller = values.iter().filter(|y| *y < x).count();
                let equal = values.iter().filter(|y| *y == x).count();
                let larger = values.iter().filter(|y| *y > x).count();
                let earlier = values[..g].iter().filter(|y| *y == x).count();
                proptest::prop_assert_eq!(r.min_rank[g], (smaller + 1) as f64);
                proptest::prop_assert_eq!(r.gsva_rank[g], ((smaller + 1) as f64 + (equal as f64 - 1.0) / 2.0).trunc());
                proptest::prop_assert_eq!(r.position[g], larger + earlier + 1);
            }
        }
    }
}
