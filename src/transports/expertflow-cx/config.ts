/**
 * ExpertFlow CX's widget configuration over REST (E3/E4 widgetConfigs, getPreChatForm; the
 * sources are named in transport.ts's header): `GET {ccm}/widget-configs/{widgetIdentifier}`,
 * its `form` id, then `GET {ccm}/forms/{id}`. No form id: no pre-chat form (W skips it when
 * `form` is empty). `formValidation` (E4) is not fetched: our own field types validate. File
 * transfer on: W's list of extensions, and the `file` capability.
 */
import type { Capability, ChatConfig, Clock } from '../../core/contract';
import { decodeForm, decodeWidgetConfig } from './cim';

/** W's list of extensions its upload accepts. */
const FILE_TYPES = 'txt png jpg jpeg pdf ppt pptx xlsx xls doc docx rtf mp3 mp4 webp'.split(' ');

export const emptyConfig = (): ChatConfig => ({ prechat: [], postchat: [], allowedFileTypes: [], leaveMessage: false, previewAllowed: false });

/** The config and the form's id (what formData names); capabilities gain `file` and `prechat` as configured. */
export async function loadConfig(
  ccm: string | null,
  widget: string | undefined,
  doFetch: typeof fetch,
  clock: Clock,
  capabilities: Set<Capability>,
): Promise<[ChatConfig, string]> {
  const config = emptyConfig();
  let formId = '';
  if (!ccm || !widget) return [config, formId];
  const get = async (path: string): Promise<unknown> => {
    // A server that never answers must not keep the widget at "Connecting" for ever.
    const abort = new AbortController();
    const timer = clock.setTimeout(() => abort.abort(), 15_000);
    try {
      const res = await doFetch(`${ccm}/${path}`, { signal: abort.signal });
      if (!res.ok) throw new Error(`${path} ${res.status}`);
      return await res.json();
    } finally {
      clock.clearTimeout(timer);
    }
  };
  const w = decodeWidgetConfig(await get(`widget-configs/${encodeURIComponent(widget)}`));
  if (!w) throw new Error('widget-configs');
  if (w.fileTransfer) {
    config.allowedFileTypes = FILE_TYPES;
    capabilities.add('file');
  }
  if (w.title) config.siteName = w.title;
  if (w.formId) {
    const form = decodeForm(await get(`forms/${encodeURIComponent(w.formId)}`));
    if (!form) throw new Error('forms');
    formId = form.id || w.formId;
    config.prechat = form.fields;
    if (form.fields.length) capabilities.add('prechat');
  }
  return [config, formId];
}
