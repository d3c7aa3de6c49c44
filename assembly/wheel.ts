// PLACEHOLDER: filled in by the timing-wheel work. Must keep wheel_plan/wheel_init.
export function wheel_plan(entries: u32): void {}
export function wheel_init(): void {}
