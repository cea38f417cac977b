// Btcedu review gallery: filters, a keyboard viewer and copy buttons. Progressive enhancement only: without this
// script every thumbnail is a plain link to the full image. Reads text from the page (already encoded by Core)
// and writes it back with textContent only, never as HTML.
(function () {
  'use strict';
  document.documentElement.classList.add('js');

  function visibleThumbs() {
    return Array.prototype.filter.call(document.querySelectorAll('a.thumb'), function (a) {
      var card = a.closest('.card');
      return !card || !card.hidden;
    });
  }

  // --- filters -------------------------------------------------------------------------------------
  var filters = document.querySelector('form.filters');
  if (filters) {
    var status = document.getElementById('filter-status');
    var type = document.getElementById('filter-type');
    var count = document.getElementById('filter-count');
    var cards = document.querySelectorAll('.card');
    var apply = function () {
      var shown = 0;
      Array.prototype.forEach.call(cards, function (card) {
        var okStatus = !status.value || (status.value === 'stale' ? card.dataset.stale === 'true' : card.dataset.status === status.value);
        var okType = !type.value || card.dataset.type === type.value;
        card.hidden = !(okStatus && okType);
        if (!card.hidden) { shown++; }
      });
      count.textContent = shown + ' / ' + cards.length + ' chapters';
    };
    status.addEventListener('change', apply);
    type.addEventListener('change', apply);
    filters.addEventListener('submit', function (e) { e.preventDefault(); });
    filters.hidden = false;
    apply();
  }

  // --- copy buttons --------------------------------------------------------------------------------
  Array.prototype.forEach.call(document.querySelectorAll('.command'), function (box) {
    var code = box.querySelector('code');
    var button = document.createElement('button');
    button.type = 'button';
    button.className = 'copy';
    button.textContent = 'Copy';
    button.setAttribute('aria-label', 'Copy the command: ' + code.textContent);
    button.addEventListener('click', function () {
      var done = function () { button.textContent = 'Copied'; setTimeout(function () { button.textContent = 'Copy'; }, 1500); };
      var fallback = function () {
        var range = document.createRange();
        range.selectNodeContents(code);
        var selection = window.getSelection();
        selection.removeAllRanges();
        selection.addRange(range);
        try { document.execCommand('copy'); done(); } catch (e) { button.textContent = 'Press Ctrl+C'; }
      };
      if (navigator.clipboard && navigator.clipboard.writeText) {
        navigator.clipboard.writeText(code.textContent).then(done, fallback);
      } else {
        fallback();
      }
    });
    box.appendChild(button);
  });

  // --- viewer --------------------------------------------------------------------------------------
  if (!document.querySelector('a.thumb')) { return; }
  var viewer = document.createElement('div');
  viewer.className = 'viewer';
  viewer.id = 'viewer';
  viewer.hidden = true;
  viewer.setAttribute('role', 'dialog');
  viewer.setAttribute('aria-modal', 'true');
  viewer.setAttribute('aria-label', 'Image viewer');
  var image = document.createElement('img');
  image.alt = '';
  var caption = document.createElement('p');
  caption.className = 'caption';
  caption.id = 'viewer-caption';
  viewer.setAttribute('aria-describedby', caption.id);
  var bar = document.createElement('div');
  bar.className = 'bar';
  var makeButton = function (text, label, onClick) {
    var b = document.createElement('button');
    b.type = 'button';
    b.textContent = text;
    b.setAttribute('aria-label', label);
    b.addEventListener('click', onClick);
    bar.appendChild(b);
    return b;
  };
  var current = -1;
  var opener = null;
  var show = function (index) {
    var thumbs = visibleThumbs();
    if (thumbs.length === 0) { return; }
    current = (index + thumbs.length) % thumbs.length;
    var a = thumbs[current];
    image.src = a.getAttribute('href');
    image.alt = a.querySelector('img') ? a.querySelector('img').alt : '';
    caption.textContent = (a.dataset.caption || image.alt) + '  (' + (current + 1) + ' / ' + thumbs.length + ')';
  };
  var close = function () {
    viewer.hidden = true;
    image.removeAttribute('src');
    if (opener) { opener.focus(); }
  };
  makeButton('\u2190', 'Previous image', function () { show(current - 1); });
  var closeButton = makeButton('Close', 'Close the viewer (Escape)', close);
  makeButton('\u2192', 'Next image', function () { show(current + 1); });
  viewer.appendChild(image);
  viewer.appendChild(caption);
  viewer.appendChild(bar);
  document.body.appendChild(viewer);

  document.addEventListener('click', function (e) {
    var a = e.target.closest ? e.target.closest('a.thumb') : null;
    if (!a || e.ctrlKey || e.metaKey || e.shiftKey || e.button !== 0) { return; }
    e.preventDefault();
    opener = a;
    viewer.hidden = false;
    show(visibleThumbs().indexOf(a));
    closeButton.focus();
  });

  viewer.addEventListener('keydown', function (e) {
    if (e.key === 'Escape') { e.preventDefault(); close(); }
    else if (e.key === 'ArrowRight') { e.preventDefault(); show(current + 1); }
    else if (e.key === 'ArrowLeft') { e.preventDefault(); show(current - 1); }
    else if (e.key === 'Tab') {
      // Focus stays inside the viewer: Tab and Shift+Tab cycle through its buttons.
      var buttons = bar.querySelectorAll('button');
      var first = buttons[0], last = buttons[buttons.length - 1];
      if (e.shiftKey && document.activeElement === first) { e.preventDefault(); last.focus(); }
      else if (!e.shiftKey && document.activeElement === last) { e.preventDefault(); first.focus(); }
      else if (!viewer.contains(document.activeElement)) { e.preventDefault(); first.focus(); }
    }
  });
  document.addEventListener('focusin', function (e) {
    if (!viewer.hidden && !viewer.contains(e.target)) { closeButton.focus(); }
  });
}());
