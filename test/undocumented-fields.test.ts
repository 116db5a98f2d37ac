/** The undocumented-field finder on its own: what it reports, with which suggestion, and what it leaves alone. */
import { describe, expect, it } from 'vitest';
import { findUndocumentedFields } from '../mock-server/openapi/undocumented-fields.ts';

const schema = {
  type: 'object' as const,
  properties: {
    callOrigin: { type: 'string' as const },
    recordingUrl: { type: 'string' as const },
    recordingURL: { type: 'string' as const, deprecated: true, 'x-alias-of': 'recordingUrl' },
    participants: {
      type: 'array' as const,
      items: { type: 'object' as const, properties: { participantKey: { type: 'string' as const } } },
    },
    attributes: { type: 'object' as const, properties: { department: { type: 'string' as const } } },
  },
};

describe('findUndocumentedFields', () => {
  it('finds nothing in a documented body, and nothing in a body that is not an object', () => {
    expect(
      findUndocumentedFields(schema, {
        callOrigin: 'Voicemail',
        participants: [{ participantKey: 'a' }, 'x', null],
        attributes: { department: 'Sales' },
      }),
    ).toEqual([]);
    for (const body of [undefined, null, 'text', 42, []]) expect(findUndocumentedFields(schema, body)).toEqual([]);
    expect(findUndocumentedFields(undefined, { anything: 1 })).toEqual([]);
  });

  it('reports unknown fields with the closest documented name, nested ones by path, array items once', () => {
    expect(
      findUndocumentedFields(schema, {
        callOrigen: 'Voicemail',
        participants: [{ participantKey: 'a', extra: 1 }, { extra: 2 }],
        attributes: { departmant: 'Sales', zzzzzzzzzzzz: 1 },
      }),
    ).toEqual([
      { path: 'callOrigen', suggestion: 'callOrigin', because: 'spelling' },
      { path: 'participants[].extra' },
      { path: 'attributes.departmant', suggestion: 'department', because: 'spelling' },
      { path: 'attributes.zzzzzzzzzzzz' },
    ]);
  });

  it('reports a deprecated field with the field it stands for', () => {
    expect(findUndocumentedFields(schema, { recordingURL: 'https://x' })).toEqual([
      { path: 'recordingURL', suggestion: 'recordingUrl', because: 'alias' },
    ]);
  });

  it("reports fields named like Object.prototype's members: they are not documented", () => {
    const body = JSON.parse('{"constructor": 1, "__proto__": {"a": 1}, "toString": "x"}') as unknown;
    expect(findUndocumentedFields(schema, body).map((field) => field.path)).toEqual([
      'constructor',
      '__proto__',
      'toString',
    ]);
  });
});
