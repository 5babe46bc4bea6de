/**
 * What a vendor may put in the conversation besides lines: a branch menu, an inline form, a
 * card. They come mid-chat if at all, so they are one chunk of their own (the app chunk's
 * budget), fetched as the chat starts (window.tsx), like the rating widget.
 */
export { BranchItem } from './branch-item';
export { CardItem } from './card-item';
export { FormItem } from './form-item';
