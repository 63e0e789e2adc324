//! The driver: how a verification, a registry or Rekor walk, or a TUF update runs when its
//! signature checks (and its HTTP requests) are answered by someone else, round after round.

pub mod rounds;
