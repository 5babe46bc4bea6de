// The demo page: picks the vendor from ?vendor=, asks the sandbox for that vendor's
// loopback addresses, and adds the real script tag a site owner would paste.
(function () {
  var params = new URLSearchParams(location.search);
  var vendor = params.get('vendor') || 'whoson';
  document.querySelectorAll('#vendors a').forEach(function (a) {
    if (a.getAttribute('href') === '?vendor=' + vendor) a.setAttribute('aria-current', 'page');
  });
  var available = document.getElementById('available');
  function kebab(name) { return name.replace(/[A-Z]/g, function (c) { return '-' + c.toLowerCase(); }); }
  fetch('/sandbox.json').then(function (r) { return r.json(); }).then(function (sandbox) {
    available.checked = sandbox.available;
    available.addEventListener('change', function () {
      fetch('/__sandbox/available', { method: 'POST', body: String(available.checked) });
    });
    // ExpertFlow: which socket.io the server runs (the widget finds out itself) and a bot first.
    if (vendor === 'expertflow' && sandbox.expertflow) {
      var efSocketio = document.getElementById('ef-socketio');
      var efBot = document.getElementById('ef-bot');
      efSocketio.value = String(sandbox.expertflow.socketio);
      efBot.checked = sandbox.expertflow.bot;
      document.getElementById('expertflow-settings').hidden = false;
      var saveEf = function () {
        fetch('/__sandbox/expertflow', { method: 'POST', body: JSON.stringify({ socketio: Number(efSocketio.value), bot: efBot.checked }) });
      };
      efSocketio.addEventListener('change', saveEf);
      efBot.addEventListener('change', saveEf);
    }
    var attrs = sandbox.vendors[vendor];
    if (!attrs) { document.getElementById('snippet').textContent = 'Unknown vendor ' + vendor; return; }
    // Extra options for the demo can ride on the query string: ?vendor=whoson&data-color=%23a0309a
    params.forEach(function (value, key) { if (key.indexOf('data-') === 0) attrs[key.slice(5)] = value; });
    var script = document.createElement('script');
    script.src = './confab.js';
    script.async = true;
    // The snippet a site owner pastes is written by configurator.js (placeholders, no sandbox addresses).
    Object.keys(attrs).forEach(function (name) {
      script.setAttribute('data-' + kebab(name), attrs[name]);
    });
    document.body.appendChild(script);
  });
})();
