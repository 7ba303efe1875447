//! The scenario suite (see issue 4): placeholder until the runner lands.
