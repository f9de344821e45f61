//! Histories of a value by block number: the checkpoints behind voting power and total
//! supply (the model of OpenZeppelin `Checkpoints.Trace208`).
//!
//! A history is a sequence of [`Checkpoint`]s at indices `0..count`, sorted by strictly
//! increasing `from_block`; each one holds the value from its block until the next
//! checkpoint's block. Where the entries live is the [`History`] implementor's business
//! (storage mappings in the contract, a vector in tests), so the search and the update rules
//! here are plain functions, tested natively, that take the current block as an argument.
//!
//! Cost of a lookup ([`value_at`]): one read of the count, one of the latest checkpoint
//! (the common case, a lookup of a recent block, ends there), then a binary search over the
//! remaining `count - 1 < u32::MAX` entries, which probes at most
//! [`MAX_SEARCH_PROBES`]` = 32` checkpoints (`⌈log2(u32::MAX)⌉`, one per bit of a `u32`
//! index). A lookup thus reads at most 34 storage cells however long the history grows,
//! and the tests count the reads of a history of `u32::MAX` entries to prove it.

use carrack_interfaces::VotesError;

/// The value of a history from block `from_block` on (until the next checkpoint).
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
#[ink::scale_derive(Encode, Decode, TypeInfo)]
#[cfg_attr(feature = "std", derive(ink::storage::traits::StorageLayout))]
pub struct Checkpoint {
    /// The block the value was set in.
    pub from_block: u32,
    /// The value at the end of that block and until the next checkpoint.
    pub votes: u128,
}

/// The most checkpoints [`value_at`]'s binary search reads: the search covers at most
/// `u32::MAX - 1` entries (all but the latest, which is read first), and halving that range
/// until it is empty takes at most 32 probes.
pub const MAX_SEARCH_PROBES: u32 = 32;

/// Read access to one history. Entries at `0..count()` exist and their `from_block`s
/// strictly increase.
pub trait History {
    /// How many checkpoints the history holds.
    fn count(&self) -> u32;

    /// The checkpoint at `index`; `None` only for `index >= count()`.
    fn get(&self, index: u32) -> Option<Checkpoint>;
}

/// Write access to one history.
pub trait HistoryMut: History {
    /// Stores `checkpoint` at `index` (at most `count()`, which appends).
    fn set(&mut self, index: u32, checkpoint: Checkpoint);

    /// Records the new number of checkpoints after an append.
    fn set_count(&mut self, count: u32);
}

/// The current value: the latest checkpoint's, `0` for an empty history.
pub fn latest<H: History>(history: &H) -> u128 {
    history
        .count()
        .checked_sub(1)
        .and_then(|last| history.get(last))
        .map_or(0, |checkpoint| checkpoint.votes)
}

/// The value at the end of `block`: that of the last checkpoint with
/// `from_block <= block`, `0` before the first checkpoint.
///
/// Checks the latest checkpoint first, then binary-searches the others; see the module
/// documentation for the bound on reads. Whether `block` is final (in the past) is the
/// caller's business: see [`past_value`].
pub fn value_at<H: History>(history: &H, block: u32) -> u128 {
    let Some(last) = history.count().checked_sub(1) else {
        return 0;
    };
    // A missing entry would break the history's invariant; it counts as "after `block`".
    match history.get(last) {
        Some(checkpoint) if checkpoint.from_block <= block => return checkpoint.votes,
        _ => {}
    }
    // Invariant: entries below `low` are at or before `block`, `found` is the value of the
    // last of them (0 when there is none), entries at `high` and above are after `block`.
    let mut low: u32 = 0;
    let mut high: u32 = last;
    let mut found: u128 = 0;
    while low < high {
        // Cannot overflow or saturate: `low < high`, so `high - low` is positive and the
        // midpoint lies in `low..high`.
        let mid = low.saturating_add(high.saturating_sub(low) / 2);
        match history.get(mid) {
            Some(checkpoint) if checkpoint.from_block <= block => {
                found = checkpoint.votes;
                // Cannot saturate: `mid < high <= u32::MAX`.
                low = mid.saturating_add(1);
            }
            _ => high = mid,
        }
    }
    found
}

/// The value at the end of `block`, which must be final: strictly before `current_block`
/// (`FutureLookup` otherwise). A block's value can still change until the block ends, so a
/// lookup of the current block would let a flash loan count.
pub fn past_value<H: History>(
    history: &H,
    block: u32,
    current_block: u32,
) -> Result<u128, VotesError> {
    if block >= current_block {
        return Err(VotesError::FutureLookup);
    }
    Ok(value_at(history, block))
}

