//! 1-based coordinates.

use std::fmt;
use std::num::NonZeroUsize;

/// A 1-based position, as printed to users (sequence coordinates, lines).
///
/// Internal indices are 0-based `usize`; this type marks the 1-based ones, so
/// `Position::new(0)` is `None`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Position(NonZeroUsize);

impl Position {
    /// A position from a 1-based value; `None` for 0.
    ///
    /// # Examples
    ///
    /// ```
    /// use senmet_core::Position;
    /// assert!(Position::new(0).is_none());
    /// assert_eq!(Position::new(5).map(Position::get), Some(5));
    /// ```
    pub fn new(value: usize) -> Option<Self> {
        NonZeroUsize::new(value).map(Self)
    }

    /// The position of a 0-based index.
    ///
    /// # Examples
    ///
    /// ```
    /// use senmet_core::Position;
    /// assert_eq!(Position::from_index(0).get(), 1);
    /// ```
    pub fn from_index(index: usize) -> Self {
        // Cannot fail: index + 1 >= 1 (saturating at usize::MAX).
        Self(NonZeroUsize::new(index.saturating_add(1)).expect("index + 1 is non-zero"))
    }

    /// The 1-based value.
    pub fn get(self) -> usize {
        self.0.get()
    }

    /// The 0-based index.
    pub fn index(self) -> usize {
        self.0.get() - 1
    }
}

impl fmt::Display for Position {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn index_round_trip() {
        for i in [0usize, 1, 41, 1 << 40] {
            assert_eq!(Position::from_index(i).index(), i);
        }
        assert_eq!(Position::new(7).map(|p| p.to_string()), Some("7".into()));
    }
}
