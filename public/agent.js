// The agent console: follows one vendor's desk over Server-Sent Events (the chat in progress
// and the wire), and acts through POST /__sandbox/desk/act. Plain script: it runs under the
// sandbox's strict Content-Security-Policy like the demo page.
(function () {
  var NOTES = {
    whoson: 'WhosOn: the operator joins from the queue; visitor lines written while waiting reach you when you join.',
    expertflow: 'ExpertFlow: with "A bot answers first" on the demo page, you get the chat when the visitor asks for an agent.',
    'expertflow-cx': 'ExpertFlow CX: the bot answers first; you get the chat when the visitor presses "Talk to an agent".',
    tencent: 'Tencent Cloud Desk: the desk\u2019s robot answers first; you get the chat when the visitor asks for a human.',
    omnidesk: 'Omnidesk: your lines reach the widget through the relay\u2019s hookpoints.',
    diyalog: 'Diyalog: a representative takes the queued interaction; your lines go over the SDK channel the relay holds.'
  };
  var MAX_FRAMES = 300;
  var params = new URLSearchParams(location.search);
  var vendor = params.get('vendor') || 'whoson';
  var select = document.getElementById('vendor');
  if (!NOTES[vendor]) vendor = 'whoson';
  select.value = vendor;
  select.addEventListener('change', function () { location.search = '?vendor=' + encodeURIComponent(select.value); });
  document.getElementById('vendor-note').textContent = NOTES[vendor];

  var status = document.getElementById('status');
  var transcript = document.getElementById('transcript');
  var actions = document.getElementById('actions');
  var takeOver = document.getElementById('take-over');
  var error = document.getElementById('act-error');
  var reply = document.getElementById('reply');
  var replyText = document.getElementById('reply-text');
  var wire = document.getElementById('wire');
  var available = document.getElementById('available');
  var hold = document.getElementById('hold');
  hold.addEventListener('change', function () {
    fetch('/__sandbox/desk/hold?vendor=' + encodeURIComponent(vendor), { method: 'POST', body: String(hold.checked) });
  });
  var shownLines = 0;
  var shownChat = 0;
  var shownActions = '';
  // The inspector shows the chat in progress: frames tagged with its key, and frames the
  // simulator cannot place in a chat (a login, a handshake). "All chats" shows every frame.
  var chatKey = null;
  var frames = [];
  var allChats = document.getElementById('wire-all');
  allChats.addEventListener('change', renderWire);

  fetch('/sandbox.json').then(function (r) { return r.json(); }).then(function (s) { available.checked = s.available; });
  available.addEventListener('change', function () {
    fetch('/__sandbox/available', { method: 'POST', body: String(available.checked) });
  });

  function act(action, text) {
    error.textContent = '';
    return fetch('/__sandbox/desk/act?vendor=' + encodeURIComponent(vendor), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ action: action, text: text || '' })
    }).then(function (r) {
      if (!r.ok) return r.json().then(function (b) { error.textContent = b.error || 'Failed'; });
    });
  }
  reply.addEventListener('submit', function (e) {
    e.preventDefault();
    var text = replyText.value;
    if (!text.trim()) return;
    replyText.value = '';
    act('say', text);
  });
  takeOver.addEventListener('click', function () { act('take-over'); });

  var visitorTyping = document.getElementById('visitor-typing');
  function renderChat(s) {
    hold.checked = s.hold;
    // Where the vendor's protocol carries no visitor typing, the console says so (and why).
    visitorTyping.textContent = s.typingUnseen ? s.typingUnseen : s.visitorTyping === null ? '' : 'The visitor is typing\u2026' + (s.visitorTyping ? ' \u201c' + s.visitorTyping + '\u201d' : '');
    var chat = s.chat;
    if (!chat) {
      status.textContent = 'No chat yet: start one in the demo page.';
      return;
    }
    if (chat.id !== shownChat) {
      shownChat = chat.id;
      chatKey = chat.key;
      wire.setAttribute('data-chat', chatKey);
      renderWire();
      shownLines = 0;
      transcript.textContent = '';
      shownActions = '';
    }
    status.textContent = 'Chat ' + chat.id + ': ' + (chat.ended ? 'ended.' : chat.manual ? 'you hold this chat.' : 'the scripted agent is answering.');
    takeOver.hidden = chat.manual || chat.ended;
    for (var i = shownLines; i < chat.lines.length; i++) {
      var line = chat.lines[i];
      var li = document.createElement('p');
      li.className = line.from;
      li.textContent = (line.from === 'visitor' ? 'Visitor: ' : line.from === 'agent' ? 'Agent: ' : '') + line.text;
      transcript.appendChild(li);
    }
    shownLines = chat.lines.length;
    transcript.scrollTop = transcript.scrollHeight;
    var key = JSON.stringify(chat.actions) + chat.ended;
    if (key === shownActions) return;
    shownActions = key;
    actions.textContent = '';
    chat.actions.forEach(function (a) {
      if (a.action === 'say') return;
      var b = document.createElement('button');
      b.type = 'button';
      b.textContent = a.label;
      b.disabled = chat.ended;
      b.addEventListener('click', function () { act(a.action, a.action === 'join' ? '' : replyText.value); });
      actions.appendChild(b);
    });
  }

  function belongs(f) {
    return allChats.checked || !f.chat || f.chat === chatKey;
  }
  function renderWire() {
    wire.textContent = '';
    frames.forEach(function (f) { if (belongs(f)) addFrame(f); });
  }
  function addFrame(f) {
    var li = document.createElement('li');
    li.className = f.dir;
    if (f.chat) li.setAttribute('data-chat', f.chat);
    var head = document.createElement('div');
    var dir = document.createElement('span');
    dir.className = 'dir';
    dir.textContent = f.dir === 'in' ? '\u2192 in ' : '\u2190 out ';
    head.appendChild(dir);
    head.appendChild(document.createTextNode(f.channel + ' ' + f.name + ' '));
    var time = document.createElement('time');
    time.textContent = new Date(f.at).toISOString().slice(11, 23);
    head.appendChild(time);
    var pre = document.createElement('pre');
    pre.textContent = f.payload;
    li.appendChild(head);
    li.appendChild(pre);
    var stick = wire.scrollTop + wire.clientHeight >= wire.scrollHeight - 4;
    wire.appendChild(li);
    while (wire.children.length > MAX_FRAMES) wire.removeChild(wire.firstChild);
    if (stick) wire.scrollTop = wire.scrollHeight;
  }
  document.getElementById('wire-clear').addEventListener('click', function () { frames = []; wire.textContent = ''; });

  var lastFrame = 0;
  var events = new EventSource('/__sandbox/desk/events?vendor=' + encodeURIComponent(vendor));
  events.addEventListener('chat', function (e) { renderChat(JSON.parse(e.data)); });
  events.addEventListener('wire', function (e) {
    var f = JSON.parse(e.data);
    if (f.seq <= lastFrame) return; // a reconnected stream repeats what it kept
    lastFrame = f.seq;
    frames.push(f);
    if (frames.length > MAX_FRAMES) frames.shift();
    if (belongs(f)) addFrame(f);
  });
  events.addEventListener('error', function () { status.textContent = 'Reconnecting to the sandbox…'; });
})();
