import { spawn } from 'node:child_process';
import autocannon from 'autocannon';
import { signToken } from '/work/main/mock-server/auth/token-signer.ts';
const port = 7000 + Math.floor(Math.random()*1000);
const extra = (process.env.NODEARGS ?? '').split(' ').filter(Boolean);
const child = spawn(process.execPath, [...extra, '/work/main/dist/mock-server/cli/run.js', 'start', '--port', String(port), '--data', `/tmp/qb-${port}.json`, '--quiet'], { stdio: 'inherit', cwd: '/tmp' });
for (;;) { try { const r = await fetch(`http://127.0.0.1:${port}/__admin/health`); if (r.ok) break; } catch {} await new Promise(r => setTimeout(r, 20)); }
const token = await signToken({ orgId: '00DSM0000000MCK2A2', callCenterApiName: 'MyContactCenter' } as never).catch(e => { console.error(e); process.exit(1); });
let n = 0;
const body = () => JSON.stringify({ callCenterApiName: 'MyContactCenter', vendorCallKey: `k-${process.pid}-${n++}`, to: '999999999', from: '+15551234567', initiationMethod: 'Inbound', startTime: '2024-05-01T10:00:00Z', participants: [{ participantKey: '+15551234567', type: 'END_USER' }] });
const opts = { url: `http://127.0.0.1:${port}/telephony/v1/voiceCalls`, connections: 10, duration: Number(process.env.DUR ?? 5), requests: [{ method: 'POST' as const, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, setupRequest: (r: any) => ({ ...r, body: body() }) }] };
await autocannon({ ...opts, duration: 2 });
const res = await autocannon(opts);
console.log('req/s', res.requests.average, 'p50', res.latency.p50, 'p99', res.latency.p99, 'non2xx', res.non2xx);
child.kill('SIGTERM');
