//! What a leap's estimated midpoint gives (Gillespie 2001): the Poisson
//! means of the non-critical reactions, and how the critical reactions'
//! hazard changes over the leap (see `tau/hazard.rs`).

use super::Run;
use crate::tau::LeapUpdate;

impl Run<'_, '_> {
    /// The Poisson means per unit time of a leap of length `dt` from the
    /// current state, into `rate`: the propensities there, or at the leap's
    /// estimated midpoint. The midpoint moves every count by the expected
    /// change of the non-critical reactions over dt/2 (`Run::move_trial`), rounded to a whole
    /// count (as Gillespie 2001 does) and at least zero, at time t + dt/2.
    /// Only non-critical reactions with a positive propensity take their
    /// midpoint value (a propensity that cannot be evaluated there keeps
    /// its start value): a reaction idle at the start stays idle, as the
    /// leap-size rule assumes.
    ///
    /// Returns false if a propensity (other than an exactly drawn removal's,
    /// `tau/decay.rs`) falls to 0 by the midpoint: the leap reaches a zero
    /// of it, too long for a midpoint to stand for (logistic growth near
    /// its capacity, whose propensity the leap-size rule, bounding counts,
    /// does not bound); its Poisson mean would be 0, and so would be every
    /// later leap's as long as it stays that long.
    pub(super) fn rates(&mut self, dt: f64) -> bool {
        self.rate.copy_from_slice(&self.a);
        if self.tau.update == LeapUpdate::Explicit {
            return true;
        }
        self.move_trial(dt, nearest_count);
        let (critical, a, rate) = (&self.critical, &self.a, &mut self.rate);
        let leaping = |j: usize| !critical[j] && a[j] > 0.0;
        let (trial, stack) = (&mut self.trial, &mut self.stack);
        let channel = &self.tau.decays.channel;
        let mut vanished = false;
        self.tau
            .model
            .each_propensity(trial, stack, leaping, |j, mid| {
                if let Ok(mid) = mid {
                    rate[j] = mid;
                    vanished |= mid == 0.0 && !channel[j];
                }
            });
        !vanished
    }

    /// The rates bⱼ at which critical propensities change during a leap of
    /// up to `tau1`, into `slope`; returns their sum. With the midpoint
    /// update, bⱼ = (aⱼ(x̃) − aⱼ(x)) / (τ₁/2) at x̃, the state moved by the
    /// non-critical reactions' expected firings over τ₁/2 (not rounded: a
    /// count of 2 moved by 0.4 matters here), taken as 0 where it cannot be
    /// evaluated, and at least −aⱼ/τ₁, so that no hazard turns negative
    /// within the leap. A reaction idle at the start whose propensity rises
    /// (a death whose species is born during the leap) joins the critical
    /// reactions for this leap: it may fire once, unless its removals are
    /// drawn exactly (`tau/decay.rs`). All 0 with the explicit update.
    pub(super) fn critical_slopes(&mut self, tau1: f64) -> f64 {
        self.slope.fill(0.0);
        let explicit = self.tau.update == LeapUpdate::Explicit;
        if explicit || !(tau1 > 0.0 && tau1.is_finite()) {
            return 0.0;
        }
        // The critical reactions, and the idle ones whose propensity a
        // moving (non-critical) reaction may change; an exactly drawn
        // removal moves if it may fire in the leap: its species is present
        // or arriving (`a_settled`, which `Run::set_settled_rates` has set
        // for this state).
        let settled = (!self.tau.decays.is_empty()).then_some(&self.a_settled);
        let mut any = false;
        for j in 0..self.a.len() {
            let moving = |&i: &usize| {
                !self.critical[i] && (self.a[i] > 0.0 || settled.is_some_and(|s| s[i] > 0.0))
            };
            let idle = self.a[j] == 0.0 && !self.tau.decays.channel[j];
            let c = self.critical[j] || (idle && self.tau.fed_by[j].iter().any(moving));
            self.candidate[j] = c;
            any |= c;
        }
        if !any {
            return 0.0;
        }
        self.move_trial(tau1, |x| x.max(0.0));
        let half = 0.5 * tau1;
        let model = &self.tau.model;
        let mut total = 0.0;
        for j in 0..self.a.len() {
            if !self.candidate[j] {
                continue;
            }
            let (a, critical) = (self.a[j], self.critical[j]);
            let mid = model
                .propensity(j, &mut self.trial, &mut self.stack)
                .unwrap_or(0.0);
            let b = ((mid - a) / half).max(-a / tau1);
            if critical || b > 0.0 {
                self.critical[j] = true;
                self.slope[j] = b;
                total += b;
            }
        }
        total
    }

