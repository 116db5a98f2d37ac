// Preloaded into `scv-mock start` by a test (node --import): when the process writes its listening line, it
// first reports on stderr how many SIGINT and SIGTERM listeners it has at that moment. A caller may stop the
// mock as soon as it reads that line, so by then its handlers must be in place.
const write = process.stdout.write.bind(process.stdout);
let reported = false;
process.stdout.write = (chunk, ...rest) => {
  if (!reported && String(chunk).includes('"event":"listening"')) {
    reported = true;
    const count = (signal) => process.listenerCount(signal);
    process.stderr.write(`listeners when listening: SIGINT=${count('SIGINT')} SIGTERM=${count('SIGTERM')}\n`);
  }
  return write(chunk, ...rest);
};
