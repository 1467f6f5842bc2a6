//! Species removed only by first-order reactions, removed exactly over a
//! leap.
//!
//! A species whose every removal is a reaction of propensity kⱼ·x (one
//! molecule per firing, kⱼ the same at every state), and whose count no
//! other propensity reads, loses each molecule independently: over a leap
//! of length τ a molecule present at its start is removed with probability
//! 1 − e^(−Kτ), K = Σⱼ kⱼ, and one that arrives at a uniform time within it
//! with probability 1 − (1 − e^(−Kτ))/(Kτ); a removal is reaction j's with
//! probability kⱼ/K. Drawing the removals so (binomial numbers, split
//! multinomially) instead of as Poisson numbers at frozen propensities
//! gives, for immigration at a constant rate λ, the exact law of the count
//! at the leap's end: Binomial(x, e^(−Kτ)) survivors plus
//! Poisson(λ(1 − e^(−Kτ))/K) of the arrivals (the monomolecular case of
//! Jahnke & Huisinga 2007, J Math Biol 54:1). Such a species then needs
//! neither Cao et al.'s bound nor the relaxation bound on its own count:
//! no other propensity reads it, its removals cannot make it negative (none
//! of its reactions is critical), and a leap longer than its relaxation
//! time 1/K loses nothing. On the branching metastasis model the
//! circulating cells (death at 5 per day) set every leap before (τ ≤ 0.006
//! day); now the tumour and the metastases do.
//!
//! What the removals make still bounds the leap: the leap is bounded both
//! with the channels at their start rates kⱼ·x and at the rates they settle
//! to, kⱼ·P/K (the expected count moves from x towards P/K, P the rate of
//! arrivals; `Decays::settled_rates`), and the leap's midpoint moves what
//! they make by their expected firings to then (`Decays::expected_firings`),
//! so that a species made from a count that starts at 0 is neither leapt
//! past nor frozen.
//!
//! Arrivals count as independent and uniform within the leap: exact when
//! they come one molecule per firing at rates constant over the leap. A
//! species made several molecules per firing (which arrive together) is
//! left to the leap. The leap-size rule bounds how far
//! counts move those rates, not how far time does, so a species made at a
//! rate that reads time is left to the leap (as is every species of a
//! model with events, which may change a rate constant or read the count).
//! A species made by another such species' removals (A → B → ∅) would
//! receive them early in a long leap, so it is not removed this way (A
//! still is; so, conservatively, is nothing made by a reaction that
//! qualified as a removal in the first pass, even if its species did not).

use rand::Rng;
use rand_chacha::ChaCha8Rng;
use rand_distr::Binomial;

use super::select::Plan;
use crate::error::Result;
use crate::ssa::Discrete;
use crate::system::{Change, StochReaction, Stoich};

/// The species removed exactly and the reactions removing them.
#[derive(Debug, Clone)]
pub(super) struct Decays {
    /// Per reaction: whether it removes a species of `list`.
    pub channel: Vec<bool>,
    /// Per species: whether it is in `list`.
    pub exact: Vec<bool>,
    list: Vec<Decay>,
}

/// One species removed exactly.
#[derive(Debug, Clone)]
struct Decay {
    /// Its amount slot.
    amount: usize,
    /// The reactions removing it, in order.
    channels: Vec<usize>,
    /// Where its channels' rates start in the list of every channel's
    /// (see [`Decays::rates`]).
    first: usize,
    /// The reactions making it, one molecule per firing.
    producers: Vec<usize>,
}

