/** Progress on stderr: a bar redrawn at most 10×/s on a TTY, otherwise a plain line every 10%. */
export class Progress {
  private count = 0;
  private lastDraw = 0;
  private lastDecile = 0;
  private readonly started = Date.now();

  constructor(private readonly out: NodeJS.WritableStream & { isTTY?: boolean }, private readonly total: number, private readonly label: string, private readonly unit: string) {}

  tick(): void {
    this.count++;
    const now = Date.now();
    if (this.out.isTTY) {
      if (now - this.lastDraw < 100 && this.count < this.total) return;
      this.lastDraw = now;
      const width = 30, filled = Math.round((width * this.count) / this.total);
      this.out.write(`\r[${"#".repeat(filled)}${"-".repeat(width - filled)}] ${this.count}/${this.total} ${this.rate(now)} ${this.unit}/s `);
    } else {
      const decile = Math.floor((10 * this.count) / this.total);
      if (decile <= this.lastDecile) return;
      this.lastDecile = decile;
      this.out.write(`${this.label}: ${this.count}/${this.total} ${this.unit} (${Math.floor((100 * this.count) / this.total)}%), ${this.rate(now)} ${this.unit}/s\n`);
    }
  }

  done(): void {
    if (this.out.isTTY && this.count > 0) this.out.write("\n");
  }

  private rate(now: number): number {
    return Math.round(this.count / Math.max((now - this.started) / 1000, 0.001));
  }
}
