//! The indexed priority queue of the next reaction method (Gibson & Bruck
//! 2000): every reaction's putative firing time in a binary heap that also
//! knows where each reaction sits, so a changed time moves in O(log M).
//!
//! Random numbers are reused as Gibson & Bruck describe: when a reaction's
//! propensity changes from `a` to `a'` at time `t` without it firing, its
//! putative time `τ` becomes `t + (a/a')(τ − t)`; only the reaction that fired
//! (and one whose propensity returns from zero) draws a new exponential.

use rand::Rng;
use rand_distr::Exp1;

/// Putative times and propensities of every reaction, in a heap by time.
#[derive(Debug, Clone)]
pub(crate) struct Queue {
    time: Vec<f64>,
    rate: Vec<f64>,
    /// Reactions, the earliest first; children of `i` at `2i + 1`, `2i + 2`.
    heap: Vec<usize>,
    /// Where each reaction sits in `heap`.
    pos: Vec<usize>,
}

impl Queue {
    /// `n` reactions that never fire (propensity 0).
    pub fn new(n: usize) -> Self {
        Queue {
            time: vec![f64::INFINITY; n],
            rate: vec![0.0; n],
            heap: (0..n).collect(),
            pos: (0..n).collect(),
        }
    }

    /// The reaction due first and its time (`None` without reactions).
    pub fn first(&self) -> Option<(f64, usize)> {
        let &j = self.heap.first()?;
        Some((self.time[j], j))
    }

    /// Reaction `j`'s propensity.
    pub fn rate(&self, j: usize) -> f64 {
        self.rate[j]
    }

    /// Sets reaction `j`'s propensity to `a` at time `t`. Its putative time is
    /// drawn afresh if it is due (it has just fired) or was never going to
    /// fire, rescaled otherwise.
    pub fn update(&mut self, j: usize, a: f64, t: f64, rng: &mut impl Rng) {
        let (old, tau) = (self.rate[j], self.time[j]);
        if a == old && tau > t {
            return;
        }
        let fresh = tau <= t || old == 0.0 || tau == f64::INFINITY;
        self.rate[j] = a;
        self.time[j] = if a <= 0.0 {
            f64::INFINITY
        } else if fresh {
            t + rng.sample::<f64, _>(Exp1) / a
        } else {
            t + (old / a) * (tau - t)
        };
        self.sift_up(self.pos[j]);
        self.sift_down(self.pos[j]);
    }

    fn swap(&mut self, a: usize, b: usize) {
        self.heap.swap(a, b);
        self.pos[self.heap[a]] = a;
        self.pos[self.heap[b]] = b;
    }

    fn earlier(&self, a: usize, b: usize) -> bool {
        self.time[self.heap[a]] < self.time[self.heap[b]]
    }

    fn sift_up(&mut self, mut i: usize) {
        while i > 0 {
            let parent = (i - 1) / 2;
            if !self.earlier(i, parent) {
                break;
            }
            self.swap(i, parent);
            i = parent;
        }
    }

    fn sift_down(&mut self, mut i: usize) {
        loop {
            let (l, r) = (2 * i + 1, 2 * i + 2);
            let mut m = i;
            if l < self.heap.len() && self.earlier(l, m) {
                m = l;
            }
            if r < self.heap.len() && self.earlier(r, m) {
                m = r;
            }
            if m == i {
                return;
            }
            self.swap(i, m);
            i = m;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use rand::SeedableRng;
    use rand_chacha::ChaCha8Rng;

    proptest! {
        // A stated seed: CI runs the same cases every time (style.md §4).
        #![proptest_config(proptest::prelude::ProptestConfig { rng_seed: proptest::test_runner::RngSeed::Fixed(20261127), ..proptest::prelude::ProptestConfig::default() })]

        /// Against a naive oracle: the first reaction is the one with the
        /// smallest time, and every position is where the heap holds it.
        #[test]
        fn first_is_the_minimum(
            n in 1usize..40,
            updates in proptest::collection::vec((0usize..40, 0.0f64..5.0, 0.0f64..3.0), 1..60),
        ) {
            let mut q = Queue::new(n);
            let mut rng = ChaCha8Rng::seed_from_u64(3);
            for (j, a, t) in updates {
                q.update(j % n, a, t, &mut rng);
                let (tau, first) = q.first().expect("reactions");
                let min = q.time.iter().copied().fold(f64::INFINITY, f64::min);
                prop_assert_eq!(tau, min);
                prop_assert_eq!(q.time[first], min);
                for (i, &k) in q.heap.iter().enumerate() {
                    prop_assert_eq!(q.pos[k], i);
                }
            }
        }
    }

    #[test]
    fn rescales_without_firing_and_draws_after() {
        let mut q = Queue::new(2);
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        q.update(0, 2.0, 0.0, &mut rng);
        let tau = q.time[0];
        assert!(tau > 0.0 && tau.is_finite());
        // Halving the propensity at t = 0 doubles the remaining time.
        q.update(0, 1.0, 0.0, &mut rng);
        assert_eq!(q.time[0], 2.0 * tau);
        // Zero: never; back from zero: a fresh draw after t.
        q.update(0, 0.0, 0.1, &mut rng);
        assert_eq!(q.first(), Some((f64::INFINITY, 0)));
        q.update(0, 1.0, 0.1, &mut rng);
        assert!(q.time[0] > 0.1 && q.time[0] != 0.1 + 2.0 * tau - 0.1);
        // Due (it fired at its time): drawn afresh.
        let t = q.time[0];
        q.update(0, 1.0, t, &mut rng);
        assert!(q.time[0] > t);
        assert_eq!(q.first().map(|f| f.1), Some(0));
    }
}
