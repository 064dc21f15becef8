//! [`RowHeights`]: every row's height and the running totals above it, kept incrementally,
//! so finding the rows in view and the list's total height cost O(log n) per frame instead
//! of a pass over every entry.
//!
//! The totals are a Fenwick tree (binary indexed tree) over *slots*. A slot is a row that
//! was appended once; new entries append slots, entries dropped from the top zero theirs and
//! move `start` on. Only an entry inserted in the middle (a gap marker after a reconnect), a
//! different timeline, or a new width or font rebuilds the whole index: O(n), rare.
//! It knows nothing about egui; the view measures rows and reports their heights here.

use std::collections::{HashMap, VecDeque};

use crate::state::Entry;

/// What row heights depend on besides the entries: the list's width, the body font and
/// the zoom. When it changes, every height is estimated again.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Layout {
    /// Width of a row, in points.
    pub width: f32,
    /// Size of the body font, in points.
    pub font_size: f32,
    /// Physical pixels per point (zoom).
    pub pixels_per_point: f32,
}

/// Row heights and their running totals, in the order of the timeline's entries.
#[derive(Debug, Default)]
pub struct RowHeights {
    /// Entry id of each slot.
    ids: Vec<u64>,
    /// Height of each slot (measured, or estimated until drawn); 0 once dropped.
    heights: Vec<f32>,
    /// Fenwick tree over `heights`, 1-based (`tree[0]` unused). f64: sums of 100k rows stay
    /// exact far below a pixel however many height updates they went through.
    tree: Vec<f64>,
    /// First live slot: slots before it were dropped from the top of the timeline.
    start: usize,
    /// What the heights were measured for.
    layout: Option<Layout>,
    /// How many times the index was rebuilt from scratch (tests check it stays rare).
    #[cfg_attr(not(test), allow(dead_code))]
    rebuilds: usize,
}

impl RowHeights {
    /// Brings the index in line with `entries` (O(new entries) when entries were only
    /// appended or dropped from the top), estimating each new row with `estimate`. Returns
    /// whether every height was thrown away because `layout` changed.
    pub fn sync(
        &mut self,
        entries: &VecDeque<Entry>,
        layout: Layout,
        estimate: impl Fn(&Entry) -> f32,
    ) -> bool {
        if self.layout != Some(layout) {
            let relaid = self.layout.is_some();
            self.layout = Some(layout);
            self.rebuild(entries, &HashMap::new(), &estimate);
            return relaid;
        }
        // Entries dropped from the top.
        let front = entries.front().map(|e| e.id);
        while self.start < self.ids.len() && Some(self.ids[self.start]) != front {
            let slot = self.start;
            self.add(slot, -f64::from(self.heights[slot]));
            self.heights[slot] = 0.0;
            self.start += 1;
        }
        let live = self.len();
        let aligned = live <= entries.len()
            && (live == 0 || self.ids.last() == entries.get(live - 1).map(|e| &e.id));
        if !aligned {
            // Something was inserted in the middle, or this is another timeline: keep the
            // heights known by id, re-estimate the rest.
            let known = self.known();
            self.rebuild(entries, &known, &estimate);
        } else if self.start > 1024 && self.start * 2 > self.ids.len() {
            // Mostly dropped slots: compact, so memory follows the live rows.
            let known = self.known();
            self.rebuild(entries, &known, &estimate);
        } else {
            for entry in entries.range(live..) {
                self.push(entry.id, estimate(entry));
            }
        }
        false
    }

    /// Number of rows.
    pub fn len(&self) -> usize {
        self.ids.len() - self.start
    }

    /// Height of all rows together.
    pub fn total(&self) -> f32 {
        self.prefix(self.ids.len()) as f32
    }

    /// Height of row `row`.
    pub fn height(&self, row: usize) -> f32 {
        self.heights[self.start + row]
    }

    /// Distance from the top of the list to the top of row `row`.
    pub fn top(&self, row: usize) -> f32 {
        self.prefix(self.start + row) as f32
    }

    /// The row that contains height `y` (measured from the top of the list), clamped to
    /// the rows there are. `None` when there are no rows.
    pub fn row_at(&self, y: f32) -> Option<usize> {
        if self.len() == 0 {
            return None;
        }
        let n = self.ids.len();
        let (mut pos, mut rest) = (0usize, f64::from(y));
        let mut step = n.next_power_of_two();
        while step > 0 {
            if pos + step <= n && self.tree[pos + step] <= rest {
                pos += step;
                rest -= self.tree[pos];
            }
            step >>= 1;
        }
        Some(pos.clamp(self.start, n - 1) - self.start)
    }

    /// Records the measured height of row `row`. O(log n).
    pub fn set_height(&mut self, row: usize, height: f32) {
        let slot = self.start + row;
        let delta = f64::from(height) - f64::from(self.heights[slot]);
        self.heights[slot] = height;
        self.add(slot, delta);
    }

    /// How many times the index was rebuilt from scratch.
    #[cfg(test)]
    pub fn rebuilds(&self) -> usize {
        self.rebuilds
    }

    fn known(&self) -> HashMap<u64, f32> {
        let live = self.start..self.ids.len();
        self.ids[live.clone()]
            .iter()
            .copied()
            .zip(self.heights[live].iter().copied())
            .collect()
    }

