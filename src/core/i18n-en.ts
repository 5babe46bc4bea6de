/**
 * The English table (i18n.ts selects the language and fills the strings), built into the app
 * chunk, except the lazy views' strings (i18n-en-views.ts); the other seven locales are lazy chunks in locales/ with the same keys (test/i18n).
 * Every string the widget shows. A count that changes the words takes a plural:
 * `{count, plural, one {# message} other {# messages}}` (ICU's form; the categories are
 * Intl.PluralRules' for the language: zero, one, two, few, many, other; `=0` matches exactly;
 * `#` is the number, formatted for the visitor's locale). Keys are grouped by where they appear; the comment
 * beside each tells a translator where and how it is used. `{name}` placeholders are
 * filled by `t()`.
 */
export const en = {
  // Launcher button, when the chat window is closed.
  'launcher.open': 'Open chat',
  // Launcher button, when the chat window is open.
  'launcher.close': 'Close chat',
  // Launcher badge, read by screen readers: number of unread messages.
  'launcher.unread': '{count, plural, one {# unread message} other {# unread messages}}',
  // Label of the message box in the composer.
  'composer.label': 'Message',
  // The button that sends the visitor's message.
  'composer.send': 'Send',
  // Button on the pre-chat form that starts the chat.
  'prechat.start': 'Start chat',
  // Header button that ends the conversation.
  'header.end': 'End chat',
  // Wait screen button that stops waiting for an agent.
  'wait.cancel': 'Cancel',
  // --- Session core (src/core/session-*.ts, survey.ts) ---
  // Transcript notice when an agent enters the conversation; {name} is the agent's name.
  'notice.joined': '{name} joined the chat',
  // Transcript notice when an agent leaves the conversation; {name} is the agent's name.
  'notice.left': '{name} left the chat',
  // Transcript notice: the visitor ended the chat themselves.
  'notice.endedByVisitor': 'You ended the chat',
  // Transcript notice: the agent ended the chat; {name} is the agent's name.
  'notice.endedByAgent': '{name} ended the chat',
  // Used as {name} above when the agent's name is unknown.
  'notice.theAgent': 'The agent',
  // Transcript notice: the chat ended because nobody wrote for a while.
  'notice.endedByTimeout': 'The chat ended after a period of inactivity',
  // Transcript notice: the server or the widget ended the chat.
  'notice.endedBySystem': 'The chat has ended',
  // Transcript notice after a page change when the chat could not be carried over.
  'notice.endedByNavigation': 'The connection was closed when the page changed',
  // Shown at the top of a chat restored after a page change when only its latest lines were kept.
  'notice.earlierNotKept': 'Earlier messages are not kept when you change pages',
  'notice.newChat': 'New chat',
  // Button at the top of a long transcript: renders older lines that are not shown yet.
  'messages.showEarlier': 'Show earlier messages',
  // Offline screen, when the server gave no reason why nobody can chat.
  'offline.default': 'Nobody is available to chat right now',
  // Error shown when the chat code could not be downloaded.
  'error.load': 'The chat could not be loaded. Please try again.',
  // Error shown when the visitor picks a file type the chat does not accept; {types} lists allowed extensions.
  'error.fileType': 'This type of file cannot be sent. Allowed: {types}',
  // Error shown when the visitor picks a file that is too large; {max} is a size like "5 MB".
  'error.fileSize': 'This file is too large (at most {max})',
  // Label of the widget's own pre-chat name field (used when the vendor defines none).
  'prechat.name': 'Your name',
  // Label of the widget's own pre-chat email field (used when the vendor defines none).
  'prechat.email': 'Email (optional)',
  // Form validation: a required field is empty (or a required checkbox is unticked).
  'survey.required': 'This field is required',
  // Form validation: too many characters; {max} is the limit.
  'survey.tooLong': 'Use at most {max, plural, one {# character} other {# characters}}',
  // Under a multi-line survey field with more lines than the server allows (WhosOn's Lines).
  'survey.tooManyLines': 'Use at most {max, plural, one {# line} other {# lines}}',
  // Form validation: the value must be a number.
  'survey.number': 'Enter a number',
  // Form validation: number below the lowest allowed value {min}.
  'survey.min': 'Enter a number of at least {min}',
  // Form validation: number above the highest allowed value {max}.
  'survey.max': 'Enter a number no greater than {max}',
  // Form validation: not an email address.
  'survey.email': 'Enter a valid email address',
  // Form validation: not a date (format YYYY-MM-DD).
  'survey.date': 'Enter a valid date',
  // Form validation: not a time of day (format HH:MM).
  'survey.time': 'Enter a valid time',
  // Form validation: the value is not one of the offered choices.
  'survey.option': 'Choose one of the options',
  // Form validation: rating outside the scale; {min} and {max} are its ends (numbers in the visitor's digits).
  'survey.rating': 'Choose a rating from {min} to {max}',
  // Form validation: the value does not have the format the site asks for.
  'survey.mask': 'The value is not in the expected format',
  // --- Chat window (src/ui) ---
  // Header title when neither the site nor the vendor gives one.
  'header.defaultTitle': 'Chat',
  // Header button that hides the window; the chat goes on.
  'header.minimise': 'Minimise chat',
  // Marker beside an automated agent's name in the header.
  'header.bot': 'Bot',
  // Alt text of the site's logo in the header; {site} is the site title.
  'header.logo': '{site} logo',
  // Connection bar while the first connection is made.
  'status.connecting': 'Connecting…',
  // Connection bar after a drop; {attempt} counts reconnection attempts.
  'status.reconnecting': 'Reconnecting (attempt {attempt})…',
  // Connection bar when the connection is lost for good.
  'status.closed': 'Disconnected',
  // Shown in the window body before the server has answered.
  'window.loading': 'Loading chat…',
  // Error banner button that tries the failed action again.
  'error.retry': 'Retry',
  // Pre-chat form: marks a required field for sighted users (screen readers hear "required").
  'form.required': '(required)',
  // Announced when a form has errors; {count} is how many fields need attention.
  'form.errors': 'Please correct {count, plural, one {# field} other {# fields}}.',
  // Generic validation message when the validator gives none.
  'form.invalid': 'Please check this field.',
  // Label of the pre-chat form region.
  'prechat.label': 'Before we start',
  // Rating field/option label for {n} stars (a plural).
  'rating.stars': '{n, plural, one {# star} other {# stars}}',
  // Rating label for one star (kept for sites' setMessages; rating.stars covers one too).
  'rating.star': '1 star',
  // Wait screen line before the server says anything.
  'wait.default': 'Waiting for an agent…',
  // Wait screen: the visitor's place in the queue.
  'wait.position': 'You are number {position} in the queue',
  // Wait screen: place in the queue when the queue length is known.
  'wait.positionOf': 'You are number {position} of {total} in the queue',
  // Accessible name of the message list.
  'messages.label': 'Messages',
  // Author shown on the visitor's own lines.
  'messages.you': 'You',
  // Author shown on agent lines when the agent has no name.
  'messages.agent': 'Agent',
  // Author shown on bot lines when the bot has no name.
  'messages.bot': 'Bot',
  // Delivery status of a visitor line still on its way.
  'messages.sending': 'Sending…',
  // Delivery status of a visitor line the server confirmed.
  'messages.sent': 'Sent',
  // Delivery status of a visitor line that could not be delivered.
  'messages.failed': 'Not delivered',
  // Button that resends a line that failed.
  'messages.retry': 'Retry',
  // Delivery status of a visitor line held while the connection is down (sent once it is back).
  'messages.waiting': 'Waiting for connection…',
  // Prefix of a translation shown under a line.
  'messages.translation': 'Translation',
  // Marker on the option the visitor picked in a list of choices.
  'messages.selected': 'selected',
  'messages.menuClosed': 'This menu belongs to an earlier chat',
  'messages.moreOptions': 'Show other options',
  // Submit button of a form the agent sent inside the chat.
  'form.submit': 'Submit',
  // Link on a card that opens its page.
  'card.open': 'Open',
  // Rating request title when the vendor gives none.
  'rating.title': 'How would you rate this chat?',
  // Shown when the rating request is no longer open.
  'rating.expired': 'This rating request has expired.',
  // Agent asked for a file; {types} lists the accepted extensions.
  'file.requested': 'The agent asked you for a file ({types}).',
  // Agent asked for a file of any type.
  'file.requestedAny': 'The agent asked you for a file.',
  // Button that opens the file picker (composer and file requests).
  'file.attach': 'Attach file',
  // Refusal of a file whose type is not accepted; {types} lists accepted extensions.
  'file.wrongType': '"{name}" can’t be sent. Accepted file types: {types}.',
  // Refusal of a file over the size limit; {max} is a size like "5 MB".
  'file.tooLarge': '"{name}" is too large. The limit is {max}.',
  // Announcement of an incoming line: {name} is the author, {text} the line.
  'live.message': '{name}: {text}',
  // Announcement when an agent joins.
  'live.joined': '{name} joined the chat',
  // Announcement when an agent leaves.
  'live.left': '{name} left the chat',
  // Announcement when the chat ends.
  'live.ended': 'The chat has ended',
  // Typing indicator; {name} is the agent's name.
  'typing.named': '{name} is typing…',
  // Typing indicator when the agent has no name.
  'typing.anonymous': 'The agent is typing…',
  // Composer counter near the limit: characters the visitor has left.
  'composer.remaining': '{count, plural, one {# character} other {# characters}} left',
  // Composer hint while the chat has not started yet.
  'composer.notYet': 'You can write once the chat has started.',
  // Composer hint after the chat has ended.
  'composer.over': 'This chat has ended.',
  // Button (while chatting) asking the agent for a satisfaction rating.
  'chat.askRating': 'Ask for a rating',
  // --- Widget-side pre-chat fields and transport errors (transports) ---
  // Label of the widget's own pre-chat last-name field (optional).
  'prechat.lastName': 'Last name (optional)',
  // Label of the widget's own pre-chat phone field (optional).
  'prechat.phone': 'Phone (optional)',
  // Label of the widget's own pre-chat free-text field (optional, several lines).
  'prechat.comment': 'How can we help? (optional)',
  // Label of the widget's own pre-chat topic list (the site's subjects).
  'prechat.subject': 'Topic',
  // Error on the wait screen when the chat server did not accept the chat request (a Retry button follows).
  'error.startFailed': 'The chat could not be started. Please try again.',
  // Error when the visitor asks for the transcript before the chat has ended.
  'error.transcriptNotReady': 'The transcript is available once the chat has ended.',
  // Error when the transcript could not be fetched or emailed.
  'error.transcriptFailed': 'The transcript could not be sent. Please try again.',
  // Error when the transcript is asked for before the server has closed the chat (ExpertFlow's 404).
  'error.transcriptNotYet': 'The transcript is not available yet. Please try again in a moment.',
  // Error with a Retry button when the chat server refused every connection try.
  'error.connectFailed': 'The chat server cannot be reached. Please try again.',
  // --- Transports (src/transports) ---
  // Transcript line when the connection dropped mid-chat and the vendor cannot resume a chat.
  'transport.chatLost': 'The connection was lost and the chat could not be resumed. You can start a new chat.',
  // Offline screen when the server sends the visitor to another page instead of a message.
  'transport.forwarded': 'Nobody is available to chat right now. You can contact us on our website.',
  // Error banner: the chat server sent data the widget could not read (the chat goes on).
  'transport.badFrame': 'The chat server sent something unexpected.',
  // Error banner: an action was tried before the connection to the chat server was ready.
  'transport.notConnected': 'Not connected to the chat server. Please try again in a moment.',
  // Error banner: the chat server refused the connection and gave no reason.
  'transport.refused': 'The chat server refused the connection.',
  // Error banner: a widget option is missing or wrong; {name} is the data-* attribute.
  'transport.badOption': 'The chat is not set up correctly: check {name}.',
  // Error banner: the file could not be uploaded.
  'transport.uploadFailed': 'The file could not be sent. Please try again.',
  // Error when the chat server refused a visitor's upload (its reason is not shown: it is not in the visitor's language).
  'transport.uploadRefused': 'The chat server did not accept this file.',
  // Label of the pre-chat drop-down where the visitor picks the chat's language (WhosOn's language selector).
  'transport.chatLanguage': 'Chat language',
  // Error banner: the message is longer than the chat service accepts; {max} is the limit.
  'transport.tooLong': 'This message is too long (at most {max, plural, one {# character} other {# characters}}).',
  // Error banner: the action is not available with this chat service.
  'transport.unsupported': 'This is not available in this chat.',
  // --- Chat connection errors (transports) ---
  // Error when the site's sign-in service for the chat could not be reached or answered badly.
  'error.signIn': 'The chat could not sign you in. Please try again later.',
  // Fatal error when the same visitor opened the chat in another tab or window, which took it over.
  'error.otherTab': 'This chat continues in another tab or window. Close this one or reload the page to continue here.',
  // Fatal error when the visitor's chat sign-in expired.
  'error.sessionExpired': 'Your chat session expired. Reload the page to continue.',
  // Error when the visitor tried something this chat service does not allow right now.
  'error.notAllowed': 'That is not available in this chat right now.',
  // Error when the site's server did not give the chat the security token it needs to start (Diyalog); the visitor may retry.
  'error.chatToken': 'The chat could not be started right now. Please try again.',
  // Diyalog online help is unavailable because of a problem on the site's side (its set-up or clock), or Diyalog cannot offer it; try later.
  'diyalog.unavailable': 'Online help is not available right now. Please try again later.',
  // Diyalog refused the chat's security check (its transaction, device and customer did not match); the visitor may retry.
  'diyalog.securityCheck': 'The security check for this chat failed. Please try again.',
  // Diyalog: this customer already has an online help (or call) running.
  'diyalog.inCall': 'You already have an online help session open. Please finish it first.',
  // Diyalog: the customer's account is not active on this device.
  'diyalog.notActive': 'Your account is not active on this device. Please sign in again and try once more.',
  // Diyalog needs the visitor's name to start; shown when it is missing.
  'diyalog.nameMissing': 'Please enter your name to start the chat.',
  // Error when a message or file reached the chat server but could not be passed on to the agents; the visitor may retry.
  'error.sendFailed': 'Your message could not be delivered. Please try again.',
  // Error when the visitor sent many messages in a very short time and the chat server paused them.
  'error.rateLimited': 'Too many messages at once. Please wait a moment.',
  // Warning after reconnecting: some agent messages sent while the visitor was away were too many to keep.
  'error.eventsLost': 'Some messages sent while you were away could not be kept.',
  // Header toggle button (pressed/not pressed): show a browser notification for new messages while the page is hidden.
  'notify.toggle': 'Notify me of new messages',
  // --- issue 25 items 1–8 (visitor UX) ---
  // Placeholder in the empty message box.
  'composer.placeholder': 'Write a message…',
  // Composer button (inside the message box) that helps the visitor open the system emoji picker.
  'composer.emoji': 'Emoji',
  // Shown and read after pressing the emoji button: how to open the device's own emoji picker.
  'composer.emojiHint': 'Emoji: Windows key + . (Mac: Control + Command + Space)',
  // Button at the bottom of the messages while the visitor reads older ones: new messages arrived; scrolls down.
  'messages.new': 'New messages',
  // Question shown after pressing "End chat", before the chat really ends.
  'header.endConfirm': 'End this chat?',
  // Button beside that question: do not end the chat.
  'header.keep': 'Keep chatting',
  // First screen (issue 25 item 12): the vendor said someone can take the chat now.
  'intro.online': 'We\u2019re online',
  // First screen greeting when neither the vendor nor the site (data-greeting) gives a welcome.
  'intro.greeting': 'Hi! How can we help you today?',
} as const;
