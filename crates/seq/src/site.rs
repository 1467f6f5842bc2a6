//! Seed-site types and the seed-site scanner.
//!
//! Site types follow TargetScan (Lewis et al. 2005; Grimson et al. 2007;
//! Friedman et al. 2009; Agarwal et al. 2015). With miRNA nucleotides 2–8 the
//! seed, a site on the 3'UTR (read 5'→3') is:
//!
//! | type          | pairs with miRNA nt | plus         | TargetScan 7.0 name |
//! |---------------|---------------------|--------------|---------------------|
//! | `8mer`        | 2–8                 | an A opposite nt 1 | `8mer-1a`     |
//! | `7mer-m8`     | 2–8                 |              | `7mer-m8`           |
//! | `7mer-A1`     | 2–7                 | an A opposite nt 1 | `7mer-1a`     |
//! | `6mer`        | 2–7                 |              | `6mer`              |
//! | `offset-6mer` | 3–8                 |              | (context++ feature) |
//! | `6mer-A1`     | 2–6 (non-canonical) | an A opposite nt 1 | `6mer-1a`     |
//!
//! **Overlap rule** (`targetscan_70.pl`, `findRemoveMatchSubsets`): a site is
//! reported once, as its longest type: an 8mer hides the 7mers and the 6mer it
//! contains, a 7mer its 6mer, a 7mer-m8 its offset-6mer, a 7mer-A1 or 8mer its
//! 6mer-A1. Distinct overlapping sites (e.g. in repeats) are all reported.
//!
//! **Ribosome shadow:** like `targetscan_70.pl` (`$BEG_UTR_MASK_LENGTH = 14`),
//! the first 14 nucleotides of a UTR are masked by default ([`Builder::shadow`]).
//!
//! The scanner encodes each 6-nt window in 12 bits and looks it up in tables
//! of seeds, so one pass over a UTR finds the sites of every seed at once: time
//! is linear in UTR length plus the number of sites, whatever the number of seeds.

use senmet_core::Position;

/// A seed-site type; see the [module docs](self).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum SiteType {
    /// Seed match to nt 2–8 plus an A opposite nt 1.
    Eight,
    /// Seed match to nt 2–8.
    SevenM8,
    /// Seed match to nt 2–7 plus an A opposite nt 1.
    SevenA1,
    /// Seed match to nt 2–7.
    Six,
    /// Match to nt 3–8.
    OffsetSix,
    /// Non-canonical: match to nt 2–6 plus an A opposite nt 1.
    SixA1,
}

impl SiteType {
    /// The name written in output (`8mer`, `7mer-m8`, `7mer-A1`, `6mer`, `offset-6mer`, `6mer-A1`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Eight => "8mer",
            Self::SevenM8 => "7mer-m8",
            Self::SevenA1 => "7mer-A1",
            Self::Six => "6mer",
            Self::OffsetSix => "offset-6mer",
            Self::SixA1 => "6mer-A1",
        }
    }

    /// Length of the site on the UTR.
    pub fn width(self) -> usize {
        match self {
            Self::Eight => 8,
            Self::SevenM8 | Self::SevenA1 => 7,
            Self::Six | Self::OffsetSix | Self::SixA1 => 6,
        }
    }

    /// Whether this is one of TargetScan's four scored types (8mer, both 7mers, 6mer).
    pub fn is_scored(self) -> bool {
        matches!(
            self,
            Self::Eight | Self::SevenM8 | Self::SevenA1 | Self::Six
        )
    }
}

impl std::fmt::Display for SiteType {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A site found by a [`Scanner`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Site {
    /// 1-based first UTR nucleotide of the site.
    pub start: Position,
    /// 1-based last UTR nucleotide of the site (inclusive).
    pub end: Position,
    /// The type.
    pub site_type: SiteType,
    /// Index of the seed in the list the scanner was built from.
    pub seed: usize,
}

/// An error building a [`Scanner`].
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A seed that is not 7 letters of `ACGTU`.
    #[error("seed {index} is {found:?}, expected 7 nucleotides (A, C, G, U or T)")]
    InvalidSeed {
        /// 0-based index of the seed.
        index: usize,
        /// The seed as given.
        found: String,
    },
}

/// Settings of a [`Scanner`].
#[derive(Debug, Clone)]
pub struct Builder {
    offset_6mer: bool,
    non_canonical: bool,
    shadow: usize,
}

impl Default for Builder {
    fn default() -> Self {
        Self::new()
    }
}

impl Builder {
    /// Defaults: offset-6mers reported, non-canonical types not, 14-nt ribosome shadow.
    pub fn new() -> Self {
        Self {
            offset_6mer: true,
            non_canonical: false,
            shadow: 14,
        }
    }

