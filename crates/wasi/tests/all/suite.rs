// The suite every engine runs: included into `on_wasmi` and `on_wamr`,
// which define `E` and `engine()`.

#[path = "instances.rs"]
mod instances;
#[path = "malicious.rs"]
mod malicious;
#[path = "mixed.rs"]
mod mixed;
#[path = "p2.rs"]
mod p2;
#[path = "p2_malicious.rs"]
mod p2_malicious;
#[path = "race.rs"]
mod race;
#[path = "sockets.rs"]
mod sockets;