    /// Puts in `trial` the state at the estimated midpoint of a leap of
    /// `dt`: every non-critical reaction with a positive propensity fired
    /// its expected number of times over dt/2 (the propensity times dt/2,
    /// or for an exactly drawn removal, whose propensity moves with its
    /// species, `Decays::expected_firings`), each changed count then
    /// passed through `count` (a continuous species only kept at least 0),
    /// at time t + dt/2.
    fn move_trial(&mut self, dt: f64, count: impl Fn(f64) -> f64) {
        let model = &self.tau.model;
        let decays = &self.tau.decays;
        self.reset_trial();
        for (j, &a) in self.a.iter().enumerate() {
            if !self.critical[j] && a > 0.0 && !decays.channel[j] {
                self.plan.fire(j, 0.5 * a * dt, &mut self.trial);
            }
        }
        let (plan, trial) = (&self.plan, &mut self.trial);
        let (k, rates, slots) = (
            &self.decay_rates,
            (&self.a[..], &self.critical[..]),
            &self.slots,
        );
        decays.expected_firings(k, rates, slots, 0.5 * dt, |j, n| plan.fire(j, n, trial));
        let langevin = self.tau.langevin.as_ref();
        for &i in &model.changed {
            let x = &mut self.trial[self.plan.amount(i)];
            *x = match langevin {
                Some(l) if l.continuous(i) => x.max(0.0),
                _ => count(*x),
            };
        }
        self.trial[0] = self.t + 0.5 * dt;
    }
}

