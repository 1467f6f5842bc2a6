//! Hosts: species and age, and the switchable host-age effects beyond the liver.

/// The host species.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Species {
    /// Laboratory mouse (the study's experiments).
    Mouse,
    /// Human patient.
    Human,
}

impl Species {
    /// The name used in tables and scenario files.
    pub fn name(self) -> &'static str {
        match self {
            Species::Mouse => "mouse",
            Species::Human => "human",
        }
    }

    /// Parses `mouse` or `human`.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "mouse" => Some(Species::Mouse),
            "human" => Some(Species::Human),
            _ => None,
        }
    }
}

/// A host: species and age at tumour implantation.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Host {
    /// Species.
    pub species: Species,
    /// Age at implantation (day 0), in days.
    pub age_days: f64,
}

/// Host-age effects beyond the liver, each a named switch (off unless asked for).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct AgeEffects {
    /// Old hosts grow tumours and colonies more slowly (`age_growth_penalty`).
    pub growth_penalty: bool,
    /// Old hosts' weaker immune surveillance lets more arrested cells found colonies (`immune_age_gain`).
    pub immune_surveillance: bool,
}

impl AgeEffects {
    /// The switch names, as in scenario files.
    pub const NAMES: [&'static str; 2] = ["growth_penalty", "immune_surveillance"];

    /// Turns one switch on by name; false if the name is unknown.
    pub fn enable(&mut self, name: &str) -> bool {
        match name {
            "growth_penalty" => self.growth_penalty = true,
            "immune_surveillance" => self.immune_surveillance = true,
            _ => return false,
        }
        true
    }

    /// The names of the switches that are on.
    pub fn enabled(&self) -> Vec<&'static str> {
        let mut v = Vec::new();
        if self.growth_penalty {
            v.push("growth_penalty");
        }
        if self.immune_surveillance {
            v.push("immune_surveillance");
        }
        v
    }
}
