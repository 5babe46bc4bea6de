// The demo's configurator: every data-* option a site owner sets, applied to the widget
// (live through the widget's API where it can be, else the page reloads with the new query), the snippet as a site owner pastes it, and what the sandbox agent does per vendor.
// Plain script, no globals: it runs under the sandbox's strict Content-Security-Policy.
(function () {
  var NAMES = { whoson: 'WhosOn', expertflow: 'ExpertFlow', 'expertflow-cx': 'ExpertFlow CX', tencent: 'Tencent Cloud Desk', omnidesk: 'Omnidesk', diyalog: 'Diyalog' };
  // Only the words that work on each vendor's simulator (src/server/sandbox/*).
  var CAN_DO = {
    whoson: [['bye', 'the agent says goodbye and ends the chat'], ['file', 'asks you for a file'], ['order', 'asks for an order number (a field)'], ['link', 'answers with an HTML link'], ['anything else', 'a short answer']],
    expertflow: [['agent', 'with "A bot answers first": the bot hands you to a person'], ['bye', 'ends the chat'], ['attach', 'sends you a file'], ['link', 'answers with a link'], ['anything else', 'a short answer']],
    'expertflow-cx': [['Talk to an agent', 'the bot\u2019s button: a person takes over ("Opening hours" shows a carousel)'], ['bye', 'ends the chat'], ['attach', 'sends you a file'], ['link', 'answers with a link']],
    tencent: [['a welcome question', 'the robot answers ("How long does delivery take?" streams)'], ['Show me a card / Fill in a form', 'the branch menu\u2019s card and forms'], ['human', 'an agent takes the seat'], ['rate', 'a star rating request ("rate numbers": numeric)'], ['recall', 'the desk recalls and corrects its last line'], ['timeout', 'the desk ends the chat by timeout'], ['bye', 'with the agent: ends the chat']],
    omnidesk: [['bye', 'ends the chat'], ['attach', 'sends you a file'], ['link', 'answers with a link'], ['anything else', 'a short answer']],
    diyalog: [['bye', 'ends the chat'], ['link', 'answers with a link'], ['anything else', 'a short answer']]
  };
  // What unticking "Agents available" does on each vendor's server.
  var AVAILABLE = {
    whoson: 'Unticked: WhosOn\u2019s operator list shows nobody Online, so the widget offers the leave-a-message form before asking for a name (a chat asked for meanwhile gets "notaccepted").',
    expertflow: 'Unticked: the request is handed off and nobody takes it; "No agents are available" arrives in the open conversation.',
    'expertflow-cx': 'Unticked: after "Talk to an agent" the bot says no agent is available and the session ends.',
    tencent: 'Unticked: the robot still answers; asking for a human gets the desk\u2019s no-agent-online flag (src 18) and the widget offers the next step (the site\u2019s contact page or \u201ctry again later\u201d).',
    omnidesk: 'Unticked: Omnidesk\u2019s chat configuration says no agents are available; the widget offers the leave-a-message form.',
    diyalog: 'Unticked: the queued interaction is never taken; the visitor waits until they cancel.'
  };
  // Where the sandbox's loopback addresses point in real life.
  var HOSTS = { whoson: 'chat.example.com:8009', expertflow: 'chat.example.com', 'expertflow-cx': 'cx.example.com', tencent: 'www.example.com', omnidesk: 'relay.example.com', diyalog: 'relay.example.com' };
  var SECRETS = { auth: 'your-server-auth-string', apiKey: 'your-chat-api-key', domain: 'www.example.com', sdkAppId: 'your-sdk-app-id' };
  var OPTIONS = ['theme', 'color', 'locale', 'position', 'mode', 'title', 'consent', 'sound'];
  var DEFAULT_COLOR = '#1f5fbf';

  var params = new URLSearchParams(location.search);
  var vendor = params.get('vendor') || 'whoson';
  var form = document.getElementById('configure');
  var snippet = document.getElementById('snippet');
  var kebab = function (name) { return name.replace(/[A-Z]/g, function (c) { return '-' + c.toLowerCase(); }); };

  document.getElementById('vendor-name').textContent = NAMES[vendor] || vendor;
  var list = document.getElementById('can-do');
  (CAN_DO[vendor] || []).forEach(function (item) {
    var li = document.createElement('li');
    var kbd = document.createElement('kbd');
    kbd.textContent = item[0];
    li.appendChild(kbd);
    li.appendChild(document.createTextNode(': ' + item[1]));
    list.appendChild(li);
  });
  document.getElementById('available-note').textContent = AVAILABLE[vendor] || '';
  document.getElementById('console-link').href = '/agent?vendor=' + encodeURIComponent(vendor);

  // The form shows the options the page runs with.
  OPTIONS.forEach(function (name) {
    var field = form.elements[name];
    var value = params.get('data-' + name);
    if (field.type === 'checkbox') field.checked = value !== null && value !== 'false';
    else if (value !== null) field.value = value;
  });

  function chosen() {
    var out = {};
    OPTIONS.forEach(function (name) {
      var field = form.elements[name];
      if (field.type === 'checkbox') { if (field.checked) out[name] = field.value; }
      else if (field.value && !(name === 'color' && field.value.toLowerCase() === DEFAULT_COLOR)) out[name] = field.value;
    });
    return out;
  }

  /** A sandbox attribute as a site owner would write it: a real server's address, their own keys. */
  function real(name, value) {
    var m = /^(ws|http)s?:\/\/(127\.0\.0\.1|localhost|\[::1\])(:\d+)?(\/.*)?$/.exec(value);
    if (m) {
      var host = /Url$/.test(name) ? 'www.example.com' : HOSTS[vendor];
      return m[1] + 's://' + host + (m[4] || '');
    }
    return SECRETS[name] || value;
  }

  var attrs = null;
  function render() {
    if (!attrs) return;
    var lines = ['<script src="https://cdn.example.com/confab/confab.js" async'];
    var all = Object.assign({}, attrs, chosen());
    Object.keys(all).forEach(function (name) {
      if (name === 'sandbox') return; // development only
      var value = OPTIONS.indexOf(name) >= 0 ? all[name] : real(name, all[name]);
      lines.push('        data-' + kebab(name) + '="' + value.replace(/&/g, '&amp;').replace(/"/g, '&quot;') + '"');
    });
    snippet.textContent = lines.join('\n') + '></' + 'script>';
  }

  fetch('/sandbox.json').then(function (r) { return r.json(); }).then(function (sandbox) {
    var own = sandbox.vendors[vendor];
    if (!own) return;
    attrs = {};
    Object.keys(own).forEach(function (k) { if (OPTIONS.indexOf(k) < 0) attrs[k] = own[k]; });
    render();
  });

  // Theme, colour and language apply live through the public API (Confab('setTheme'),
  // Confab('setLocale')) once the chat window's code has loaded: before that the calls wait for
  // it (it loads on the visitor's intent), so a closed launcher would not show them. Any other
  // change needs a new widget: the page reloads with the new attributes, the widget starting
  // exactly as the snippet shown would start it. (In iframe mode the app runs in the frame.)
  var LIVE = ['theme', 'color', 'locale'];
  var loaded = false;
  addEventListener('confab:ready', function () { loaded = true; });
  var running = chosen();
  var applied = document.getElementById('applied');
  form.addEventListener('change', function () {
    var next = new URLSearchParams({ vendor: vendor });
    var values = chosen();
    Object.keys(values).forEach(function (k) { next.set('data-' + k, values[k]); });
    var changed = OPTIONS.filter(function (n) { return (values[n] || '') !== (running[n] || ''); });
    var live = loaded && !running.mode && typeof window.Confab === 'function' &&
      changed.every(function (n) { return LIVE.indexOf(n) >= 0; });
    if (!live) { location.search = '?' + next; return; }
    history.replaceState(null, '', '?' + next);
    if (changed.indexOf('theme') >= 0 || changed.indexOf('color') >= 0) {
      window.Confab('setTheme', { theme: values.theme || 'light', color: form.elements.color.value });
    }
    if (changed.indexOf('locale') >= 0) window.Confab('setLocale', values.locale || '');
    running = values;
    render();
    applied.textContent = changed.length ? 'Applied live: ' + changed.join(', ') + '.' : '';
  });
  form.addEventListener('submit', function (e) { e.preventDefault(); });

  var copyStatus = document.getElementById('copy-status');
  document.getElementById('copy').addEventListener('click', function () {
    var done = function () { copyStatus.textContent = 'Copied.'; };
    if (navigator.clipboard && navigator.clipboard.writeText) {
      navigator.clipboard.writeText(snippet.textContent).then(done, function () { select(); });
    } else select();
  });
  function select() {
    var range = document.createRange();
    range.selectNodeContents(snippet);
    var selection = getSelection();
    selection.removeAllRanges();
    selection.addRange(range);
    copyStatus.textContent = 'Selected: press Ctrl+C (or \u2318C) to copy.';
  }
})();
