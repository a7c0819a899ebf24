//! A guest that traps gives back what it held; the others lose nothing.
