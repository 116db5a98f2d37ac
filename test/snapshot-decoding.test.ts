/**
 * Reading the snapshot line by line decodes each 4 MB chunk on its own: ASCII chunks are copied as
 * Latin-1 and the UTF-8 decoder takes over at the first chunk that is not. A store whose text is not
 * ASCII must read back exactly, whichever character a chunk boundary cuts through.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Mutation, TranscriptEntryRecord } from '../mock-server/store/records.ts';
import { SNAPSHOT_FORMAT } from '../mock-server/store/records.ts';
import { readSnapshot, readWholeSnapshot, writeSnapshot } from '../mock-server/store/snapshot-file.ts';

const tenant = '00DSM0000000MCK2A2/MyContactCenter';

function transcript(i: number, content: string): TranscriptEntryRecord {
  return {
    id: `0eESM0${String(i).padStart(12, '0')}`,
    tenant,
    conversationId: '0dwSM0000000000001',
    messageId: `m-${i}`,
    participantId: 'p',
    senderType: 'END_USER',
    content,
    startTime: 1704067200500,
    endTime: 1704067200900,
    receivedAt: '2024-01-01T00:00:00.000Z',
  };
}

/**
 * About 5 MB of ASCII messages, then about 5 MB of three- and four-byte characters; `shift` moves every
 * byte after the first message.
 */
function messages(shift: number): TranscriptEntryRecord[] {
  const records = [transcript(0, 'x'.repeat(shift))];
  for (let i = 1; i <= 5_000; i++) records.push(transcript(i, `plain ${'a'.repeat(1_000)}`));
  for (let i = 5_001; i <= 7_000; i++) records.push(transcript(i, `電話 ${'語'.repeat(400)} 📞 ${'ü'.repeat(300)}`));
  return records;
}

describe('reading the snapshot in chunks', () => {
  it('reads text that is not ASCII back exactly, wherever a chunk boundary falls', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'scv-snapshot-'));
    // Shifting the bytes by one and two puts a boundary inside a three-byte character at least once.
    for (const shift of [0, 1, 2, 3]) {
      const file = join(dir, `store-${shift}.json`);
      const records = messages(shift);
      await writeSnapshot(file, {
        header: { format: SNAPSHOT_FORMAT, seq: 7, meta: null },
        records: {
          calls: [],
          conversations: [],
          transcripts: records,
          recordings: [],
          routings: [],
          contactRequests: [],
          events: [],
          numberReservations: [],
        },
      });
      const read: Mutation[] = [];
      await readSnapshot(file, { put: (mutation) => read.push(mutation) });
      expect(read.map((m) => (m.op === 'put' ? m.record : null))).toEqual(records);
      // And the same as reading the whole document at once.
      expect((await readWholeSnapshot(file))?.transcripts).toEqual(records);
    }
  });
});
