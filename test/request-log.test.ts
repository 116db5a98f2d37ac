/** The request log: one line per request with method, path, status, tenant and the rules it hit. */
import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger, type LogFormat } from '../mock-server/http/logger.ts';
import { inboundCall, startMock, type Harness } from './support/mock-harness.ts';

function capture(format: LogFormat) {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(...chunk.toString().split('\n').filter(Boolean));
      done();
    },
  });
  return { lines, logger: createLogger({ format, stream }) };
}

let mock: Harness;
afterEach(async () => mock.server.close());

describe('request log', () => {
  it('writes one readable line per request, with the rule and its advice on a violation or warning', async () => {
    const { lines, logger } = capture('text');
    mock = await startMock({ logger });
    await mock.post('/voiceCalls', inboundCall('logged')).expect(201);
    await mock.patch('/voiceCalls/logged/clearRouting').expect(409);
    await mock.patch('/voiceCalls/logged/omniFlow', { flowName: 'Support_Routing_Flow' }).expect(200);

    expect(lines[0]).toMatch(/^\d\d:\d\d:\d\d\.\d{3} POST +\/telephony\/v1\/voiceCalls 201 [\d.]+ms tenant=00DSM0000000MCK2A2\/MyContactCenter$/);
    expect(lines[1]).toMatch(/PATCH \/telephony\/v1\/voiceCalls\/logged\/clearRouting 409 .* error=SEQUENCE_VIOLATION rule=CLEAR_ROUTING_WITHOUT_PENDING$/);
    expect(lines[2]).toMatch(/^ +↳ CLEAR_ROUTING_WITHOUT_PENDING: Call 0LQ\w+ has no pending routing to clear/);
    expect(lines[3]).toMatch(/omniFlow 200 .* warn=UNDOCUMENTED_FIELD$/);
    // The warning names the documented field to send instead.
    expect(lines[4]).toContain('UNDOCUMENTED_FIELD: Undocumented field(s) flowName: the real service may ignore or reject them. Send flowDevName instead of flowName.');
    expect(lines).toHaveLength(5);
  });

  it('fills each rule\'s placeholders with its own values when several rules fire', async () => {
    const { lines, logger } = capture('text');
    mock = await startMock({ logger, mode: 'lenient' });
    await mock.post('/voiceCalls', inboundCall('both')).expect(201);
    await mock.patch('/voiceCalls/both', { isActiveCall: true, totalHoldDuration: 4, holdMusic: 'jazz' }).expect(200);
    const notes = lines.filter((line) => line.includes('↳'));
    expect(notes).toEqual([
      expect.stringContaining('HOLD_FIELDS_NEED_RECORDING: totalHoldDuration need recordingLocation in the same update.'),
      expect.stringContaining('UNDOCUMENTED_FIELD: Undocumented field(s) holdMusic:'),
    ]);
  });

  it('writes JSON lines with --log-format json', async () => {
    const { lines, logger } = capture('json');
    mock = await startMock({ logger });
    await mock.patch('/voiceCalls/nobody/clearRouting').expect(404);
    const entry = JSON.parse(lines[0]!) as Record<string, unknown>;
    expect(entry).toMatchObject({ method: 'PATCH', path: '/telephony/v1/voiceCalls/nobody/clearRouting', status: 404, errorCode: 'CALL_NOT_FOUND', operationId: 'clearRouting' });
    expect(typeof entry.ms).toBe('number');
  });

  it('never writes the bearer token', async () => {
    const { lines, logger } = capture('json');
    mock = await startMock({ logger });
    await mock.post('/voiceCalls', inboundCall('secret')).expect(201);
    expect(lines.join('\n')).not.toContain('test-token');
  });
});
