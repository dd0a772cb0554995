import type { ApprovalRecord, ApprovalStore, LinkAnswer } from './ports.js';

/** {@link ApprovalStore} in memory, with the DynamoDB adapter's semantics (tests, sandbox). */
export class MemoryApprovalStore implements ApprovalStore {
  readonly #records = new Map<string, ApprovalRecord>();

  async create(record: ApprovalRecord): Promise<void> {
    if (this.#records.has(record.id)) throw new Error(`approval ${record.id} already exists`);
    this.#records.set(record.id, structuredClone(record));
  }

  async get(id: string): Promise<ApprovalRecord | undefined> {
    const record = this.#records.get(id);
    return record === undefined ? undefined : structuredClone(record);
  }

  async claim(id: string, answer: LinkAnswer): Promise<ApprovalRecord | undefined> {
    const record = this.#records.get(id);
    if (record?.status !== 'pending') return undefined;
    const claimed: ApprovalRecord = { ...record, status: 'answered', answer };
    this.#records.set(id, claimed);
    return structuredClone(claimed);
  }

  async release(id: string): Promise<void> {
    const record = this.#records.get(id);
    if (record?.status !== 'answered') return;
    const { answer: _answer, ...rest } = record;
    this.#records.set(id, { ...rest, status: 'pending' });
  }

  async close(id: string): Promise<void> {
    const record = this.#records.get(id);
    if (record?.status === 'answered') this.#records.set(id, { ...record, status: 'closed' });
  }
}
