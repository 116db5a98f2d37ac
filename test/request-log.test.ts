/** The request log: one line per request with method, path, status, tenant and the rules it hit. */
import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger, type LogFormat } from '../mock-server/http/logger.ts';
import { inboundCall, message, startMock, type Harness } from './support/mock-harness.ts';

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
    const created = await mock.post('/voiceCalls', inboundCall('logged')).expect(201);
    const id = created.body.voiceCallId as string;
    await mock.post(`/voiceCalls/${id}/messages`, message('m1')).expect(400);
    await mock.patch('/voiceCalls/logged/omniFlow', { flowName: 'Support_Routing_Flow' }).expect(200);
    await mock.patch('/voiceCalls/logged', { isActiveCall: true, callOrigen: 'Voicemail' }).expect(200);

    expect(lines[0]).toMatch(
      /^\d\d:\d\d:\d\d\.\d{3} POST +\/telephony\/v1\/voiceCalls 201 [\d.]+ms tenant=00DSM0000000MCK2A2\/MyContactCenter$/,
    );
    expect(lines[1]).toMatch(
      /POST +\/telephony\/v1\/voiceCalls\/0LQ\w+\/messages 400 .* error=RULE_VIOLATION rule=TRANSCRIPT_KEY_IS_SALESFORCE_ID$/,
    );
    expect(lines[2]).toContain(
      `↳ TRANSCRIPT_KEY_IS_SALESFORCE_ID: ${id} is a Salesforce VoiceCall id. Use the vendorCallKey of the conversation's first call instead: logged.`,
    );
    expect(lines[3]).toMatch(/omniFlow 200 .* warn=UNDOCUMENTED_FIELD$/);
    // The warning names the documented field to send instead: a known alias, or the closest name to a typo.
    expect(lines[4]).toContain(
      'UNDOCUMENTED_FIELD: Undocumented field(s) flowName (documented as flowDevName): the real service may ignore or reject them.',
    );
    expect(lines[6]).toContain('UNDOCUMENTED_FIELD: Undocumented field(s) callOrigen (did you mean callOrigin?)');
    expect(lines).toHaveLength(7);
  });

  it("fills each rule's placeholders with its own values when several rules fire", async () => {
    const { lines, logger } = capture('text');
    mock = await startMock({ logger, mode: 'lenient' });
    await mock.post('/voiceCalls', inboundCall('both')).expect(201);
    await mock.patch('/voiceCalls/both', { isActiveCall: true, totalHoldDuration: 4, holdMusic: 'jazz' }).expect(200);
    const notes = lines.filter((line) => line.includes('↳'));
    expect(notes).toEqual([
      expect.stringContaining('HOLD_FIELDS_NEED_RECORDING: totalHoldDuration came without recordingLocation;'),
      expect.stringContaining('UNDOCUMENTED_FIELD: Undocumented field(s) holdMusic:'),
    ]);
  });

  it('writes JSON lines with --log-format json', async () => {
    const { lines, logger } = capture('json');
    mock = await startMock({ logger });
    await mock.patch('/voiceCalls/nobody/clearRouting').expect(404);
    const entry = JSON.parse(lines[0]!) as Record<string, unknown>;
    expect(entry).toMatchObject({
      method: 'PATCH',
      path: '/telephony/v1/voiceCalls/nobody/clearRouting',
      status: 404,
      errorCode: 'CALL_NOT_FOUND',
      operationId: 'clearRouting',
    });
    expect(typeof entry.ms).toBe('number');
  });

  it('never writes the bearer token', async () => {
    const { lines, logger } = capture('json');
    mock = await startMock({ logger });
    await mock.post('/voiceCalls', inboundCall('secret')).expect(201);
    expect(lines.join('\n')).not.toContain('test-token');
  });
});

describe('the text log and what clients send', () => {
  it('escapes control characters from request values: no forged lines, no terminal escapes', async () => {
    const written: string[] = [];
    const stream = new Writable({
      write(chunk: Buffer, _encoding, done) {
        written.push(chunk.toString());
        done();
      },
    });
    mock = await startMock({ logger: createLogger({ format: 'text', stream }) });
    const forged = 'k\r\n12:00:00.000 POST  /telephony/v1/voiceCalls 201 0.1ms tenant=forged\u001b[2J\u009b';
    await mock.post('/voiceCalls', { ...inboundCall(forged), ['field\u001b[31m\nFAKE']: 1 }).expect(201);
    await mock.post('/voiceCalls', inboundCall(forged)).expect(200);
    const text = written.join('');
    // Every write is one line, ended by the logger's own newline, with no other control character.
    // eslint-disable-next-line no-control-regex -- control characters are what the log must not hold
    for (const chunk of written) expect(chunk.slice(0, -1)).not.toMatch(/[\u0000-\u001f\u007f-\u009f]/);
    expect(text).not.toContain('\u001b');
    expect(text).toContain('k\\r\\n12:00:00.000 POST');
    expect(text).toContain('field\\x1b[31m\\nFAKE');
  });
});
