import { describe, expect, it } from 'vitest';

import { SyncEngine, type Transport } from '../../sync/engine';
import { MemoryStore, Outbox } from '../../sync/outbox';
import type { ClientMessage, ServerMessage, Snapshot } from '../../sync/protocol';

const PHONE = '+66 81 555 0142';

function engineWith(store: MemoryStore): { engine: SyncEngine; sent: ClientMessage[] } {
  const outbox = new Outbox(store, { workshopId: 1, memberId: 2 }, 'client-redact-1');
  const engine = new SyncEngine({ workshopId: 1, outbox, memberId: 2 });
  const sent: ClientMessage[] = [];
  const transport: Transport = {
    send: (m) => {
      sent.push(m);
      return true;
    },
    reconnect: () => {},
    healthy: () => {},
  };
  engine.attach(transport);
  return { engine, sent };
}

const item = {
  id: 'item-phone-001',
  checklist_id: 5,
  kind: 'need',
  title: 'Follow up with the girl',
  detail: `Her aunt's mobile is ${PHONE}`,
  themes: [],
  actors: [],
  references: [],
  position: 'V',
  status: 'open',
  flags: ['personal_data'],
  created_by: 2,
  updated_seq: 3,
  merged_into: null,
};

describe('a redaction reaching a client', () => {
  it('drops the unsent copies of the text, in memory and in storage', () => {
    const store = new MemoryStore();
    const { engine } = engineWith(store);
    engine.opened();
    engine.receive({ type: 'welcome', protocol: 1, head_seq: 3, last_op_id: 0, mode: 'snapshot', member_id: 2 } as ServerMessage);
    engine.receive({
      type: 'snapshot',
      seq: 3,
      workshop: { id: 1 },
      themes: [],
      groups: [],
      members: [],
      checklists: [],
      items: [item],
      comments: [],
      votes: [],
    } as unknown as Snapshot);
    // An edit typed and not yet confirmed (the connection is slow): it carries the number.
    engine.closed();
    engine.submit('item.update', { id: item.id, detail: `${item.detail}, after 6 pm` });
    expect(JSON.stringify([...store.data.values()])).toContain(PHONE);

    engine.opened();
    engine.receive({ type: 'welcome', protocol: 1, head_seq: 4, last_op_id: 0, mode: 'events', member_id: 2 } as ServerMessage);
    engine.receive({
      type: 'events',
      from: 4,
      to: 4,
      events: [
        {
          seq: 4,
          client_id: null,
          op_id: null,
          actor: null,
          kind: 'safeguards.redact',
          at: null,
          changes: [
            { entity: 'item', id: item.id, values: { detail: "Her aunt's mobile is [redacted]", flags: [], updated_seq: 4 } },
            { entity: 'redaction', id: item.id, values: { of: 'item', kinds: ['phone'] } },
          ],
        },
      ],
    } as unknown as ServerMessage);

    expect(engine.state.tables.item[item.id]?.detail).toBe("Her aunt's mobile is [redacted]");
    expect(engine.state.pending).toEqual([]);
    expect(JSON.stringify(engine.state)).not.toContain(PHONE);
    expect(JSON.stringify([...store.data.values()])).not.toContain(PHONE);
  });
});
