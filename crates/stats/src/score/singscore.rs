//! singscore (Foroutan et al. 2018).

use super::SampleRanks;

/// The centred singscore of one sample. `up` and `down` are gene rows.
///
/// With `N` genes ranked and `n` genes in a set, the mean rank `m` is scaled
/// as `(m − (n + 1)/2) / ((2N − n + 1)/2 − (n + 1)/2)`, then centred by −0.5.
/// With a down set the total is `up + (1 − down_uncentred) − 0.5`.
pub fn singscore(ranks: &SampleRanks, up: &[usize], down: Option<&[usize]>) -> f64 {
    let up_score = scaled_mean_rank(ranks, up) - 0.5;
    match down {
        None => up_score,
        Some(down) => up_score + (1.0 - scaled_mean_rank(ranks, down)) - 0.5,
    }
}

fn scaled_mean_rank(ranks: &SampleRanks, set: &[usize]) -> f64 {
    let n_total = ranks.len() as f64;
    let n = set.len() as f64;
    let mean = set.iter().map(|&g| ranks.min_rank[g]).sum::<f64>() / n;
    let low = (n + 1.0) / 2.0;
    let high = (2.0 * n_total - n + 1.0) / 2.0;
    (mean - low) / (high - low)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bounds_are_minus_and_plus_half() {
        let r = SampleRanks::new(&[1.0, 2.0, 3.0, 4.0]);
        assert_eq!(singscore(&r, &[2, 3], None), 0.5);
        assert_eq!(singscore(&r, &[0, 1], None), -0.5);
        assert_eq!(singscore(&r, &[2, 3], Some(&[0, 1])), 1.0);
    }
}
