// PLACEHOLDER: filled in by the RSS work. Must keep rss_plan/rss_init.
export function rss_plan(contexts: u32, retaMax: u32): void {}
export function rss_init(): void {}
