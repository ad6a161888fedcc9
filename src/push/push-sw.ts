/**
 * The service worker served at `GET /push-sw.js`. It shows each push as a notification
 * (tag = the notification id, so a repeated push replaces rather than stacks) and, on click,
 * focuses a tab of the app, or opens one, at `data.url` when the publisher set one. A page on
 * another origin registers a one-line worker of its own: `importScripts('<herald>/push-sw.js')`.
 * Plain ES2017 in a string: it runs in the browser, not in Node, and needs no build step.
 */
export const PUSH_SW_SOURCE = `'use strict';
// Herald Web Push service worker.
self.addEventListener('install', function () { self.skipWaiting(); });
self.addEventListener('activate', function (event) { event.waitUntil(self.clients.claim()); });

function heraldSafeUrl(value) {
  if (typeof value !== 'string') return null;
  try {
    var url = new URL(value, self.registration.scope);
    return url.protocol === 'https:' || url.protocol === 'http:' ? url.href : null;
  } catch (e) {
    return null;
  }
}

self.addEventListener('push', function (event) {
  var n = {};
  try {
    n = event.data ? event.data.json() : {};
  } catch (e) {
    n = { title: event.data ? event.data.text() : '' };
  }
  var data = n && typeof n.data === 'object' && n.data !== null ? n.data : {};
  var options = {
    body: typeof n.body === 'string' ? n.body : '',
    data: { id: n.id, seq: n.seq, type: n.type, url: heraldSafeUrl(data.url) },
    timestamp: Date.parse(n.createdAt) || Date.now(),
  };
  if (typeof n.id === 'string') options.tag = n.id;
  var title = typeof n.title === 'string' && n.title ? n.title : 'New notification';
  event.waitUntil(self.registration.showNotification(title, options));
});

self.addEventListener('notificationclick', function (event) {
  event.notification.close();
  var wanted = (event.notification.data && event.notification.data.url) || null;
  var target = new URL(wanted || self.registration.scope, self.registration.scope);
  event.waitUntil(
    self.clients.matchAll({ type: 'window', includeUncontrolled: true }).then(function (tabs) {
      var i;
      for (i = 0; i < tabs.length; i++) {
        if (tabs[i].url === target.href && 'focus' in tabs[i]) return tabs[i].focus();
      }
      for (i = 0; i < tabs.length; i++) {
        if (new URL(tabs[i].url).origin === target.origin && 'focus' in tabs[i]) {
          var tab = tabs[i];
          return tab.focus().then(function (focused) {
            return wanted && focused && 'navigate' in focused ? focused.navigate(target.href) : focused;
          });
        }
      }
      return self.clients.openWindow(target.href);
    }),
  );
});
`;
