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
        let mut order: Vec<u32> = (0..n as u32).collect();
        order.sort_unstable_by(|&a, &b| {
            values[a as usize]
                .total_cmp(&values[b as usize])
                .then(a.cmp(&b))
        });
        let mut min_rank = vec![0.0; n];
        let mut gsva_rank = vec![0.0; n];
        let mut position = vec![0; n];
        let mut start = 0;
        while start < n {
            let v = values[order[start] as usize];
            let mut end = start + 1;
            while end < n && values[order[end] as usize] == v {
                end += 1;
            }
            // Ties occupy 1-based ranks start+1 ..= end.
            let k = start + 1;
            let t = end - start;
            let avg = k as f64 + (t as f64 - 1.0) / 2.0;
            for (j, &g) in order[start..end].iter().enumerate() {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranks_with_ties() {
        let r = SampleRanks::new(&[5.0, 1.0, 5.0, 3.0]);
        assert_eq!(r.min_rank, [3.0, 1.0, 3.0, 2.0]);
        assert_eq!(r.gsva_rank, [3.0, 1.0, 3.0, 2.0]); // 3.5 truncated
        assert_eq!(r.position, [1, 4, 2, 3]);
    }
}