    /// Whether to report offset-6mer sites.
    pub fn offset_6mer(&mut self, yes: bool) -> &mut Self {
        self.offset_6mer = yes;
        self
    }

    /// Whether to report the non-canonical `6mer-A1` type.
    pub fn non_canonical(&mut self, yes: bool) -> &mut Self {
        self.non_canonical = yes;
        self
    }

    /// How many nucleotides at the UTR's 5' end are masked (14 in TargetScan 7).
    pub fn shadow(&mut self, nt: usize) -> &mut Self {
        self.shadow = nt;
        self
    }

    /// A scanner for `seeds` (each nucleotides 2–8 of a miRNA, `ACGTU`, any case).
    ///
    /// # Errors
    ///
    /// [`Error::InvalidSeed`] for a seed that is not 7 nucleotides.
    pub fn build<S: AsRef<[u8]>>(&self, seeds: &[S]) -> Result<Scanner, Error> {
        let mut targets = Vec::with_capacity(seeds.len());
        for (index, seed) in seeds.iter().enumerate() {
            let seed = seed.as_ref();
            let codes: Vec<u8> = seed.iter().map(|&b| code(b)).collect();
            if codes.len() != 7 || codes.contains(&4) {
                return Err(Error::InvalidSeed {
                    index,
                    found: String::from_utf8_lossy(seed).into_owned(),
                });
            }
            // Site (UTR 5'->3') = reverse complement of nt 2..8: t[0] pairs nt 8, t[6] nt 2.
            let mut t = [0u8; 7];
            for (k, &c) in codes.iter().enumerate() {
                t[6 - k] = 3 - c;
            }
            targets.push(t);
        }
        let key = |w: &[u8]| w.iter().fold(0usize, |k, &c| (k << 2) | usize::from(c));
        let core = Table::new(targets.iter().map(|t| key(&t[1..7])));
        let offset = self
            .offset_6mer
            .then(|| Table::new(targets.iter().map(|t| key(&t[0..6]))));
        let six_a1 = self
            .non_canonical
            .then(|| Table::new(targets.iter().map(|t| key(&t[2..7]) << 2)));
        Ok(Scanner {
            targets,
            core,
            offset,
            six_a1,
            shadow: self.shadow,
        })
    }
}

/// Seeds in 6-mer buckets (compressed rows: the seeds of key `k` are `ids[starts[k]..starts[k + 1]]`).
#[derive(Debug, Clone)]
struct Table {
    starts: Vec<u32>,
    ids: Vec<u32>,
}

impl Table {
    fn new(keys: impl Iterator<Item = usize> + Clone) -> Self {
        let mut starts = vec![0u32; 4097];
        for k in keys.clone() {
            starts[k + 1] += 1;
        }
        for k in 0..4096 {
            starts[k + 1] += starts[k];
        }
        let mut fill = starts.clone();
        let mut ids = vec![0u32; starts[4096] as usize];
        for (seed, k) in keys.enumerate() {
            ids[fill[k] as usize] = seed as u32;
            fill[k] += 1;
        }
        Self { starts, ids }
    }

    fn get(&self, key: usize) -> &[u32] {
        &self.ids[self.starts[key] as usize..self.starts[key + 1] as usize]
    }
}

/// Finds seed sites of many seeds in one pass; see the [module docs](self).
///
/// # Examples
///
/// ```
/// use senmet_seq::site::{Builder, SiteType};
///
/// let scanner = Builder::new().shadow(0).build(&["AUUGCAC"])?; // miR-25/92 seed
/// let sites: Vec<_> = scanner.sites(b"CCGTGCAATACC").collect();
/// assert_eq!(sites.len(), 1);
/// assert_eq!(sites[0].site_type, SiteType::Eight);
/// assert_eq!((sites[0].start.get(), sites[0].end.get()), (3, 10));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone)]
pub struct Scanner {
    targets: Vec<[u8; 7]>,
    core: Table,
    offset: Option<Table>,
    six_a1: Option<Table>,
    shadow: usize,
}

impl Scanner {
    /// The number of seeds.
    pub fn n_seeds(&self) -> usize {
        self.targets.len()
    }

