//! ssGSEA as computed by Bioconductor GSVA (`method = "ssgsea"`).

use super::{Resolved, SampleRanks};

/// GSVA's default weight exponent τ for ssGSEA.
pub(crate) const ALPHA: f64 = 0.25;

/// The raw (unnormalised) ssGSEA enrichment of one set in one sample.
///
/// With genes in decreasing order, position `i` (1-based) of `n`, rank
/// weights `r_j^α` (`r` = GSVA's truncated average rank) and `k` set genes,
/// this is `Σ_i (P_hit(i) − P_miss(i))`, computed in closed form as
/// `Σ_hits r^α (n − i + 1) / Σ_hits r^α − (n(n+1)/2 − Σ_hits (n − i + 1)) / (n − k)`.
pub fn ssgsea_raw(ranks: &SampleRanks, set: &[usize], alpha: f64) -> f64 {
    enrichment(ranks, set, |r| r.powf(alpha))
}

/// [`ssgsea_raw`] with the weights `r^α` looked up in `table[r]`
/// (precomputed once for all samples, as ranks are integers).
pub(crate) fn ssgsea_table(ranks: &SampleRanks, set: &[usize], table: &[f64]) -> f64 {
    enrichment(ranks, set, |r| table[r as usize])
}

/// `r^α` for every integer rank `0..=n`.
pub(crate) fn weight_table(n: usize, alpha: f64) -> Vec<f64> {
    (0..=n).map(|r| (r as f64).powf(alpha)).collect()
}

fn enrichment(ranks: &SampleRanks, set: &[usize], weight: impl Fn(f64) -> f64) -> f64 {
    let n = ranks.len() as f64;
    let k = set.len() as f64;
    let mut weighted = 0.0;
    let mut weights = 0.0;
    let mut hits = 0.0;
    for &g in set {
        let w = weight(ranks.gsva_rank[g]);
        let tail = n - ranks.position[g] as f64 + 1.0;
        weighted += w * tail;
        weights += w;
        hits += tail;
    }
    let miss = if n > k {
        (n * (n + 1.0) / 2.0 - hits) / (n - k)
    } else {
        0.0
    };
    weighted / weights - miss
}

/// Divides raw scores by the range of all raw components (GSVA's
/// `ssgsea.norm`), then combines up/down components as up − down.
/// `raw[c][s]` lists components in signature order, down after up.
pub(crate) fn normalise(raw: Vec<Vec<f64>>, sigs: &[Resolved]) -> Vec<Vec<f64>> {
    let (lo, hi) = raw
        .iter()
        .flatten()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &v| {
            (lo.min(v), hi.max(v))
        });
    let range = hi - lo;
    let mut components = raw.into_iter();
    let mut next = || {
        components
            .next()
            .expect("Cannot fail: one component per up and per down set")
            .into_iter()
            .map(|v| v / range)
            .collect::<Vec<f64>>()
    };
    let mut out = Vec::with_capacity(sigs.len());
    for sig in sigs {
        let up = next();
        out.push(match sig.down {
            Some(_) => up.iter().zip(next()).map(|(u, d)| u - d).collect(),
            None => up,
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_the_running_sum_definition() {
        let values = [0.3, 2.0, -1.0, 5.0, 0.7, 0.7, 4.0];
        let r = SampleRanks::new(&values);
        let set = [1, 4, 6];
        let n = values.len();
        // Walk the decreasing order explicitly.
        let mut order: Vec<usize> = (0..n).collect();
        order.sort_by_key(|&g| r.position[g]);
        let total_w: f64 = set.iter().map(|&g| r.gsva_rank[g].powf(ALPHA)).sum();
        let (mut p_hit, mut p_miss, mut es) = (0.0, 0.0, 0.0);
        for g in order {
            if set.contains(&g) {
                p_hit += r.gsva_rank[g].powf(ALPHA) / total_w;
            } else {
                p_miss += 1.0 / (n - set.len()) as f64;
            }
            es += p_hit - p_miss;
        }
        assert!((ssgsea_raw(&r, &set, ALPHA) - es).abs() < 1e-12);
        let table = weight_table(n, ALPHA);
        assert_eq!(ssgsea_table(&r, &set, &table), ssgsea_raw(&r, &set, ALPHA));
    }
}
