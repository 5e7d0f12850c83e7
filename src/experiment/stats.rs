//! Means and 95 % confidence intervals over replications (Student t).

/// Two-sided 95 % quantiles of Student's t, t₀.₉₇₅(df), df = 1…30.
const T975: [f64; 30] = [
    12.706_205, 4.302_653, 3.182_446, 2.776_445, 2.570_582, 2.446_912, 2.364_624, 2.306_004,
    2.262_157, 2.228_139, 2.200_985, 2.178_813, 2.160_369, 2.144_787, 2.131_450, 2.119_905,
    2.109_816, 2.100_922, 2.093_024, 2.085_963, 2.079_614, 2.073_873, 2.068_658, 2.063_899,
    2.059_539, 2.055_529, 2.051_831, 2.048_407, 2.045_230, 2.042_272,
];

/// t₀.₉₇₅ with `df` degrees of freedom: the table up to 30, beyond it the
/// Cornish–Fisher expansion around the normal quantile (error < 1e-5).
pub fn t975(df: u32) -> f64 {
    match df {
        0 => f64::NAN,
        1..=30 => T975[df as usize - 1],
        _ => {
            let z: f64 = 1.959_963_985;
            let n = df as f64;
            let (z3, z5, z7) = (z.powi(3), z.powi(5), z.powi(7));
            z + (z3 + z) / (4.0 * n)
                + (5.0 * z5 + 16.0 * z3 + 3.0 * z) / (96.0 * n * n)
                + (3.0 * z7 + 19.0 * z5 + 17.0 * z3 - 15.0 * z) / (384.0 * n * n * n)
        }
    }
}

/// Mean and half-width of the 95 % confidence interval of the mean
/// (`t₀.₉₇₅(n−1) · s / √n`, s the sample standard deviation); the half-width
/// is 0 for a single value.
pub fn mean_ci95(xs: &[f64]) -> (f64, f64) {
    let n = xs.len();
    if n == 0 {
        return (0.0, 0.0);
    }
    let mean = xs.iter().sum::<f64>() / n as f64;
    if n == 1 {
        return (mean, 0.0);
    }
    let var = xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1) as f64;
    (mean, t975(n as u32 - 1) * (var / n as f64).sqrt())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn t_quantiles() {
        assert_eq!(t975(1), 12.706_205);
        assert!((t975(9) - 2.262_157).abs() < 1e-6);
        // Beyond the table: known values t(40) = 2.021075, t(60) = 2.000298,
        // t(120) = 1.979930.
        assert!((t975(40) - 2.021_075).abs() < 1e-4, "{}", t975(40));
        assert!((t975(60) - 2.000_298).abs() < 1e-4);
        assert!((t975(120) - 1.979_930).abs() < 1e-5);
        // Continuous at the seam.
        assert!((t975(31) - 2.039_513).abs() < 1e-4, "{}", t975(31));
    }

    #[test]
    fn mean_and_interval() {
        assert_eq!(mean_ci95(&[]), (0.0, 0.0));
        assert_eq!(mean_ci95(&[3.0]), (3.0, 0.0));
        assert_eq!(mean_ci95(&[2.0, 2.0, 2.0]), (2.0, 0.0));
        // 1..5: mean 3, s = √2.5, t(4) = 2.776445.
        let (m, h) = mean_ci95(&[1.0, 2.0, 3.0, 4.0, 5.0]);
        assert_eq!(m, 3.0);
        assert!((h - 2.776_445 * (2.5f64 / 5.0).sqrt()).abs() < 1e-9);
    }
}