/// How [`update`] changes the current value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Change {
    /// Adds the amount; `VotesOverflow` above `u128::MAX`.
    Add(u128),
    /// Subtracts the amount; `VotesOverflow` below zero.
    Subtract(u128),
}

impl Change {
    /// The changed value, `None` when it does not fit a `u128`.
    pub fn apply(self, value: u128) -> Option<u128> {
        match self {
            Change::Add(amount) => value.checked_add(amount),
            Change::Subtract(amount) => value.checked_sub(amount),
        }
    }
}

/// Applies `change` to the current value in `block` and returns `(previous, new)`. A
/// change that does not fit a `u128` fails with `VotesOverflow`; a full history fails with
/// `CheckpointOverflow`. Both leave the history untouched.
///
/// A change in the block of the latest checkpoint overwrites it, so a history holds at most
/// one checkpoint per block and a block's checkpoint is its final value. Blocks never go
/// backwards on chain; should an older block be passed anyway, the change overwrites the
/// latest checkpoint too, which keeps the history sorted.
pub fn update<H: HistoryMut>(
    history: &mut H,
    block: u32,
    change: Change,
) -> Result<(u128, u128), VotesError> {
    let count = history.count();
    let latest = count
        .checked_sub(1)
        .and_then(|last| history.get(last).map(|checkpoint| (last, checkpoint)));
    let previous = latest.map_or(0, |(_, checkpoint)| checkpoint.votes);
    let new = change.apply(previous).ok_or(VotesError::VotesOverflow)?;
    match latest {
        Some((last, checkpoint)) if checkpoint.from_block >= block => {
            history.set(
                last,
                Checkpoint {
                    from_block: checkpoint.from_block,
                    votes: new,
                },
            );
        }
        _ => {
            let new_count = count.checked_add(1).ok_or(VotesError::CheckpointOverflow)?;
            history.set(
                count,
                Checkpoint {
                    from_block: block,
                    votes: new,
                },
            );
            history.set_count(new_count);
        }
    }
    Ok((previous, new))
}

#[cfg(test)]
mod tests {
    use super::*;
    use core::cell::Cell;
    use proptest::prelude::*;

    /// A history in a vector that counts its reads, like storage reads.
    #[derive(Default)]
    struct VecHistory {
        entries: Vec<Checkpoint>,
        reads: Cell<u32>,
    }

    impl VecHistory {
        fn of(entries: &[(u32, u128)]) -> Self {
            Self {
                entries: entries
                    .iter()
                    .map(|&(from_block, votes)| Checkpoint { from_block, votes })
                    .collect(),
                reads: Cell::new(0),
            }
        }

        fn take_reads(&self) -> u32 {
            self.reads.replace(0)
        }
    }

    impl History for VecHistory {
        fn count(&self) -> u32 {
            self.reads.set(self.reads.get() + 1);
            u32::try_from(self.entries.len()).unwrap()
        }

        fn get(&self, index: u32) -> Option<Checkpoint> {
            self.reads.set(self.reads.get() + 1);
            self.entries.get(usize::try_from(index).unwrap()).copied()
        }
    }

    impl HistoryMut for VecHistory {
        fn set(&mut self, index: u32, checkpoint: Checkpoint) {
            let index = usize::try_from(index).unwrap();
            if index == self.entries.len() {
                self.entries.push(checkpoint);
            } else {
                self.entries[index] = checkpoint;
            }
        }

        fn set_count(&mut self, count: u32) {
            assert_eq!(usize::try_from(count).unwrap(), self.entries.len());
        }
    }

    /// A virtual history of `count` entries, checkpoint `i` at block `i` with value `i + 1`,
    /// that counts its reads (and its probes: reads of entries other than the latest). Big
    /// enough to test the `u32` limits.
    struct Arithmetic {
        count: u32,
        reads: Cell<u32>,
        probes: Cell<u32>,
        written: Option<(u32, Checkpoint)>,
    }

    impl Arithmetic {
        fn new(count: u32) -> Self {
            Self {
                count,
                reads: Cell::new(0),
                probes: Cell::new(0),
                written: None,
            }
        }
    }

    impl History for Arithmetic {
        fn count(&self) -> u32 {
            self.reads.set(self.reads.get() + 1);
            self.count
        }

        fn get(&self, index: u32) -> Option<Checkpoint> {
            self.reads.set(self.reads.get() + 1);
            if index + 1 < self.count {
                self.probes.set(self.probes.get() + 1);
            }
            (index < self.count).then(|| Checkpoint {
                from_block: index,
                votes: u128::from(index) + 1,
            })
        }
    }

