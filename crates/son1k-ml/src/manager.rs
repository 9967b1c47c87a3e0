//! The model manager (below).
