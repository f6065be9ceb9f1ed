//! LOCAL stub (transport worktree only, not for merge).
fn main() {}
