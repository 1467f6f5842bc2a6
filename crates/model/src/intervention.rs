//! Interventions as dosing schedules.
//!
//! Times are days relative to tumour implantation (day 0); negative start
//! times mean treatment before implantation. Each schedule becomes SBML
//! events in the network ([`crate::build`]), so the exported model doses the
//! same way.

/// A miRNA family of the study.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Family {
    /// miR-25 and miR-92a (seed AUUGCAC).
    Mir25_92,
    /// miR-30c and miR-30d (seed GUAAACA).
    Mir30,
}

impl Family {
    /// Both families.
    pub const ALL: [Family; 2] = [Family::Mir25_92, Family::Mir30];

    /// Name in scenario files and outputs.
    pub fn name(self) -> &'static str {
        match self {
            Family::Mir25_92 => "miR-25/92a",
            Family::Mir30 => "miR-30c/d",
        }
    }

    /// Identifier suffix in the network (`25_92`, `30`).
    pub fn id(self) -> &'static str {
        match self {
            Family::Mir25_92 => "25_92",
            Family::Mir30 => "30",
        }
    }

    /// Parses a family name (`miR-25/92a`, `mir25_92`, `miR-30c/d`, `mir30`, any case).
    pub fn parse(s: &str) -> Option<Self> {
        let k: String = s
            .to_ascii_lowercase()
            .chars()
            .filter(char::is_ascii_alphanumeric)
            .collect();
        match k.as_str() {
            "mir2592a" | "mir2592" | "2592" | "2592a" => Some(Family::Mir25_92),
            "mir30cd" | "mir30" | "30" | "30cd" => Some(Family::Mir30),
            _ => None,
        }
    }
}

/// Repeated dosing: `doses` doses, `interval` days apart, from `start`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Schedule {
    /// First dose (day, relative to implantation).
    pub start: f64,
    /// Days between doses (or courses).
    pub interval: f64,
    /// Number of doses (or courses); `None`: until the end of the run.
    pub count: Option<u32>,
}

impl Schedule {
    /// Dose times in `[t0, t_end)`.
    pub fn times(&self, t0: f64, t_end: f64) -> Vec<f64> {
        let mut out = Vec::new();
        let mut k = 0u32;
        loop {
            if self.count.is_some_and(|c| k >= c) {
                break;
            }
            let t = self.start + f64::from(k) * self.interval;
            if t >= t_end || (self.interval <= 0.0 && k > 0) {
                break;
            }
            if t >= t0 {
                out.push(t);
            }
            k += 1;
        }
        out
    }
}

/// One intervention.
#[derive(Debug, Clone, PartialEq)]
pub enum Intervention {
    /// Dasatinib + quercetin by gavage: courses of `days_per_course` daily doses.
    Senolytic {
        /// Course start times.
        courses: Schedule,
        /// Daily doses per course.
        days_per_course: u32,
        /// Dasatinib dose (mg/kg); quercetin is given with it and not modelled separately.
        dasatinib_mg_per_kg: f64,
        /// Quercetin dose (mg/kg), reported only.
        quercetin_mg_per_kg: f64,
    },
    /// P2RX7 inhibitor, daily or in diet: on from `start` to `stop`.
    P2rx7Inhibitor {
        /// First day on treatment.
        start: f64,
        /// Last day (exclusive); `None`: until the end.
        stop: Option<f64>,
    },
    /// Antagomir against one family.
    Antagomir {
        /// Its target family.
        family: Family,
        /// Dose times.
        doses: Schedule,
    },
}

impl Intervention {
    /// The earliest time the intervention acts.
    pub fn start(&self) -> f64 {
        match self {
            Intervention::Senolytic { courses, .. } => courses.start,
            Intervention::P2rx7Inhibitor { start, .. } => *start,
            Intervention::Antagomir { doses, .. } => doses.start,
        }
    }

    /// A short description for reports.
    pub fn describe(&self) -> String {
        let every = |s: &Schedule| match s.count {
            Some(n) => format!("{n} × every {} d from day {}", s.interval, s.start),
            None => format!("every {} d from day {}", s.interval, s.start),
        };
        match self {
            Intervention::Senolytic {
                courses,
                days_per_course,
                dasatinib_mg_per_kg,
                quercetin_mg_per_kg,
            } => format!(
                "D+Q {dasatinib_mg_per_kg} + {quercetin_mg_per_kg} mg/kg, {days_per_course} daily doses per course, courses {}",
                every(courses)
            ),
            Intervention::P2rx7Inhibitor { start, stop } => match stop {
                Some(s) => format!("P2RX7 inhibitor from day {start} to day {s}"),
                None => format!("P2RX7 inhibitor from day {start}"),
            },
            Intervention::Antagomir { family, doses } => {
                format!("anti-{} antagomir {}", family.name(), every(doses))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schedules_list_their_dose_times() {
        let s = Schedule {
            start: -14.0,
            interval: 7.0,
            count: None,
        };
        assert_eq!(s.times(-14.0, 14.0), [-14.0, -7.0, 0.0, 7.0]);
        let s = Schedule {
            start: 0.0,
            interval: 7.0,
            count: Some(2),
        };
        assert_eq!(s.times(0.0, 100.0), [0.0, 7.0]);
        assert_eq!(Family::parse("miR-25/92a"), Some(Family::Mir25_92));
        assert_eq!(Family::parse("mir30"), Some(Family::Mir30));
    }
}
