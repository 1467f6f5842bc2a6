//! Readouts: what is measured on each simulated subject.

/// A per-subject readout.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Readout {
    /// Macro-metastases (colonies at or above the detection threshold) at the end, all organs.
    Metastases,
    /// Cells in all metastatic colonies at the end.
    MetastaticBurden,
    /// Day a first colony reaches the detection threshold (subjects with one only).
    TimeToFirstMetastasis,
    /// Hepatocyte-derived EVs per mL of plasma at the end.
    PlasmaEv,
    /// EVs of senescent-hepatocyte origin per mL of plasma at the end.
    PlasmaEvSenescent,
    /// Hepatocyte EVs taken up per tumour cell per day at the end.
    TumourEvUptake,
    /// Free miR-25/92a copies per tumour cell at the end.
    TumourMirna25_92,
    /// Free miR-30c/d copies per tumour cell at the end.
    TumourMirna30,
    /// PTEN level relative to a tumour without delivered miRNA.
    Pten,
    /// LATS2 level relative to a tumour without delivered miRNA.
    Lats2,
    /// Mesenchymal fraction of primary-tumour cells at the end.
    EmtFraction,
    /// Primary tumour volume at the end.
    PrimarySize,
    /// Senescent fraction of hepatocytes at the end.
    SenescentFraction,
    /// Macro-metastases in the lung.
    MetastasesLung,
    /// Macro-metastases in the liver.
    MetastasesLiver,
    /// Macro-metastases in bone.
    MetastasesBone,
}

impl Readout {
    /// All readouts, in output order.
    pub const ALL: [Readout; 16] = [
        Readout::Metastases,
        Readout::MetastaticBurden,
        Readout::TimeToFirstMetastasis,
        Readout::PlasmaEv,
        Readout::PlasmaEvSenescent,
        Readout::TumourEvUptake,
        Readout::TumourMirna25_92,
        Readout::TumourMirna30,
        Readout::Pten,
        Readout::Lats2,
        Readout::EmtFraction,
        Readout::PrimarySize,
        Readout::SenescentFraction,
        Readout::MetastasesLung,
        Readout::MetastasesLiver,
        Readout::MetastasesBone,
    ];

    /// Name in output tables.
    pub fn name(self) -> &'static str {
        match self {
            Readout::Metastases => "metastases",
            Readout::MetastaticBurden => "metastatic_burden",
            Readout::TimeToFirstMetastasis => "time_to_first_metastasis",
            Readout::PlasmaEv => "plasma_ev",
            Readout::PlasmaEvSenescent => "plasma_ev_senescent",
            Readout::TumourEvUptake => "tumour_ev_uptake",
            Readout::TumourMirna25_92 => "tumour_mirna_25_92",
            Readout::TumourMirna30 => "tumour_mirna_30",
            Readout::Pten => "pten",
            Readout::Lats2 => "lats2",
            Readout::EmtFraction => "emt_fraction",
            Readout::PrimarySize => "primary_size",
            Readout::SenescentFraction => "senescent_fraction",
            Readout::MetastasesLung => "metastases_lung",
            Readout::MetastasesLiver => "metastases_liver",
            Readout::MetastasesBone => "metastases_bone",
        }
    }

    /// Units.
    pub fn units(self) -> &'static str {
        match self {
            Readout::Metastases
            | Readout::MetastasesLung
            | Readout::MetastasesLiver
            | Readout::MetastasesBone => "count",
            Readout::MetastaticBurden => "cells",
            Readout::TimeToFirstMetastasis => "d",
            Readout::PlasmaEv | Readout::PlasmaEvSenescent => "EVs/mL",
            Readout::TumourEvUptake => "EVs/cell/d",
            Readout::TumourMirna25_92 | Readout::TumourMirna30 => "copies/cell",
            Readout::Pten | Readout::Lats2 => "relative",
            Readout::EmtFraction | Readout::SenescentFraction => "fraction",
            Readout::PrimarySize => "mm3",
        }
    }

    /// Parses a name.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.name() == s)
    }

    /// The network rule or species read at the end, for readouts read directly.
    pub(crate) fn symbol(self) -> Option<&'static str> {
        Some(match self {
            Readout::PlasmaEv => "plasma_ev",
            Readout::PlasmaEvSenescent => "plasma_ev_senescent",
            Readout::TumourEvUptake => "tumour_ev_uptake",
            Readout::TumourMirna25_92 => "mirna_free_25_92",
            Readout::TumourMirna30 => "mirna_free_30",
            Readout::Pten => "pten",
            Readout::Lats2 => "lats2",
            Readout::EmtFraction => "emt_fraction",
            Readout::PrimarySize => "primary_size",
            Readout::SenescentFraction => "sen",
            _ => return None,
        })
    }
}

/// Time courses kept per subject for the report: network symbol, label, units.
pub const COURSES: [(&str, &str, &str); 9] = [
    (
        "plasma_ev_senescent",
        "plasma EVs of senescent origin",
        "EVs/mL",
    ),
    ("mirna_free_25_92", "tumour miR-25/92a", "copies/cell"),
    ("mirna_free_30", "tumour miR-30c/d", "copies/cell"),
    ("pten", "PTEN", "relative"),
    ("lats2", "LATS2", "relative"),
    ("emt_fraction", "EMT fraction", "fraction"),
    ("primary_size", "primary tumour", "mm3"),
    ("metastatic_burden", "metastatic burden (expected)", "cells"),
    ("sen", "senescent hepatocytes", "fraction"),
];
