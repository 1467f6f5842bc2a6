//! Mean z-score of a gene set.

use super::Resolved;
use crate::table::Expression;

/// `[signature][sample]` mean z-scores (up minus down for up/down sets).
pub(crate) fn zscores(expr: &Expression, sigs: &[Resolved]) -> Vec<Vec<f64>> {
    sigs.iter()
        .map(|sig| {
            let up = mean_z(expr, &sig.up);
            match &sig.down {
                Some(down) => up
                    .iter()
                    .zip(mean_z(expr, down))
                    .map(|(u, d)| u - d)
                    .collect(),
                None => up,
            }
        })
        .collect()
}

/// Mean over the set's non-constant genes of each gene's z-score.
fn mean_z(expr: &Expression, rows: &[usize]) -> Vec<f64> {
    let n = expr.samples().len();
    let mut sum = vec![0.0; n];
    let mut used = 0usize;
    for &g in rows {
        let row = expr.row(g);
        let mean = row.iter().sum::<f64>() / n as f64;
        let var = row.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n as f64 - 1.0);
        let sd = var.sqrt();
        if sd.is_nan() || sd <= 0.0 {
            continue;
        }
        used += 1;
        for (acc, v) in sum.iter_mut().zip(row) {
            *acc += (v - mean) / sd;
        }
    }
    sum.iter().map(|s| s / used as f64).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn averages_standardised_genes() -> crate::Result<()> {
        let genes = ["A", "B", "C"].map(String::from).to_vec();
        let samples = ["x", "y"].map(String::from).to_vec();
        let e = Expression::from_values(genes, samples, vec![0.0, 2.0, 5.0, 5.0, 1.0, 3.0])?;
        let sig = Resolved {
            name: "s".into(),
            up: vec![0, 1, 2],
            down: None,
        };
        let z = zscores(&e, &[sig]);
        let h = std::f64::consts::FRAC_1_SQRT_2;
        // B is constant and left out; A and C both go from -h to +h.
        assert!((z[0][0] + h).abs() < 1e-12 && (z[0][1] - h).abs() < 1e-12);
        Ok(())
    }
}
