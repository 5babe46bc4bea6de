/**
 * An attachment by kind: image thumbnail, audio/video player, or a file link (shown as its
 * thumbnail image when the vendor sends one) — each only for a URL the allowlist accepts;
 * otherwise just its name, as text.
 */
import type { Attachment } from '../core/contract';
import { safeUrl } from '../core/urls';

export function AttachmentView({ attachment: a }: { attachment: Attachment }) {
  const link = safeUrl(a.url, 'link');
  if (a.kind === 'image') {
    const src = safeUrl(a.url, 'image');
    if (src) {
      const href = link ?? src;
      // Browsers refuse to open a data: URL in a new tab (Chrome shows a blank page), so an
      // image sent inline is saved under its name instead.
      const inline = href.startsWith('data:');
      return (
        <a
          class="confab-thumb"
          href={href}
          target={inline ? undefined : '_blank'}
          rel="noopener noreferrer"
          download={inline ? a.name || true : undefined}
        >
          <img src={src} alt={a.name} loading="lazy" />
        </a>
      );
    }
  } else if (a.kind === 'audio' || a.kind === 'video') {
    const src = safeUrl(a.url, 'media');
    if (src) {
      const Media = a.kind;
      return (
        <figure class="confab-media">
          <Media src={src} controls preload="metadata" aria-label={a.name} />
          <figcaption>{a.name}</figcaption>
        </figure>
      );
    }
  }
  const thumb = a.kind === 'file' && link ? safeUrl(a.thumbnailUrl, 'image') : null;
  if (link && thumb)
    return (
      <a class="confab-thumb" href={link} target="_blank" rel="noopener noreferrer" download={a.name}>
        <img src={thumb} alt={a.name} loading="lazy" />
      </a>
    );
  if (link)
    return (
      <a class="confab-file" href={link} target="_blank" rel="noopener noreferrer" download={a.name}>
        {a.name}
      </a>
    );
  return <span class="confab-file">{a.name}</span>;
}