    /// Builds the index for `entries` in O(n), taking heights from `known` by id.
    fn rebuild(
        &mut self,
        entries: &VecDeque<Entry>,
        known: &HashMap<u64, f32>,
        estimate: &impl Fn(&Entry) -> f32,
    ) {
        self.rebuilds += 1;
        self.start = 0;
        self.ids = entries.iter().map(|e| e.id).collect();
        self.heights = entries
            .iter()
            .map(|e| known.get(&e.id).copied().unwrap_or_else(|| estimate(e)))
            .collect();
        let n = self.heights.len();
        self.tree = std::iter::once(0.0)
            .chain(self.heights.iter().map(|&h| f64::from(h)))
            .collect();
        for i in 1..=n {
            let parent = i + lowbit(i);
            if parent <= n {
                self.tree[parent] += self.tree[i];
            }
        }
    }

    /// Appends a slot in O(log n): its node covers itself and the slots just before it.
    fn push(&mut self, id: u64, height: f32) {
        let i = self.ids.len() + 1;
        let covered = self.prefix(i - 1) - self.prefix(i - lowbit(i));
        self.ids.push(id);
        self.heights.push(height);
        self.tree.push(f64::from(height) + covered);
    }

    fn add(&mut self, slot: usize, delta: f64) {
        let mut i = slot + 1;
        while i < self.tree.len() {
            self.tree[i] += delta;
            i += lowbit(i);
        }
    }

    /// Sum of the heights of slots `..end`.
    fn prefix(&self, end: usize) -> f64 {
        let (mut i, mut sum) = (end, 0.0);
        while i > 0 {
            sum += self.tree[i];
            i -= lowbit(i);
        }
        sum
    }
}

fn lowbit(i: usize) -> usize {
    i & i.wrapping_neg()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::state::EntryKind;

    const LAYOUT: Layout = Layout {
        width: 600.0,
        font_size: 14.0,
        pixels_per_point: 1.0,
    };

    fn notice(id: u64) -> Entry {
        Entry {
            id,
            ts: 0,
            kind: EntryKind::Notice(String::new()),
        }
    }

    /// Heights by id, so a wrong id-to-slot mapping shows as a wrong total.
    fn by_id(e: &Entry) -> f32 {
        (e.id % 7 + 1) as f32
    }

    fn naive_tops(entries: &VecDeque<Entry>) -> Vec<f32> {
        let mut top = 0.0;
        entries
            .iter()
            .map(|e| {
                let t = top;
                top += by_id(e);
                t
            })
            .collect()
    }

    fn check(index: &RowHeights, entries: &VecDeque<Entry>) {
        assert_eq!(index.len(), entries.len());
        let tops = naive_tops(entries);
        for (row, top) in tops.iter().enumerate() {
            assert_eq!(index.top(row), *top, "top of row {row}");
            assert_eq!(index.row_at(*top), Some(row), "row at {top}");
            assert_eq!(index.row_at(top + 0.5), Some(row));
        }
        let total: f32 = entries.iter().map(by_id).sum();
        assert_eq!(index.total(), total);
        assert_eq!(index.row_at(total + 100.0), Some(entries.len() - 1));
    }

    #[test]
    fn appends_and_drops_from_the_top_keep_the_totals_without_rebuilding() {
        let mut entries: VecDeque<Entry> = (1..=10).map(notice).collect();
        let mut index = RowHeights::default();
        index.sync(&entries, LAYOUT, by_id);
        check(&index, &entries);
        for id in 11..=3000 {
            entries.push_back(notice(id));
            if entries.len() > 100 {
                entries.pop_front();
            }
            index.sync(&entries, LAYOUT, by_id);
        }
        check(&index, &entries);
        // The first build, and compactions as dropped slots piled up; never one per frame.
        assert!(index.rebuilds() <= 3, "{} rebuilds", index.rebuilds());
    }

    #[test]
    fn an_entry_inserted_in_the_middle_keeps_the_measured_heights() {
        let mut entries: VecDeque<Entry> = (1..=20).map(notice).collect();
        let mut index = RowHeights::default();
        index.sync(&entries, LAYOUT, |_| 50.0);
        index.set_height(3, 10.0);
        entries.insert(5, notice(99));
        index.sync(&entries, LAYOUT, |_| 50.0);
        assert_eq!(index.len(), 21);
        assert_eq!(index.height(3), 10.0, "measured height kept by id");
        assert_eq!(index.total(), 20.0 * 50.0 + 10.0);
    }

    #[test]
    fn a_new_width_estimates_every_row_again() {
        let entries: VecDeque<Entry> = (1..=5).map(notice).collect();
        let mut index = RowHeights::default();
        assert!(!index.sync(&entries, LAYOUT, |_| 50.0), "first layout");
        index.set_height(0, 10.0);
        let wider = Layout {
            width: 900.0,
            ..LAYOUT
        };
        assert!(index.sync(&entries, wider, |_| 50.0));
        assert_eq!(index.total(), 250.0);
    }

    #[test]
    fn measured_heights_move_the_rows_below() {
        let entries: VecDeque<Entry> = (1..=1000).map(notice).collect();
        let mut index = RowHeights::default();
        index.sync(&entries, LAYOUT, |_| 50.0);
        index.set_height(10, 20.0);
        assert_eq!(index.top(11), 10.0 * 50.0 + 20.0);
        assert_eq!(index.row_at(10.0 * 50.0 + 20.0), Some(11));
        assert_eq!(index.total(), 999.0 * 50.0 + 20.0);
        assert_eq!(RowHeights::default().row_at(0.0), None);
    }
}
