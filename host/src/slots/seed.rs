//! The seed rules in the host's WIT types, for the slots' fallbacks: the same conversions
//! the guest SDK gives plugins (`pos_seed_rules::seed_in_wit_types!`).

use crate::bindings::merge::{Candidate, Confirmation, LocalChange, MatchReason, Plan, WebChange};
use crate::bindings::search::{
    ErpDecision, ErpSearchOutcome, LocalDecision, ResultList, RetrieveDecision, SearchButton,
};
use crate::bindings::{Argument, Choice, Customer, ErpError, Field, Filter, Message, Notice, SearchQuery, Severity};

pos_seed_rules::seed_in_wit_types!();