impl Decays {
    /// The species of `model` that qualify (none if not `enabled` or the
    /// model has events), leaving out those `continuous` flags.
    pub fn new(model: &Discrete, enabled: bool, continuous: impl Fn(usize) -> bool) -> Self {
        let (m, n) = (model.reactions.len(), model.species.len());
        let mut decays = Decays {
            channel: vec![false; m],
            exact: vec![false; n],
            list: Vec::new(),
        };
        if !enabled || !model.system.events.is_empty() {
            return decays;
        }
        let candidates: Vec<_> = (model.changed.iter())
            .filter(|&&i| !continuous(i))
            .filter_map(|&i| Some((i, channels(model, i)?, producers(model, i)?)))
            .collect();
        let mut channel = vec![false; m];
        candidates
            .iter()
            .flat_map(|c| &c.1)
            .for_each(|&j| channel[j] = true);
        let mut first = 0;
        for (i, channels, producers) in candidates {
            let made_by_a_channel = (model.reactions.iter().enumerate()).any(|(j, r)| {
                channel[j] && r.changes.iter().any(|c| c.species == i && c.sign > 0.0)
            });
            if made_by_a_channel {
                continue;
            }
            channels.iter().for_each(|&j| decays.channel[j] = true);
            decays.exact[i] = true;
            let len = channels.len();
            decays.list.push(Decay {
                amount: model.system.amount_slot(i) as usize,
                channels,
                first,
                producers,
            });
            first += len;
        }
        decays
    }

    /// The per-molecule rate kⱼ of every channel, in the order of the
    /// species and their channels, at the state in `slots` (the same at
    /// every state: each propensity divided by the count).
    ///
    /// # Errors
    ///
    /// As [`Discrete::propensity`].
    pub fn rates(&self, model: &Discrete, slots: &[f64]) -> Result<Vec<f64>> {
        let mut one = slots.to_vec();
        let mut stack = Vec::new();
        let mut k = Vec::new();
        for d in &self.list {
            one[d.amount] = 1.0;
            for &j in &d.channels {
                k.push(model.propensity(j, &mut one, &mut stack)?);
            }
            one[d.amount] = slots[d.amount];
        }
        Ok(k)
    }

    /// Whether no species is removed exactly.
    pub fn is_empty(&self) -> bool {
        self.list.is_empty()
    }

    /// Into `out`, for each channel, the rate it tends to as its species'
    /// count settles at P/K (P the rate of arrivals at the propensities
    /// `a`): kⱼ·P/K. Along a leap the expected count moves from x towards
    /// P/K, so each channel's expected rate lies between its propensity and
    /// this; what the channels make changes (in mean and variance) linearly
    /// in their rates, so bounding the leap at both ends bounds it along the
    /// way. Other entries are left alone.
    pub fn settled_rates(&self, k: &[f64], a: &[f64], out: &mut [f64]) {
        for d in &self.list {
            let (ks, total) = d.rates(k);
            let level = if total > 0.0 {
                d.inflow(a, |_| true) / total
            } else {
                0.0
            };
            for (&j, &kj) in d.channels.iter().zip(ks) {
                out[j] = kj * level;
            }
        }
    }

    /// Each channel's expected number of firings over a time `s` from the
    /// state in `slots` with propensities `a`, passed to `each`: kⱼ·∫₀ˢ
    /// x(r) dr, with x(r) = P/K + (x − P/K)·e^(−Kr) the expected count and
    /// P the rate of arrivals by the reactions `critical` does not flag (a
    /// critical reaction fires at most once, at the leap's end).
    pub fn expected_firings(
        &self,
        k: &[f64],
        (a, critical): (&[f64], &[bool]),
        slots: &[f64],
        s: f64,
        mut each: impl FnMut(usize, f64),
    ) {
        for d in &self.list {
            let (ks, total) = d.rates(k);
            let u = total * s;
            if u.is_nan() || u <= 0.0 {
                continue;
            }
            // ∫₀ˢ x(r) dr = x·(1 − e^(−u))/K + P·s·late(u)/K.
            let x = slots[d.amount];
            let inflow = d.inflow(a, |j| !critical[j]);
            let integral = (x * -(-u).exp_m1() + inflow * s * late(u)) / total;
            for (&j, &kj) in d.channels.iter().zip(ks) {
                each(j, kj * integral);
            }
        }
    }