    impl HistoryMut for Arithmetic {
        fn set(&mut self, index: u32, checkpoint: Checkpoint) {
            assert!(index < self.count, "only an overwrite fits");
            self.written = Some((index, checkpoint));
        }

        fn set_count(&mut self, _count: u32) {
            panic!("a full history cannot grow");
        }
    }

    /// The specification: the last checkpoint at or before `block`, by linear search.
    fn naive(entries: &[Checkpoint], block: u32) -> u128 {
        entries
            .iter()
            .rev()
            .find(|checkpoint| checkpoint.from_block <= block)
            .map_or(0, |checkpoint| checkpoint.votes)
    }

    #[test]
    fn empty_history_is_zero_everywhere() {
        let history = VecHistory::default();
        assert_eq!(latest(&history), 0);
        assert_eq!(value_at(&history, 0), 0);
        assert_eq!(value_at(&history, u32::MAX), 0);
        assert_eq!(history.take_reads(), 3, "only the count is read");
    }

    #[test]
    fn lookups_at_every_boundary() {
        let history = VecHistory::of(&[(10, 100), (20, 200), (30, 300)]);
        for (block, expected) in [
            (0, 0),
            (9, 0),
            (10, 100),
            (11, 100),
            (19, 100),
            (20, 200),
            (21, 200),
            (29, 200),
            (30, 300),
            (31, 300),
            (u32::MAX, 300),
        ] {
            assert_eq!(value_at(&history, block), expected, "block {block}");
        }
        assert_eq!(latest(&history), 300);
    }

    #[test]
    fn single_checkpoint_boundaries() {
        let history = VecHistory::of(&[(5, 7)]);
        assert_eq!(value_at(&history, 4), 0);
        assert_eq!(value_at(&history, 5), 7);
        assert_eq!(value_at(&history, 6), 7);
        let at_zero = VecHistory::of(&[(0, 9)]);
        assert_eq!(value_at(&at_zero, 0), 9);
    }

    #[test]
    fn recent_lookups_read_only_the_count_and_the_latest_checkpoint() {
        let history = VecHistory::of(&[(10, 1), (20, 2), (30, 3), (40, 4)]);
        history.take_reads();
        assert_eq!(value_at(&history, 45), 4);
        assert_eq!(history.take_reads(), 2);
        assert_eq!(value_at(&history, 40), 4);
        assert_eq!(history.take_reads(), 2);
    }

    #[test]
    fn a_thousand_checkpoints_agree_with_a_linear_search_everywhere() {
        // Blocks 3, 5, 8, ...: irregular gaps of 1 to 3 blocks.
        let mut entries = Vec::new();
        let mut block = 3u32;
        for i in 0..1_000u32 {
            entries.push((block, u128::from(i) * 7 + 1));
            block += 1 + i % 3;
        }
        let history = VecHistory::of(&entries);
        let last_block = entries.last().unwrap().0;
        for block in 0..=last_block + 2 {
            history.take_reads();
            assert_eq!(
                value_at(&history, block),
                naive(&history.entries, block),
                "block {block}"
            );
            // Count, latest, then at most ⌈log2(1000)⌉ = 10 probes.
            assert!(history.take_reads() <= 12, "block {block}");
        }
    }

    #[test]
    fn a_full_u32_history_is_searched_within_the_bound() {
        // u32::MAX checkpoints, at blocks 0, 1, 2, ...: the longest history a count can hold.
        let history = Arithmetic::new(u32::MAX);
        let mut most_probes = 0;
        let last = u32::MAX - 1;
        for block in [
            0,
            1,
            2,
            3,
            1 << 16,
            (1 << 31) - 1,
            1 << 31,
            (1 << 31) + 1,
            last - 2,
            last - 1,
        ]
        .into_iter()
        .chain((0..200u32).map(|i| i.wrapping_mul(2_654_435_761) % last))
        {
            history.reads.set(0);
            history.probes.set(0);
            assert_eq!(value_at(&history, block), u128::from(block) + 1);
            let probes = history.probes.get();
            assert!(
                probes <= MAX_SEARCH_PROBES,
                "block {block}: {probes} probes"
            );
            assert_eq!(history.reads.get(), probes + 2, "count, latest, probes");
            most_probes = most_probes.max(probes);
        }
        assert_eq!(
            most_probes, MAX_SEARCH_PROBES,
            "the bound is reached, so it is tight"
        );
        // The latest checkpoint answers without a search.
        history.probes.set(0);
        assert_eq!(value_at(&history, last), u128::from(u32::MAX));
        assert_eq!(history.probes.get(), 0);
    }

