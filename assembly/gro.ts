// PLACEHOLDER: filled in by the GRO work. Must keep gro_plan/gro_init.
export function gro_plan(contexts: u32): void {}
export function gro_init(): void {}
