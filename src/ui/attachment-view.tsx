/**
 * An attachment by kind: image preview with its name and size (a click opens it in the
 * viewer, a lazy chunk; a modified click still opens the link), audio/video player, or a
 * file link (shown as its thumbnail image when the vendor sends one) — each only for a URL
 * the allowlist accepts; otherwise just its name, as text.
 */
import type { Attachment } from '../core/contract';
import { safeUrl } from '../core/urls';
import { useUi } from './context';
import { formatBytes } from '../core/i18n';

export function AttachmentView({ attachment: a }: { attachment: Attachment }) {
  const { addStyles } = useUi();
  const link = safeUrl(a.url, 'link');
  if (a.kind === 'image') {
    const src = safeUrl(a.url, 'image');
    if (src) {
      const href = link ?? src;
      // Browsers refuse to open a data: URL in a new tab (Chrome shows a blank page), so an
      // image sent inline is saved under its name instead.
      const inline = href.startsWith('data:');
      return (
        <figure class="confab-preview">
          <a
            class="confab-thumb"
            href={href}
            target={inline ? undefined : '_blank'}
            rel="noopener noreferrer"
            download={inline ? a.name || true : undefined}
            onClick={(e) => {
              if (e.ctrlKey || e.metaKey || e.shiftKey || e.altKey) return;
              e.preventDefault();
              const at = e.currentTarget;
              void import('./image-viewer').then((m) => m.viewImage(at, src, a.name, href, addStyles));
            }}
          >
            <img src={src} alt={a.name} loading="lazy" />
          </a>
          <figcaption dir="auto">
            {a.name}
            {a.size ? ` · ${formatBytes(a.size)}` : ''}
          </figcaption>
        </figure>
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
