//! Any interleaving keeps every sample accounted for.
