/**
 * The English for the views that are lazy chunks (ended, offline, consent, rating, image
 * viewer): it comes with them, not in the app chunk (i18n-views.ts adds it to English when
 * the first of them loads). Same form and rules as i18n-en.ts; the other locales keep these
 * keys in their one table (test/i18n checks they match English's two parts).
 */
export const enViews = {
  // Image viewer: link that opens the picture itself (new tab or download).
  'viewer.open': 'Open original',
  // Image viewer: button that closes it.
  'viewer.close': 'Close',
  // Button that sends the chosen rating (keyboard users choose with arrows first).
  'rating.send': 'Send rating',
  // Shown once the visitor has rated; {choice} is the option's text.
  'rating.chosen': 'You rated: {choice}',
  // Ended view: default closing line.
  'ended.text': 'The chat has ended. Thank you for contacting us.',
  // Ended view: heading of the post-chat survey.
  'ended.survey': 'Tell us how we did',
  // Ended view: submit button of the post-chat survey.
  'ended.sendFeedback': 'Send feedback',
  // Ended view: shown when the post-chat survey was received.
  'ended.thanks': 'Thank you for your feedback.',
  // Ended view: a request could not be completed.
  'ended.failed': 'That didn’t work. Please try again.',
  // Ended view: label of the email field for the transcript.
  'ended.email': 'Email address',
  // Ended view: button that emails the transcript.
  'ended.emailTranscript': 'Email transcript',
  // Ended view: button that downloads the transcript.
  'ended.downloadTranscript': 'Download transcript',
  // Ended view: the transcript request went through.
  'ended.transcriptDone': 'Your transcript is on its way.',
  // Ended view: button that starts over.
  'ended.newChat': 'Start a new chat',
  // Offline view heading.
  'offline.title': 'Leave us a message',
  // Offline form field labels.
  'offline.name': 'Name',
  'offline.email': 'Email',
  'offline.phone': 'Phone',
  'offline.message': 'Your message',
  // Offline form submit button.
  'offline.send': 'Send message',
  // Offline: link to the site's other contact page.
  'offline.forward': 'Contact us another way',
  // Offline: the message was received.
  'offline.done': 'Thank you. We will get back to you soon.',
  // Ended view: button that emails the transcript to the address given before the chat.
  'ended.emailMe': 'Email me the transcript',
  // Ended view: where that email goes; {address} is the visitor's email address.
  'ended.emailTo': 'It will be sent to {address}.',
  // --- Consent step (data-consent="required"), shown before the chat connects ---
  // Heading of the consent step.
  'consent.heading': 'Before you chat',
  // The consent step's default text (sites may replace it with data-consent-text).
  'consent.text': 'This chat is run by a customer service provider. To answer you, your messages and the details you enter are sent to them.',
  // Link to the site's privacy policy on the consent step (opens in a new tab).
  'consent.privacy': 'Privacy policy',
  // Consent step button: agree and go on to the chat.
  'consent.accept': 'Accept and continue',
  // Consent step button: refuse; the window closes and nothing is sent.
  'consent.decline': 'No thanks',
  // Offline view when the vendor offers no message form or link: what the visitor can do.
  'offline.later': 'Please try again later.',
};
