// Run by evcxr when a kernel starts in notebooks/ (see scripts/kernel): the
// crate loads and evcxr's first stored variable is set up before the first
// cell, so that cell answers in about a second.
use canns::prelude::*;
let _canns_kernel_ready: bool = true;
