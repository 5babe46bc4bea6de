/**
 * The shortest way into a chat with the human agent, per vendor, from an open window: what
 * suites that are about something else (CSP, a hostile host page) walk through.
 */
import type { SandboxVendor } from '../src/server/sandbox/main';
import type { Widget } from './fixtures';

/** Options each vendor's journey below expects on the script tag. */
export const START_OPTIONS: Record<SandboxVendor, Record<string, string>> = {
  whoson: {},
  expertflow: { prechat: 'name', subjects: '' },
  'expertflow-cx': {},
  tencent: {},
  omnidesk: {},
  diyalog: {},
};

export const START_CHAT: Record<SandboxVendor, (w: Widget) => Promise<void>> = {
  whoson: async (w) => {
    await w.dialog.getByLabel('Please enter your name:').fill('Thomas', { timeout: 8000 });
    await w.dialog.getByRole('button', { name: 'Start chat' }).click();
  },
  expertflow: async (w) => {
    await w.dialog.getByLabel('Your name').fill('Kashif');
    await w.dialog.getByRole('button', { name: 'Start chat' }).click();
  },
  'expertflow-cx': async (w) => {
    await w.dialog.getByLabel('Your name').fill('Kashif');
    // The phone is CX's customer identifier: a chat left open by an earlier test in this worker's
    // sandbox with the same number would take this visitor back into it (CX resumes a customer's
    // open chat), so each journey is a customer of its own.
    await w.dialog.getByLabel('Phone number').fill(`+1343${Math.floor(1e6 + Math.random() * 9e6)}`);
    await w.dialog.getByRole('button', { name: 'Start chat' }).click();
    await w.log.getByRole('button', { name: 'Talk to an agent' }).click();
  },
  tencent: async (w) => {
    await w.dialog.getByRole('button', { name: 'Start chat' }).click();
    await w.log.getByRole('group', { name: 'How can we help?' }).getByRole('button', { name: 'Talk to a human' }).click();
  },
  omnidesk: async (w) => {
    await w.dialog.getByLabel('Your name').fill(`Ann ${Math.random().toString(36).slice(2, 8)}`);
    await w.dialog.getByRole('button', { name: 'Start chat' }).click();
  },
  diyalog: async (w) => {
    await w.dialog.getByRole('button', { name: 'Start chat' }).click();
  },
};

