// A progress bar on stderr for runs longer than a second. It draws only on a
// terminal (the io gives a progress writer only then) and only once a second
// of wall time has passed, so short runs and pipes see nothing.

export interface ProgressWriter {
  write(text: string): void;
  columns: number;
}

export class ProgressBar {
  private readonly start = Date.now();
  private drawn = false;
  private lastDraw = 0;

  constructor(private readonly out: ProgressWriter | null) {}

  update(fraction: number): void {
    if (this.out === null) return;
    const now = Date.now();
    if (now - this.start < 1000 || now - this.lastDraw < 100) return;
    this.lastDraw = now;
    const f = Math.min(1, Math.max(0, fraction));
    const width = Math.max(10, Math.min(50, this.out.columns - 20));
    const full = Math.round(f * width);
    this.out.write(`\r[${"#".repeat(full)}${" ".repeat(width - full)}] ${(f * 100).toFixed(0).padStart(3)}%`);
    this.drawn = true;
  }

  done(): void {
    if (this.out !== null && this.drawn) this.out.write(`\r${" ".repeat(Math.max(10, Math.min(50, this.out.columns - 20)) + 8)}\r`);
  }
}
