//! The header of `NNNNN-model.m`: the case's type and tags.

/// What a case tests, from the `key: value` header of its `model.m`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Description {
    /// `testType`: `TimeCourse`, `StochasticTimeCourse`, `FluxBalanceSteadyState`, …
    pub test_type: String,
    /// `componentTags`: the SBML components used.
    pub component_tags: Vec<String>,
    /// `testTags`: the features tested.
    pub test_tags: Vec<String>,
    /// `packagesPresent`: SBML L3 packages used.
    pub packages_present: Vec<String>,
    /// `synopsis`, with continuation lines joined.
    pub synopsis: String,
}

impl Description {
    /// Parses the header; keys may continue on indented lines, and the header
    /// ends at the first blank line after a key.
    ///
    /// # Examples
    ///
    /// ```
    /// let d = senmet_sbml::suite::Description::parse("(*\n\ntestType: TimeCourse\ntestTags: Amount, NonUnityStoichiometry\n\nprose");
    /// assert_eq!(d.test_type, "TimeCourse");
    /// assert_eq!(d.test_tags, ["Amount", "NonUnityStoichiometry"]);
    /// ```
    pub fn parse(text: &str) -> Description {
        let mut d = Description::default();
        let mut last: Option<String> = None;
        for line in text.lines() {
            if line.trim().is_empty() {
                if last.is_some() {
                    break;
                }
                continue;
            }
            let continues = line.starts_with([' ', '\t']);
            match (continues, line.split_once(':')) {
                (false, Some((key, value))) if is_key(key) => {
                    d.set(key, value.trim());
                    last = Some(key.to_string());
                }
                (true, _) => {
                    if let Some(key) = &last {
                        d.set(key, line.trim());
                    }
                }
                _ => {}
            }
        }
        d
    }

    fn set(&mut self, key: &str, value: &str) {
        let tags = |v: &mut Vec<String>| {
            v.extend(
                value
                    .split(',')
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .map(str::to_string),
            )
        };
        match key {
            "testType" => self.test_type.push_str(value),
            "componentTags" => tags(&mut self.component_tags),
            "testTags" => tags(&mut self.test_tags),
            "packagesPresent" => tags(&mut self.packages_present),
            "synopsis" => {
                if !self.synopsis.is_empty() {
                    self.synopsis.push(' ');
                }
                self.synopsis.push_str(value);
            }
            _ => {}
        }
    }
}

fn is_key(key: &str) -> bool {
    !key.is_empty() && key.bytes().all(|b| b.is_ascii_alphabetic())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_with_continuations() {
        let text = "(* \n\ncategory:      Test\nsynopsis:      Basic two reactions\n               with a zero rate.\ncomponentTags: Compartment, Species, Reaction \ntestTags:      Amount\ntestType:      TimeCourse\nlevels:        2.4, 3.2\n\nThe model contains: one compartment.\n";
        let d = Description::parse(text);
        assert_eq!(d.synopsis, "Basic two reactions with a zero rate.");
        assert_eq!(d.component_tags, ["Compartment", "Species", "Reaction"]);
        assert_eq!(d.test_tags, ["Amount"]);
        assert_eq!(d.test_type, "TimeCourse");
        assert!(d.packages_present.is_empty());
    }
}