    /// Removes, over a leap of `dt`, the molecules of each species of the
    /// list that were in `start` or arrived in `trial` (which the other
    /// reactions' firings of the leap have moved), firing its channels
    /// into `trial`; `k` from [`Decays::rates`]. Returns the firings.
    pub fn remove(
        &self,
        k: &[f64],
        dt: f64,
        start: &[f64],
        trial: &mut [f64],
        plan: &Plan,
        rng: &mut ChaCha8Rng,
    ) -> f64 {
        let mut fired = 0.0;
        for d in &self.list {
            let (ks, total) = d.rates(k);
            let u = total * dt;
            if u.is_nan() || u <= 0.0 {
                continue;
            }
            let x = start[d.amount];
            let arrived = trial[d.amount] - x;
            let mut left = binomial(x, -(-u).exp_m1(), rng) + binomial(arrived, late(u), rng);
            fired += left;
            let mut rest = total;
            for (c, (&j, &kj)) in d.channels.iter().zip(ks).enumerate() {
                if left == 0.0 {
                    break;
                }
                let r = if c + 1 == ks.len() {
                    left
                } else {
                    binomial(left, kj / rest, rng)
                };
                plan.fire(j, r, trial);
                left -= r;
                rest -= kj;
            }
        }
        fired
    }
}

impl Decay {
    /// Its channels' rates kⱼ out of every channel's `k` (see
    /// [`Decays::rates`]), and their sum K.
    fn rates<'k>(&self, k: &'k [f64]) -> (&'k [f64], f64) {
        let ks = &k[self.first..self.first + self.channels.len()];
        (ks, ks.iter().sum())
    }

    /// The rate P at which molecules arrive, from the propensities `a` of
    /// the producers `keep` accepts.
    fn inflow(&self, a: &[f64], keep: impl Fn(usize) -> bool) -> f64 {
        self.producers
            .iter()
            .filter(|&&j| keep(j))
            .map(|&j| a[j])
            .sum()
    }
}

/// The reactions making species `i`, if each makes one molecule of it per
/// firing and none reads time. Molecules made
/// together arrive at the same time, so their removals are not independent
/// (DSMTS 00039, immigration in batches of 100, failed its SD test with
/// them drawn as if they were); arrivals whose rate only time changes are
/// bounded by no species' count, so could crowd into part of a long leap.
fn producers(model: &Discrete, i: usize) -> Option<Vec<usize>> {
    let mut producers = Vec::new();
    for (j, r) in model.reactions.iter().enumerate() {
        let Some(c) = change_of(r, i)?.filter(|c| c.sign > 0.0) else {
            continue;
        };
        let one = matches!(c.stoich, Stoich::Const(v) if v == 1.0);
        if !(one && c.factor.is_none() && !r.reads_time()) {
            return None;
        }
        producers.push(j);
    }
    Some(producers)
}

/// The reactions removing species `i`, if each removes one molecule of it
/// (and of nothing else) at a propensity kⱼ·x, and no other reaction reads
/// its count.
fn channels(model: &Discrete, i: usize) -> Option<Vec<usize>> {
    let amount = model.system.amount_slot(i);
    let mut channels = Vec::new();
    for (j, r) in model.reactions.iter().enumerate() {
        let removes = change_of(r, i)?.is_some_and(|c| c.sign < 0.0);
        if removes {
            let only_i = r.changes.iter().all(|c| {
                let one_of_i = c.species == i && matches!(c.stoich, Stoich::Const(v) if v == 1.0);
                c.factor.is_none() && (c.sign > 0.0 || one_of_i)
            });
            if !(only_i && model.first_order(j, amount)) {
                return None;
            }
            channels.push(j);
        } else if r.reads.contains(&amount) {
            return None;
        }
    }
    (!channels.is_empty()).then_some(channels)
}

/// The change reaction `r` makes to species `i`, if any (`Some(None)` if
/// none); `None` if it has several (references not merged into one, a
/// stoichiometry read from a slot among them), which leaves `i` to the
/// leap.
fn change_of(r: &StochReaction, i: usize) -> Option<Option<&Change>> {
    let mut of_i = r.changes.iter().filter(|c| c.species == i);
    let first = of_i.next();
    of_i.next().is_none().then_some(first)
}

/// The chance that a molecule arriving at a uniform time in a leap is
/// removed by its end, at total rate × leap `u`: 1 − (1 − e^(−u))/u, by its
/// series where that cancels.
fn late(u: f64) -> f64 {
    if u < 1e-3 {
        u / 2.0 - u * u / 6.0 + u * u * u / 24.0
    } else {
        1.0 + (-u).exp_m1() / u
    }
}

