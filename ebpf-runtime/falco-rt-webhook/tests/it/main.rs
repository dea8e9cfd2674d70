//! The webhook's integration tests over loopback, in one binary: bad input, good
//! batches and HTTPS (`webhook`), who may post and the bounds on every connection
//! (`limits`).

mod limits;
mod webhook;