/// `x` rounded to the nearest whole count (halves up), at least 0 and 0 for
/// NaN, as `x.round().max(0.0)` but for the last bit below a half, through
/// an integer conversion: `round` is a library call on x86-64 without SSE4.1.
fn nearest_count(x: f64) -> f64 {
    if x >= crate::tau::WHOLE {
        x
    } else if x > 0.0 {
        // Signed: one instruction on x86-64, where unsigned takes several.
        (x + 0.5) as i64 as f64
    } else {
        0.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::Result;
    use crate::network::Network;
    use crate::tau::Tau;
    use rand::SeedableRng;
    use rand_chacha::ChaCha8Rng;

    #[test]
    fn nearest_counts_round_like_round() {
        for x in [0.0, 0.2, 0.5, 1.49, 1.5, 2.5, 1e6 + 0.5, 1e12 + 0.7, 1e17] {
            assert_eq!(nearest_count(x), x.round(), "{x}");
        }
        for x in [-0.4, -3.0, f64::NAN, f64::NEG_INFINITY] {
            assert_eq!(nearest_count(x), 0.0, "{x}");
        }
        assert_eq!(nearest_count(f64::INFINITY), f64::INFINITY);
    }

    /// 0 → X at 50, X → 0 at 0.1·X from X = 100 (net +40 per unit time),
    /// 0 → Y at `time`, Z → 0 at Z from Z = 0 (idle), and, if `feed`,
    /// 0 → Z at 10.
    fn network(feed: bool) -> Network {
        let mut net = Network::well_mixed(&[("X", 100.0), ("Y", 0.0), ("Z", 0.0)]);
        let law = |text: &str| text.parse().expect("parses");
        net.add_reaction("birth", &[], &[("X", 1.0)], law("50"));
        net.add_reaction("death", &[("X", 1.0)], &[], law("0.1 * X"));
        net.add_reaction("clock", &[], &[("Y", 1.0)], law("time"));
        net.add_reaction("idle", &[("Z", 1.0)], &[], law("Z"));
        if feed {
            net.add_reaction("feed", &[], &[("Z", 1.0)], law("10"));
        }
        net
    }

    /// A run of `net` at time `t` with the reactions in `critical` marked
    /// critical; `f` reads what it needs from it. The deaths of X and Z
    /// are first-order removals, left to the leap here (drawn exactly,
    /// they would never be critical).
    fn at<T>(
        net: &Network,
        update: LeapUpdate,
        t: f64,
        critical: &[bool],
        f: impl FnOnce(&mut Run) -> T,
    ) -> Result<T> {
        let tau = Tau::builder(net)
            .update(update)
            .exact_decay(false)
            .build()?;
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        let mut run = Run::new(&tau, &mut rng, &[0.0, 10.0], &[], &mut [])?;
        run.t = t;
        run.settle()?;
        run.critical.copy_from_slice(critical);
        Ok(f(&mut run))
    }

    /// The Poisson means per unit time of a leap of `dt` from time `t`.
    fn rates(update: LeapUpdate, t: f64, dt: f64, critical: &[bool]) -> Result<Vec<f64>> {
        at(&network(false), update, t, critical, |run| {
            assert!(run.rates(dt), "no propensity vanishes");
            run.rate.clone()
        })
    }

    #[test]
    fn midpoint_means_follow_half_the_expected_change() -> Result<()> {
        let none = [false; 4];
        // Half of +40·0.5 is +10: X = 110, death 11; the clock reads t + dt/2.
        assert_eq!(
            rates(LeapUpdate::Midpoint, 2.0, 0.5, &none)?,
            [50.0, 11.0, 2.25, 0.0]
        );
        // +40·0.31/2 = 6.2 rounds to 6: X = 106.
        let r = rates(LeapUpdate::Midpoint, 2.0, 0.31, &none)?;
        assert!((r[1] - 10.6).abs() < 1e-12, "{r:?}");
        // A critical reaction keeps its start value and does not move X.
        let death_critical = [false, true, false, false];
        let r = rates(LeapUpdate::Midpoint, 2.0, 0.5, &death_critical)?;
        assert_eq!(r[1], 10.0);
        // The explicit update takes the start values.
        assert_eq!(
            rates(LeapUpdate::Explicit, 2.0, 0.5, &none)?,
            [50.0, 10.0, 2.0, 0.0]
        );
        Ok(())
    }

    #[test]
    fn critical_hazards_follow_the_expected_change() -> Result<()> {
        let slopes = |net: &Network, update, critical: &[bool]| {
            at(net, update, 2.0, critical, |run| {
                let total = run.critical_slopes(0.5);
                (total, run.slope.clone(), run.critical.clone())
            })
        };
        // Death critical: only birth moves X, by 50·0.25 = 12.5 (not
        // rounded), so death goes from 10 to 11.25 over 0.25: slope 5. The
        // idle reaction stays idle (nothing makes Z).
        let marked = [false, true, false, false];
        let (total, b, critical) = slopes(&network(false), LeapUpdate::Midpoint, &marked)?;
        assert_eq!((total, b), (5.0, vec![0.0, 5.0, 0.0, 0.0]));
        assert_eq!(critical, marked);
        // Z is fed at 10: 2.5 by mid-leap, so its idle death joins the
        // critical reactions with slope 2.5/0.25 = 10.
        let marked = [false, true, false, false, false];
        let (total, b, critical) = slopes(&network(true), LeapUpdate::Midpoint, &marked)?;
        assert_eq!((total, b), (15.0, vec![0.0, 5.0, 0.0, 10.0, 0.0]));
        assert_eq!(critical, [false, true, false, true, false]);
        // The explicit update holds every hazard.
        let (total, b, critical) = slopes(&network(true), LeapUpdate::Explicit, &marked)?;
        assert_eq!((total, b), (0.0, vec![0.0; 5]));
        assert_eq!(critical, marked);
        Ok(())
    }
}