    #[test]
    fn a_full_history_refuses_new_checkpoints_but_overwrites_its_latest_block() {
        // Checkpoints at blocks 0, 1, ..., u32::MAX - 1.
        let mut full = Arithmetic::new(u32::MAX);
        assert_eq!(
            update(&mut full, u32::MAX, Change::Add(1)),
            Err(VotesError::CheckpointOverflow)
        );
        assert_eq!(full.written, None, "nothing written");
        let last = u32::MAX - 1;
        assert_eq!(
            update(&mut full, last, Change::Add(1)),
            Ok((u128::from(u32::MAX), u128::from(u32::MAX) + 1))
        );
        assert_eq!(
            full.written,
            Some((
                last,
                Checkpoint {
                    from_block: last,
                    votes: u128::from(u32::MAX) + 1
                }
            ))
        );
    }

    #[test]
    fn update_appends_per_block_and_overwrites_within_a_block() {
        let mut history = VecHistory::default();
        assert_eq!(update(&mut history, 5, Change::Add(10)), Ok((0, 10)));
        assert_eq!(update(&mut history, 5, Change::Add(5)), Ok((10, 15)));
        assert_eq!(update(&mut history, 5, Change::Subtract(15)), Ok((15, 0)));
        assert_eq!(
            history.entries,
            vec![Checkpoint {
                from_block: 5,
                votes: 0
            }],
            "one checkpoint per block, holding the block's final value"
        );
        assert_eq!(update(&mut history, 7, Change::Add(3)), Ok((0, 3)));
        assert_eq!(history.entries.len(), 2);
        assert_eq!(value_at(&history, 6), 0);
        assert_eq!(value_at(&history, 7), 3);
    }

    #[test]
    fn update_overflow_leaves_the_history_untouched() {
        let mut history = VecHistory::of(&[(1, u128::MAX)]);
        assert_eq!(
            update(&mut history, 2, Change::Add(1)),
            Err(VotesError::VotesOverflow)
        );
        assert_eq!(
            update(&mut VecHistory::default(), 2, Change::Subtract(1)),
            Err(VotesError::VotesOverflow)
        );
        assert_eq!(history.entries.len(), 1);
        assert_eq!(latest(&history), u128::MAX);
    }

    #[test]
    fn an_older_block_overwrites_the_latest_checkpoint() {
        let mut history = VecHistory::of(&[(10, 1), (20, 2)]);
        assert_eq!(update(&mut history, 15, Change::Add(1)), Ok((2, 3)));
        assert_eq!(history.entries.len(), 2);
        assert_eq!(
            history.entries[1],
            Checkpoint {
                from_block: 20,
                votes: 3
            }
        );
    }

    #[test]
    fn past_lookups_must_be_final() {
        let history = VecHistory::of(&[(10, 1)]);
        assert_eq!(past_value(&history, 10, 10), Err(VotesError::FutureLookup));
        assert_eq!(past_value(&history, 11, 10), Err(VotesError::FutureLookup));
        assert_eq!(
            past_value(&history, u32::MAX, u32::MAX),
            Err(VotesError::FutureLookup)
        );
        assert_eq!(past_value(&history, 10, 11), Ok(1));
        assert_eq!(past_value(&history, 9, 11), Ok(0));
    }

    proptest! {
        /// Random histories built through `update`: lookups agree with a linear search
        /// over the recorded per-block final values, and stay within the read bound.
        #[test]
        fn search_agrees_with_linear_search(
            steps in prop::collection::vec((0u32..4, 0u128..1_000), 1..300),
            queries in prop::collection::vec(0u32..1_500, 1..50),
        ) {
            let mut history = VecHistory::default();
            // The value at the end of each block, as the model.
            let mut finals: Vec<(u32, u128)> = Vec::new();
            let mut block = 0u32;
            for (gap, value) in steps {
                block += gap;
                let current = latest(&history);
                let change = if value >= current {
                    Change::Add(value - current)
                } else {
                    Change::Subtract(current - value)
                };
                update(&mut history, block, change).unwrap();
                match finals.last_mut() {
                    Some(last) if last.0 == block => last.1 = value,
                    _ => finals.push((block, value)),
                }
            }
            let model: Vec<Checkpoint> = finals
                .iter()
                .map(|&(from_block, votes)| Checkpoint { from_block, votes })
                .collect();
            prop_assert_eq!(&history.entries, &model);
            let bound = 2 + (u32::BITS - u32::try_from(model.len()).unwrap().leading_zeros());
            for query in queries {
                history.take_reads();
                prop_assert_eq!(value_at(&history, query), naive(&model, query));
                prop_assert!(history.take_reads() <= bound);
            }
        }
    }
}
