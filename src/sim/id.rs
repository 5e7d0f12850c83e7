//! Indices that may be absent, at no cost: [`OptId`] is a `u32` index whose
//! one reserved value (`u32::MAX`) means "none", so the type says "maybe
//! none" where a bare `u32` compared with a sentinel used to. It is 4 bytes
//! (a request slot stays the size it was), `Copy`, and its checks compile to
//! the same single compare the sentinel did; no allocation, no extra branch.

/// An optional `u32` index: `OptId::NONE`, or `OptId::some(i)` for any
/// `i < u32::MAX`.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct OptId(u32);

impl OptId {
    /// No index.
    pub const NONE: OptId = OptId(u32::MAX);

    /// Index `i` (which must not be `u32::MAX`).
    #[inline]
    pub const fn some(i: u32) -> OptId {
        debug_assert!(i != u32::MAX, "u32::MAX is OptId::NONE");
        OptId(i)
    }

    /// From an `Option`.
    #[inline]
    pub fn from_option(i: Option<u32>) -> OptId {
        match i {
            Some(i) => OptId::some(i),
            None => OptId::NONE,
        }
    }

    /// The index, if any.
    #[inline]
    pub const fn get(self) -> Option<u32> {
        if self.0 == u32::MAX {
            None
        } else {
            Some(self.0)
        }
    }

    /// The index, where the caller knows there is one (a request that
    /// reached an instance has an instance). Checked in debug builds only:
    /// in release it is the bare `u32`, as the sentinel was, so a mistake
    /// still fails at the slice index it is used for.
    #[inline]
    pub const fn known(self) -> u32 {
        debug_assert!(self.0 != u32::MAX, "OptId::known on NONE");
        self.0
    }

    /// No index.
    #[inline]
    pub const fn is_none(self) -> bool {
        self.0 == u32::MAX
    }

    /// Some index.
    #[inline]
    pub const fn is_some(self) -> bool {
        self.0 != u32::MAX
    }

    /// Some index equal to `i` (an index, never `u32::MAX`: one compare,
    /// as with the sentinel).
    #[inline]
    pub const fn is(self, i: u32) -> bool {
        debug_assert!(i != u32::MAX, "OptId::is(u32::MAX)");
        self.0 == i
    }
}

impl Default for OptId {
    /// None.
    fn default() -> Self {
        OptId::NONE
    }
}

impl From<u32> for OptId {
    #[inline]
    fn from(i: u32) -> Self {
        OptId::some(i)
    }
}

impl From<Option<u32>> for OptId {
    #[inline]
    fn from(i: Option<u32>) -> Self {
        OptId::from_option(i)
    }
}

impl std::fmt::Debug for OptId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.get() {
            Some(i) => write!(f, "{i}"),
            None => f.write_str("none"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn none_and_some_round_trip_in_four_bytes() {
        assert_eq!(std::mem::size_of::<OptId>(), 4);
        assert_eq!(OptId::NONE.get(), None);
        assert!(OptId::NONE.is_none() && !OptId::NONE.is_some());
        assert_eq!(OptId::default(), OptId::NONE);
        let a = OptId::some(7);
        assert_eq!(a.get(), Some(7));
        assert!(a.is(7) && !a.is(8) && !OptId::NONE.is(0));
        assert_eq!(OptId::from(Some(0)), OptId::some(0));
        assert_eq!(OptId::from(None), OptId::NONE);
        assert_eq!(format!("{:?} {:?}", a, OptId::NONE), "7 none");
        assert_ne!(OptId::some(0), OptId::NONE);
    }
}
