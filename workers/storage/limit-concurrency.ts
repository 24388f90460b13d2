/**
 * limitConcurrency runs at most `max` of the given tasks at a time; the rest wait in order. The
 * storage worker bounds image processing with it, because each decode of a large image holds
 * hundreds of megabytes however many CPU threads libvips has.
 */
export function limitConcurrency(max: number) {
  let running = 0;
  const waiting: (() => void)[] = [];
  const release = () => {
    running--;
    waiting.shift()?.();
  };
  return async function run<T>(task: () => Promise<T>): Promise<T> {
    if (running >= max) await new Promise<void>((resolve) => waiting.push(resolve));
    running++;
    try {
      return await task();
    } finally {
      release();
    }
  };
}