    /// The sites in `utr` (DNA or RNA, any case; other letters never match),
    /// ordered by the position of their 6-nt core.
    pub fn sites<'a>(&'a self, utr: &[u8]) -> Sites<'a> {
        Sites {
            scanner: self,
            codes: encode(utr, self.shadow),
            next: 0,
            key: 0,
            run: 0,
            pending: Vec::new(),
        }
    }
}

/// 2-bit code of a nucleotide (A 0, C 1, G 2, U/T 3), 4 for anything else.
pub(crate) fn code(b: u8) -> u8 {
    match b {
        b'A' | b'a' => 0,
        b'C' | b'c' => 1,
        b'G' | b'g' => 2,
        b'T' | b't' | b'U' | b'u' => 3,
        _ => 4,
    }
}

/// Codes of `utr`, with its first `shadow` nucleotide letters masked (as TargetScan
/// replaces the first 14 `[ACGTU]` with `N`).
fn encode(utr: &[u8], shadow: usize) -> Vec<u8> {
    let mut masked = 0;
    utr.iter()
        .map(|&b| {
            let c = code(b);
            if c < 4 && masked < shadow {
                masked += 1;
                4
            } else {
                c
            }
        })
        .collect()
}

/// The sites of one UTR; see [`Scanner::sites`].
#[derive(Debug)]
pub struct Sites<'a> {
    scanner: &'a Scanner,
    codes: Vec<u8>,
    next: usize,
    key: usize,
    run: usize,
    pending: Vec<Site>,
}

impl Iterator for Sites<'_> {
    type Item = Site;

    fn next(&mut self) -> Option<Site> {
        loop {
            if let Some(site) = self.pending.pop() {
                return Some(site);
            }
            let &c = self.codes.get(self.next)?;
            self.next += 1;
            if c == 4 {
                self.run = 0;
                continue;
            }
            self.key = ((self.key << 2) | usize::from(c)) & 0xFFF;
            self.run += 1;
            if self.run >= 6 {
                self.window(self.next - 6);
                self.pending.reverse();
            }
        }
    }
}

impl Sites<'_> {
    /// Pushes the sites whose 6-nt key window starts at 0-based `i`.
    fn window(&mut self, i: usize) {
        let s = self.scanner;
        let before = i.checked_sub(1).map_or(4, |j| self.codes[j]);
        let after = self.codes.get(i + 6).copied().unwrap_or(4);
        for &seed in s.core.get(self.key) {
            let t = &s.targets[seed as usize];
            let (site_type, first, len) = match (before == t[0], after == 0) {
                (true, true) => (SiteType::Eight, i - 1, 8),
                (true, false) => (SiteType::SevenM8, i - 1, 7),
                (false, true) => (SiteType::SevenA1, i, 7),
                (false, false) => (SiteType::Six, i, 6),
            };
            self.pending.push(make(seed, site_type, first, len));
        }
        if let Some(offset) = &s.offset {
            for &seed in offset.get(self.key) {
                if after != s.targets[seed as usize][6] {
                    self.pending.push(make(seed, SiteType::OffsetSix, i, 6));
                }
            }
        }
        if let Some(six_a1) = &s.six_a1 {
            for &seed in six_a1.get(self.key) {
                if before != s.targets[seed as usize][1] {
                    self.pending.push(make(seed, SiteType::SixA1, i, 6));
                }
            }
        }
    }
}

