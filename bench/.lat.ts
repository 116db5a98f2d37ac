import { spawn } from 'node:child_process';
import autocannon from 'autocannon';
import { signToken } from '/work/main/mock-server/auth/token-signer.ts';
const port = 7000 + Math.floor(Math.random()*1000);
const extra = (process.env.NODEARGS ?? '').split(' ').filter(Boolean);
const args = (process.env.MOCKARGS ?? '').split(' ').filter(Boolean);
const child = spawn(process.execPath, [...extra, '/work/main/dist/mock-server/cli/run.js', 'start', '--port', String(port), '--data', `/tmp/lat-${port}.json`, '--quiet', ...args], { stdio: ['ignore', process.env.GCLOG ? 'pipe' : 'ignore', 'inherit'] });
let gc = ''; child.stdout?.on('data', (d) => gc += d);
for (;;) { try { const r = await fetch(`http://127.0.0.1:${port}/__admin/health`); if (r.ok) break; } catch {} await new Promise(r => setTimeout(r, 20)); }
const token = await signToken({ orgId: '00DSM0000000MCK2A2', callCenterApiName: 'MyContactCenter' });
let n = 0;
const body = () => JSON.stringify({ callCenterApiName: 'MyContactCenter', vendorCallKey: `k-${process.pid}-${n++}`, to: '999999999', from: '+15551234567', initiationMethod: 'Inbound', startTime: '2024-05-01T10:00:00Z', participants: [{ participantKey: '+15551234567', type: 'END_USER' }] });
const opts = { url: `http://127.0.0.1:${port}/telephony/v1/voiceCalls`, connections: 10, requests: [{ method: 'POST' as const, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, setupRequest: (r: any) => ({ ...r, body: body() }) }] };
await autocannon({ ...opts, duration: 3 });
gc = '';
const res = await autocannon({ ...opts, duration: 8, overallRate: Number(process.env.RATE ?? 1000) });
console.log(process.env.LABEL ?? '', 'p50', res.latency.p50, 'p90', res.latency.p90, 'p99', res.latency.p99, 'max', res.latency.max);
if (process.env.GCLOG) { const lines = gc.split('\n').filter((l) => l.includes('Scavenge') || l.includes('Mark')); const ms = lines.map((l) => Number(/(\d+\.\d+) \/ \d+\.\d+ ms/.exec(l)?.[1] ?? 0)); console.log('gc events', lines.length, 'max', Math.max(...ms), 'sum', ms.reduce((a,b)=>a+b,0).toFixed(0)); console.log(lines.slice(0,3).join('\n')); }
child.kill('SIGTERM');
