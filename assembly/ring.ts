// PLACEHOLDER: filled in by the rings work. Must keep ring_plan/ring_init.
export function ring_plan(maxRings: u32, slots: u32): void {}
export function ring_init(): void {}
