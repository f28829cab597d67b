import cliProgress from 'cli-progress';

/** Told how much of a piece of work is done, out of how much. */
export type Progress = (done: number, total: number) => void;

export interface ProgressOptions {
  /** `percent` (bytes and pages) or `count` (`12/40`: keys, files, commits). */
  show?: 'percent' | 'count';
  /** Off a terminal, work smaller than this is not reported at all. */
  quietBelow?: number;
  /** Where a line goes off a terminal. */
  note?: (line: string) => void;
}

/**
 * Long work's progress, always on stderr so stdout stays clean to pipe: a bar on a terminal, and
 * elsewhere (a log, CI, a cron mail) a line at every tenth, once the work is at least `quietBelow`.
 */
export function progressOn(label: string, options: ProgressOptions = {}): Progress {
  const { show = 'percent', quietBelow = 0, note = (line) => process.stderr.write(`${line}\n`) } = options;
  if (process.stderr.isTTY) {
    const bar = new cliProgress.SingleBar(
      {
        stream: process.stderr,
        format: `${label} [{bar}] ${show === 'count' ? '{value}/{total}' : '{percentage}%'}`,
        hideCursor: true,
        clearOnComplete: true,
      },
      cliProgress.Presets.shades_classic,
    );
    let started = false;
    return (done, total) => {
      if (!started) bar.start(total, done);
      started = true;
      bar.setTotal(total);
      bar.update(done);
      if (done >= total) bar.stop();
    };
  }
  let shown = 0;
  return (done, total) => {
    if (total < quietBelow || total === 0) return;
    const tenth = Math.floor((done / total) * 10);
    if (tenth > shown) {
      shown = tenth;
      note(`${label}: ${show === 'count' ? `${done}/${total}` : `${tenth * 10}%`}`);
    }
  };
}