fn make(seed: u32, site_type: SiteType, first: usize, len: usize) -> Site {
    Site {
        start: Position::from_index(first),
        end: Position::from_index(first + len - 1),
        site_type,
        seed: seed as usize,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::collections::BTreeSet;

    fn rc(s: &[u8]) -> Vec<u8> {
        s.iter()
            .rev()
            .map(|&b| match b {
                b'A' => b'U',
                b'C' => b'G',
                b'G' => b'C',
                _ => b'A',
            })
            .collect()
    }

    /// TargetScan's way: every match of every type, then drop the subsets.
    fn oracle(seed: &[u8], utr: &[u8], shadow: usize) -> BTreeSet<(usize, usize, SiteType)> {
        let m8 = rc(seed); // 7mer-m8
        let six = m8[1..].to_vec();
        let patterns = [
            (SiteType::Eight, [m8.clone(), b"A".to_vec()].concat()),
            (SiteType::SevenM8, m8.clone()),
            (SiteType::SevenA1, [six.clone(), b"A".to_vec()].concat()),
            (SiteType::Six, six.clone()),
            (SiteType::OffsetSix, m8[..6].to_vec()),
            (SiteType::SixA1, [six[1..].to_vec(), b"A".to_vec()].concat()),
        ];
        let text: Vec<u8> = utr
            .iter()
            .enumerate()
            .map(|(i, &b)| {
                if i < shadow {
                    b'N'
                } else {
                    b.to_ascii_uppercase()
                }
            })
            .map(|b| if b == b'T' { b'U' } else { b })
            .collect();
        let mut all = BTreeSet::new();
        for (ty, p) in &patterns {
            for s in 0..text.len().saturating_sub(p.len() - 1) {
                if &text[s..s + p.len()] == p.as_slice() {
                    all.insert((s + 1, s + p.len(), *ty));
                }
            }
        }
        let has = |set: &BTreeSet<_>, s, e, t| set.contains(&(s, e, t));
        all.iter()
            .copied()
            .filter(|&(s, e, t)| match t {
                SiteType::Eight => true,
                SiteType::SevenM8 => !has(&all, s, e + 1, SiteType::Eight),
                SiteType::SevenA1 => !has(&all, s - 1, e, SiteType::Eight),
                SiteType::Six => {
                    !(has(&all, s, e + 1, SiteType::SevenA1)
                        || has(&all, s - 1, e, SiteType::SevenM8)
                        || s > 1 && has(&all, s - 1, e + 1, SiteType::Eight))
                }
                SiteType::OffsetSix => {
                    !has(&all, s, e + 1, SiteType::SevenM8) && !has(&all, s, e + 2, SiteType::Eight)
                }
                SiteType::SixA1 => {
                    !(has(&all, s - 1, e, SiteType::SevenA1)
                        || s > 1 && has(&all, s - 2, e, SiteType::Eight))
                }
            })
            .collect()
    }

    fn scan(seed: &[u8], utr: &[u8], shadow: usize) -> BTreeSet<(usize, usize, SiteType)> {
        let scanner = Builder::new()
            .non_canonical(true)
            .shadow(shadow)
            .build(&[seed])
            .expect("valid seed");
        scanner
            .sites(utr)
            .map(|s| (s.start.get(), s.end.get(), s.site_type))
            .collect()
    }

    #[test]
    fn finds_each_type_once() {
        // miR-30 seed GUAAACA: 7mer-m8 site UGUUUAC, 8mer UGUUUACA.
        let found = scan(b"GUAAACA", b"GGTGTTTACAGGTGTTTACGGCGTTTACAGGCGTTTACGG", 0);
        let types: Vec<_> = found.iter().map(|x| (x.0, x.2)).collect();
        assert_eq!(
            types,
            [
                (3, SiteType::Eight),
                (13, SiteType::SevenM8),
                (23, SiteType::SevenA1),
                (33, SiteType::Six)
            ]
        );
    }

    #[test]
    fn shadow_masks_the_first_nucleotides() {
        let utr = b"TGTTTACAGG";
        assert_eq!(scan(b"GUAAACA", utr, 0).len(), 1);
        assert_eq!(
            scan(b"GUAAACA", utr, 1).iter().next().map(|x| x.2),
            Some(SiteType::SevenA1)
        );
        assert!(scan(b"GUAAACA", utr, 3).is_empty());
    }

    #[test]
    fn rejects_bad_seeds() {
        assert!(Builder::new().build(&["GUAAAC"]).is_err());
        assert!(Builder::new().build(&["GUAANCA"]).is_err());
    }

    proptest! {
        // A stated seed: CI runs the same cases every time (style.md §4).
        #![proptest_config(proptest::prelude::ProptestConfig { rng_seed: proptest::test_runner::RngSeed::Fixed(20261127), ..proptest::prelude::ProptestConfig::default() })]

        // Small alphabets make sites frequent; N and lower case exercise the encoder.
        #[test]
        fn agrees_with_targetscan_style_oracle(
            seed in "[ACGU]{7}",
            utr in "[ACGTUNacgt]{0,80}",
            shadow in 0usize..20,
        ) {
            let seed = seed.as_bytes();
            // Plant sites so most cases have some.
            let mut u = utr.into_bytes();
            let site = [rc(seed), b"A".to_vec()].concat();
            let cut = u.len() / 2;
            u.splice(cut..cut, site);
            let shadow = shadow.min(u.iter().take_while(|b| b"ACGTUacgtu".contains(b)).count());
            prop_assert_eq!(scan(seed, &u, shadow), oracle(seed, &u, shadow));
        }
    }
}
