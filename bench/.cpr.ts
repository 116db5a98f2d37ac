import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import autocannon from 'autocannon';
import { signToken } from '/work/main/mock-server/auth/token-signer.ts';
const port = 7000 + Math.floor(Math.random() * 1000);
const child = spawn(
  process.execPath,
  [
    '/work/main/dist/mock-server/cli/run.js',
    'start',
    '--port',
    String(port),
    '--data',
    `/tmp/cpr-${port}.json`,
    '--quiet',
  ],
  { stdio: 'inherit', cwd: '/tmp' },
);
for (;;) {
  try {
    const r = await fetch(`http://127.0.0.1:${port}/__admin/health`);
    if (r.ok) break;
  } catch {}
  await new Promise((r) => setTimeout(r, 20));
}
const token = await signToken({ orgId: '00DSM0000000MCK2A2', callCenterApiName: 'MyContactCenter' });
let n = 0;
const body = () =>
  JSON.stringify({
    callCenterApiName: 'MyContactCenter',
    vendorCallKey: `k-${process.pid}-${n++}`,
    to: '999999999',
    from: '+15551234567',
    initiationMethod: 'Inbound',
    startTime: '2024-05-01T10:00:00Z',
    participants: [{ participantKey: '+15551234567', type: 'END_USER' }],
  });
const cpu = () => {
  const f = readFileSync(`/proc/${child.pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(f[11]) + Number(f[12])) * 10;
}; // ms (100 Hz)
const opts = {
  url: `http://127.0.0.1:${port}/telephony/v1/voiceCalls`,
  connections: 10,
  requests: [
    {
      method: 'POST' as const,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      setupRequest: (r: any) => ({ ...r, body: body() }),
    },
  ],
};
await autocannon({ ...opts, duration: 3 });
const c0 = cpu();
const res = await autocannon({ ...opts, duration: 8, overallRate: 1000 });
const c1 = cpu();
console.log(
  'fixed 1000/s: sent',
  res.requests.total,
  'p50',
  res.latency.p50,
  'p99',
  res.latency.p99,
  'cpu µs/req',
  (((c1 - c0) * 1000) / res.requests.total).toFixed(0),
);
child.kill('SIGTERM');
