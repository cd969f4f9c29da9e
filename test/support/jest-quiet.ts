// jest setupFilesAfterEnv: what code under test writes straight to process.stdout / process.stderr (AppSynthesizer's
// plan, the consumer test's measurements) goes through console instead, so the silent mode of `npm test` keeps it
// out of the summary like any console output (`npx jest --silent=false <file>` shows it). Only the test context's
// `process` gets these streams; jest's own reporters write to the real ones.

function quiet(stream: NodeJS.WriteStream, log: (text: string) => void): NodeJS.WriteStream {
  const own = new Map<PropertyKey, unknown>(); // what tests assign (jest.spyOn(process.stderr, 'write'))
  const write = (chunk: unknown, ...rest: unknown[]): boolean => {
    log(String(chunk).replace(/\n$/, ''));
    const callback = rest.find((r) => typeof r === 'function') as (() => void) | undefined;
    callback?.();
    return true;
  };
  return new Proxy(stream, {
    get(target, prop) {
      if (own.has(prop)) return own.get(prop);
      if (prop === 'write') return write;
      const value = Reflect.get(target, prop);
      return typeof value === 'function' ? value.bind(target) : value;
    },
    set(_target, prop, value) {
      own.set(prop, value);
      return true;
    },
    deleteProperty(_target, prop) {
      own.delete(prop);
      return true;
    },
  });
}

Object.defineProperty(process, 'stdout', { value: quiet(process.stdout, (t) => console.log(t)), configurable: true });
Object.defineProperty(process, 'stderr', { value: quiet(process.stderr, (t) => console.error(t)), configurable: true });