/// A Binomial(n, p) count, n whole.
fn binomial(n: f64, p: f64, rng: &mut ChaCha8Rng) -> f64 {
    if n <= 0.0 || p.is_nan() || p <= 0.0 {
        return 0.0;
    }
    if p >= 1.0 {
        return n;
    }
    // p is in (0, 1) and n a whole count: the distribution exists.
    match Binomial::new(n as u64, p) {
        Ok(b) => rng.sample(b) as f64,
        Err(_) => 0.0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::expr::Expr;
    use crate::network::{Event, EventAssignment, Network};

    fn law(text: &str) -> Expr {
        text.parse().expect("parses")
    }

    /// Which species are drawn exactly, and the channels of each.
    fn exact(net: &Network) -> Result<Vec<(String, Vec<String>)>> {
        let model = Discrete::new(net)?;
        let decays = Decays::new(&model, true, |_| false);
        let species = |slot: usize| {
            (0..model.species.len())
                .find(|&i| model.system.amount_slot(i) as usize == slot)
                .map(|i| model.species[i].clone())
                .unwrap_or_default()
        };
        let mut found = Vec::new();
        for d in &decays.list {
            let ids = d.channels.iter().map(|&j| model.reactions[j].id.clone());
            found.push((species(d.amount), ids.collect::<Vec<_>>()));
        }
        let flagged = decays.channel.iter().filter(|&&c| c).count();
        assert_eq!(flagged, found.iter().map(|f| f.1.len()).sum::<usize>());
        Ok(found)
    }

    fn names(list: &[(&str, &[&str])]) -> Vec<(String, Vec<String>)> {
        let owned = |s: &[&str]| s.iter().map(|x| x.to_string()).collect();
        list.iter()
            .map(|(i, c)| (i.to_string(), owned(c)))
            .collect()
    }

    #[test]
    fn only_first_order_removals_nobody_else_reads_qualify() -> Result<()> {
        // The branching model: T's count drives its birth and shedding, M's
        // its birth; C is removed by death and seeding only.
        let mut net = Network::well_mixed(&[("T", 1000.0), ("C", 0.0), ("M", 0.0)]);
        net.add_parameter("dc", 5.0);
        net.add_reaction(
            "birth",
            &[("T", 1.0)],
            &[("T", 2.0)],
            law("0.3 * T * (1 - T / 1e6)"),
        );
        net.add_reaction("death", &[("T", 1.0)], &[], law("0.1 * T"));
        net.add_reaction(
            "shed",
            &[("T", 1.0)],
            &[("T", 1.0), ("C", 1.0)],
            law("0.001 * T"),
        );
        net.add_reaction("C_death", &[("C", 1.0)], &[], law("dc * C"));
        net.add_reaction("seed", &[("C", 1.0)], &[("M", 1.0)], law("0.001 * C"));
        net.add_reaction("M_birth", &[("M", 1.0)], &[("M", 2.0)], law("0.2 * M"));
        assert_eq!(exact(&net)?, names(&[("C", &["C_death", "seed"])]));
        let model = Discrete::new(&net)?;
        let decays = Decays::new(&model, true, |_| false);
        let slots = model.system.initial_slots(0.0, &[], &mut Vec::new());
        assert_eq!(decays.rates(&model, &slots)?, [5.0, 0.001]);
        // Switched off, continuous, or with an event: none.
        assert!(Decays::new(&model, false, |_| false).list.is_empty());
        assert!(Decays::new(&model, true, |i| i == 1).list.is_empty());
        net.events.push(Event {
            id: None,
            trigger: law("time > 5"),
            initial_value: true,
            persistent: true,
            delay: None,
            priority: None,
            use_values_from_trigger_time: true,
            assignments: vec![EventAssignment {
                variable: "dc".into(),
                math: law("1"),
            }],
        });
        assert!(exact(&net)?.is_empty());
        Ok(())
    }

    #[test]
    fn chains_dimers_and_read_counts_do_not_qualify() -> Result<()> {
        // 0 → A → B → 0: A qualifies; B arrives by A's removals, not
        // uniformly within a leap, so it does not.
        let mut net = Network::well_mixed(&[("A", 0.0), ("B", 0.0)]);
        net.add_reaction("make", &[], &[("A", 1.0)], law("10"));
        net.add_reaction("convert", &[("A", 1.0)], &[("B", 1.0)], law("2 * A"));
        net.add_reaction("clear", &[("B", 1.0)], &[], law("B"));
        assert_eq!(exact(&net)?, names(&[("A", &["convert"])]));
        // Removed two at a time, at a second-order rate, by a law that is
        // not a product, or read by another propensity, or made at a rate
        // that time changes, or made a hundred at a time: none.
        for (removal, reactants, other, made) in [
            ("0.1 * X", &[("X", 2.0)][..], "5", 1.0),
            ("0.1 * X * X", &[("X", 1.0)][..], "5", 1.0),
            ("X / (1 + X)", &[("X", 1.0)][..], "5", 1.0),
            ("0.1 * X", &[("X", 1.0), ("Y", 1.0)][..], "5", 1.0),
            ("0.1 * X * time", &[("X", 1.0)][..], "5", 1.0),
            ("0.1 * X", &[("X", 1.0)][..], "5 + X", 1.0),
            ("0.1 * X", &[("X", 1.0)][..], "5 + time", 1.0),
            ("0.1 * X", &[("X", 1.0)][..], "5", 100.0),
        ] {
            let mut net = Network::well_mixed(&[("X", 50.0), ("Y", 50.0)]);
            net.add_reaction("make", &[], &[("X", made)], law(other));
            net.add_reaction("remove", reactants, &[], law(removal));
            assert!(
                exact(&net)?.is_empty(),
                "{removal} of {reactants:?}, {made} made at {other}"
            );
        }
        Ok(())
    }

    #[test]
    fn late_arrivals_are_removed_with_the_averaged_chance() {
        // 1 − (1 − e^(−u))/u is the mean over s in (0, u) of 1 − e^(−s).
        for u in [1e-9, 1e-4, 9.99e-4, 1e-3, 0.3, 5.0, 80.0] {
            let steps = 100_000;
            let h = u / steps as f64;
            let mean = (0..steps)
                .map(|k| -(-(k as f64 + 0.5) * h).exp_m1())
                .sum::<f64>()
                / steps as f64;
            let got = late(u);
            assert!((got - mean).abs() <= 1e-9 * mean, "{u}: {got} vs {mean}");
        }
    }

    #[test]
    fn expected_firings_integrate_the_expected_count() -> Result<()> {
        // 0 → X at P (critical or not), X → Y at k₁·X, X → Z at k₂·X, from
        // X = 40: E ∫₀ˢ X = P·s/K + (x − P/K)(1 − e^(−Ks))/K, by quadrature.
        for (k1, k2, s) in [(1e-7, 2e-7, 3.0), (0.4, 0.6, 1.0), (300.0, 700.0, 1.0)] {
            let mut net = Network::well_mixed(&[("X", 40.0), ("Y", 0.0), ("Z", 0.0)]);
            net.add_parameter("k1", k1);
            net.add_parameter("k2", k2);
            net.add_reaction("make", &[], &[("X", 1.0)], law("25"));
            net.add_reaction("to_y", &[("X", 1.0)], &[("Y", 1.0)], law("k1 * X"));
            net.add_reaction("to_z", &[("X", 1.0)], &[("Z", 1.0)], law("k2 * X"));
            let model = Discrete::new(&net)?;
            let decays = Decays::new(&model, true, |_| false);
            let slots = model.system.initial_slots(0.0, &[], &mut Vec::new());
            let k = decays.rates(&model, &slots)?;
            let a = [25.0, k1 * 40.0, k2 * 40.0];
            let total = k1 + k2;
            for (critical, p) in [([false; 3], 25.0), ([true, false, false], 0.0)] {
                let steps = 200_000;
                let h = s / steps as f64;
                let count = |r: f64| p / total + (40.0 - p / total) * (-total * r).exp();
                let integral: f64 = (0..steps).map(|i| count((i as f64 + 0.5) * h) * h).sum();
                let mut got = Vec::new();
                decays.expected_firings(&k, (&a, &critical), &slots, s, |j, n| got.push((j, n)));
                assert_eq!(got.len(), 2);
                for ((j, n), kj) in got.into_iter().zip([k1, k2]) {
                    let want = kj * integral;
                    // The midpoint rule is off by about (hK)²/24 on the
                    // transient.
                    assert!(
                        (n - want).abs() <= 2e-6 * want,
                        "{k1} {s} {j}: {n} vs {want}"
                    );
                }
            }
            // The settled rates: kⱼ·P/K, the start rates' other end.
            let mut out = a;
            decays.settled_rates(&k, &a, &mut out);
            let settled = [25.0, k1 * 25.0 / total, k2 * 25.0 / total];
            for (o, w) in out.iter().zip(settled) {
                assert!((o - w).abs() <= 1e-12 * w, "{out:?} vs {settled:?}");
            }
        }
        Ok(())
    }

    #[test]
    fn removals_follow_the_binomial_and_multinomial_laws() -> Result<()> {
        use rand::SeedableRng;
        // X → Y at 1·X, X → Z at 3·X and X → W at 2·X over a leap of 0.2
        // from 4000 with 1000 arrivals: removed Binomial(4000, 1 − e^(−1.2))
        // + Binomial(1000, late(1.2)), split 1 : 3 : 2.
        let species = [("X", 4000.0), ("Y", 0.0), ("Z", 0.0), ("W", 0.0)];
        let mut net = Network::well_mixed(&species);
        net.add_reaction("to_y", &[("X", 1.0)], &[("Y", 1.0)], law("X"));
        net.add_reaction("to_z", &[("X", 1.0)], &[("Z", 1.0)], law("3 * X"));
        net.add_reaction("to_w", &[("X", 1.0)], &[("W", 1.0)], law("2 * X"));
        let model = Discrete::new(&net)?;
        let decays = Decays::new(&model, true, |_| false);
        let start = model.system.initial_slots(0.0, &[], &mut Vec::new());
        let plan = Plan::new(&model, &start, &decays);
        let k = decays.rates(&model, &start)?;
        let slot = |i: usize| model.system.amount_slot(i) as usize;
        let mut rng = ChaCha8Rng::seed_from_u64(7);
        let n = 20_000;
        let mut sums = [[0.0; 2]; 4];
        for _ in 0..n {
            let mut trial = start.clone();
            trial[slot(0)] += 1000.0;
            let fired = decays.remove(&k, 0.2, &start, &mut trial, &plan, &mut rng);
            let removed = 5000.0 - trial[slot(0)];
            assert_eq!(fired, removed);
            assert_eq!(trial[slot(1)] + trial[slot(2)] + trial[slot(3)], removed);
            for (i, s) in sums.iter_mut().enumerate() {
                let v = if i == 0 { removed } else { trial[slot(i)] };
                s[0] += v;
                s[1] += v * v;
            }
        }
        let (p, q) = (-(-1.2f64).exp_m1(), late(1.2));
        let mean = 4000.0 * p + 1000.0 * q;
        let var = 4000.0 * p * (1.0 - p) + 1000.0 * q * (1.0 - q);
        // Each removal is Y's, Z's or W's with chance 1/6, 1/2, 1/3
        // (binomial thinning of the removals).
        let thinned = |c: f64| (mean * c, var * c * c + mean * c * (1.0 - c));
        let laws = [
            (mean, var),
            thinned(1.0 / 6.0),
            thinned(0.5),
            thinned(1.0 / 3.0),
        ];
        for (s, (mu, v)) in sums.into_iter().zip(laws) {
            let m = s[0] / n as f64;
            let var_hat = s[1] / n as f64 - m * m;
            assert!(
                (m - mu).abs() < 4.0 * (v / n as f64).sqrt(),
                "mean {m} vs {mu}"
            );
            let se_var = v * (2.0 / n as f64).sqrt();
            assert!(
                (var_hat - v).abs() < 4.0 * se_var,
                "variance {var_hat} vs {v}"
            );
        }
        Ok(())
    }
}
