//! Whole percentages that add up to 100, by the largest-remainder method:
//! each share is rounded down, and the points still missing go to the shares
//! that lost the most in rounding (64.05, 33.03 and 2.92 become 64, 33 and
//! 3, not 64, 33 and 3 by luck). Integer arithmetic, so no floating-point
//! rounding can tip a tie.

/// The percentage of each count in their total, adding up to exactly 100
/// (all zero when the total is zero). Ties in the remainder go to the
/// earlier count, so the result depends only on the counts and their order.
pub fn largest_remainder(counts: &[i64]) -> Vec<u32> {
    let counts: Vec<i128> = counts.iter().map(|&n| i128::from(n.max(0))).collect();
    let total: i128 = counts.iter().sum();
    if total == 0 {
        return vec![0; counts.len()];
    }
    let mut shares: Vec<u32> = counts.iter().map(|n| (n * 100 / total) as u32).collect();
    let missing = 100 - shares.iter().sum::<u32>();
    let mut order: Vec<usize> = (0..counts.len()).collect();
    order.sort_by_key(|&i| (std::cmp::Reverse(counts[i] * 100 % total), i));
    for &i in order.iter().take(missing as usize) {
        shares[i] += 1;
    }
    shares
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn the_infographic_levels() {
        // HBO 351, WO 181, MBO 16 of 548: 64.05, 33.03, 2.92
        assert_eq!(largest_remainder(&[351, 181, 16]), [64, 33, 3]);
    }

    #[test]
    fn zero_total_gives_zeros_and_ties_go_to_the_earlier() {
        assert_eq!(largest_remainder(&[0, 0, 0]), [0, 0, 0]);
        assert_eq!(largest_remainder(&[]), Vec::<u32>::new());
        assert_eq!(largest_remainder(&[1, 1, 1]), [34, 33, 33]);
        assert_eq!(largest_remainder(&[0, 5]), [0, 100]);
    }

    proptest! {
        #[test]
        fn shares_add_up_to_100_and_stay_within_one_point(counts in prop::collection::vec(0i64..1_000_000, 1..12)) {
            let shares = largest_remainder(&counts);
            let total: i64 = counts.iter().sum();
            prop_assert_eq!(shares.len(), counts.len());
            if total == 0 {
                prop_assert!(shares.iter().all(|&s| s == 0));
            } else {
                prop_assert_eq!(shares.iter().sum::<u32>(), 100);
                for (n, s) in counts.iter().zip(&shares) {
                    let exact = *n as f64 * 100.0 / total as f64;
                    prop_assert!((*s as f64 - exact).abs() < 1.0, "{} of {} -> {}", n, total, s);
                }
            }
        }
    }
}
