//! The container engines' integration tests, in one binary: a real podman (`podman`)
//! and a real containerd's CRI plugin (`containerd`).

#[path = "../support"]
mod support {
    pub mod podman;
}

mod containerd;
mod podman;
