//! The outputs' integration tests, in one binary: HTTP and file outputs against a
//! receiver that applies Falcosidekick's check (`http`), the program and syslog outputs
//! against real receivers (`program_syslog`).

#[path = "../support"]
mod support {
    pub mod sidekick;
}

mod http;
mod program_syslog;
