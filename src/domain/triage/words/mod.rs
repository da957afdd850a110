//! The words triage looks for — what mail servers, automatic answers and people asking
//! something write — lowercase, in the languages of the ccTLD community. Matched as substrings
//! of lowercased text: keep each one specific enough not to turn up in a person's reply.
//!
//! Data, split by who writes it — mail servers (`delivery`), automatic answers (`automatic`),
//! people asking something (`intent`) — so that each list sits beside its neighbours in
//! purpose and a language's words are added in one place per purpose.

mod automatic;
mod delivery;
mod intent;

pub use automatic::{
    ACKNOWLEDGEMENTS, AUTO_BODY, AUTO_SUBJECTS, CHALLENGE_ACTIONS, CHALLENGE_PHRASES, LIST_REJECTS,
};
pub use delivery::{BOUNCE_SUBJECTS, DELAY_PHRASES, FAILURE_PHRASES, FINAL_PHRASES};
pub use intent::{ABOUT_THE_LIST, CHANGING, CONFIRMING, JOINING, LEAVING, NOT_CONFIRMING};
