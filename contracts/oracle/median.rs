//! The median of a round's prices.

use ink::prelude::vec::Vec;

/// The median of `values`: the middle value of an odd count, the mean of the two middle
/// values (rounded down) of an even count, `None` for no values. The result does not
/// depend on submission order, and a minority of outliers cannot move it beyond the
/// honest values.
pub fn median(values: Vec<u128>) -> Option<u128> {
    let len = values.len();
    let upper = kth_smallest(&values, len / 2)?;
    if len % 2 == 1 {
        return Some(upper);
    }
    let lower = kth_smallest(&values, (len / 2).checked_sub(1)?)?;
    // lower <= upper, so the halved difference added to lower cannot overflow.
    Some(lower.saturating_add(upper.saturating_sub(lower) / 2))
}

/// The `k`-th smallest value (0-based), by counting: at most 16 values per round, so the
/// quadratic count is cheaper in code size and gas than a general sort.
fn kth_smallest(values: &[u128], k: usize) -> Option<u128> {
    values.iter().copied().find(|candidate| {
        let below = values.iter().filter(|v| *v < candidate).count();
        let up_to = values.iter().filter(|v| *v <= candidate).count();
        below <= k && k < up_to
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use ink::prelude::vec;

    #[test]
    fn odd_counts_take_the_middle() {
        assert_eq!(median(vec![5]), Some(5));
        assert_eq!(median(vec![9, 1, 5]), Some(5));
        assert_eq!(
            median(vec![100, 101, 99, 1_000_000, 1]),
            Some(100),
            "outliers ignored"
        );
    }

    #[test]
    fn even_counts_average_the_middle_pair_rounding_down() {
        assert_eq!(median(vec![1, 2]), Some(1));
        assert_eq!(median(vec![10, 40, 20, 30]), Some(25));
        assert_eq!(median(vec![u128::MAX, u128::MAX - 1]), Some(u128::MAX - 1));
    }

    #[test]
    fn duplicates_and_empty() {
        assert_eq!(median(vec![7, 7, 7, 1, 100]), Some(7));
        assert_eq!(median(vec![]), None);
    }
}
